-- The alert views: every episode with its duration, the open episodes, and the latest evaluation
-- of every rule on every series with what it waits for.
--
-- A repeatable script (see index.txt): edit the views here, in place.

-- cx_alert_history: one row per episode: when it fired and resolved (event time, NULL while it is
-- still open), its duration, and the values at both ends.
--
-- GROUP BY alert_id with -If aggregates rather than a self-join: the join would need
-- join_use_nulls to tell an open episode from one resolved at 1970-01-01, and the -OrNull
-- combinators give NULL for a missing side directly. Rule, metric, severity and scope are parts
-- of the alert id, so both rows of an episode carry the same ones and any() is exact. An episode
-- whose FIRING row is missing (it can only be lost with the table) has a NULL fired_at.
CREATE OR REPLACE VIEW cx_alert_history
COMMENT 'Alert episodes: fired_at and resolved_at (event time, resolved_at NULL while open), duration, values at both ends'
AS SELECT
    alert_id,
    any(rule_id) AS rule_id,
    any(metric) AS metric,
    any(severity) AS severity,
    any(channel) AS channel,
    any(segment) AS segment,
    minIfOrNull(window_end, status = 'FIRING') AS fired_at,
    minIfOrNull(window_end, status = 'RESOLVED') AS resolved_at,
    dateDiff('second', fired_at, resolved_at) AS duration_seconds,
    anyIf(value, status = 'FIRING') AS firing_value,
    anyIf(value, status = 'RESOLVED') AS resolved_value,
    anyIf(baseline, status = 'FIRING') AS baseline,
    anyIf(threshold, status = 'FIRING') AS threshold,
    anyIf(p_value, status = 'FIRING') AS p_value,
    anyIf(samples, status = 'FIRING') AS samples,
    anyIf(summary, status = 'FIRING') AS firing_summary,
    anyIf(summary, status = 'RESOLVED') AS resolved_summary
FROM cx_alerts FINAL
GROUP BY alert_id;

-- cx_alerts_open: the episodes that fired and have not resolved, i.e. what is wrong right now (as
-- far as the job's event time has got), most severe and oldest first. since is the event time of
-- the FIRING change (its window's end).
CREATE OR REPLACE VIEW cx_alerts_open
COMMENT 'Alert episodes with a FIRING and no RESOLVED row: rule, scope, severity, value and since when'
AS SELECT
    alert_id,
    rule_id,
    metric,
    severity,
    channel,
    segment,
    firing_value AS value,
    baseline,
    threshold,
    samples,
    fired_at AS since,
    firing_summary AS summary
FROM cx_alert_history
WHERE fired_at IS NOT NULL AND resolved_at IS NULL
ORDER BY
    multiIf(severity = 'CRITICAL', 0, severity = 'WARNING', 1, 2),
    since;

-- cx_alert_rule_status: cx_alert_evaluations FINAL with what the rule waits for, in words.
CREATE OR REPLACE VIEW cx_alert_rule_status
COMMENT 'The latest evaluation of each alert rule on each series, and what it waits for'
AS SELECT
    rule_id,
    metric,
    channel,
    segment,
    window_start,
    window_end,
    verdict,
    value,
    baseline,
    p_value,
    samples,
    baseline_samples,
    min_samples,
    firing,
    multiIf(
        verdict != 'INSUFFICIENT', '',
        samples < min_samples,
        concat('samples: ', toString(samples), ' < min_samples ', toString(min_samples)),
        value IS NULL, 'no value in the window',
        baseline_samples IS NULL, 'no baseline yet',
        baseline_samples < min_samples,
        concat('baseline samples: ', toString(baseline_samples), ' < min_samples ', toString(min_samples)),
        baseline IS NULL, 'no baseline value',
        'no significance test possible (no variation)') AS waiting_for
FROM cx_alert_evaluations FINAL;
