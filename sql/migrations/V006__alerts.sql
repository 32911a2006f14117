-- V006: the alert table and its views: open episodes, and every episode with its duration.
--
-- Statements are separated by a ';' at the end of a line and are safe to run again (IF NOT
-- EXISTS, OR REPLACE): a file that fails half-way runs again from its first statement.

-- cx_alerts: one row per change of an alert's state, i.e. per (alert_id, status): the FIRING that
-- starts an episode and the RESOLVED that ends it. The columns are the fields of
-- schemas/alert.avsc (the record on the cx.alerts topic), written by the alert sink
-- (io.cxpulse.jobs.alerts.AlertSinks) from the same Avro record the topic gets.
--
-- Idempotent writes: alert ids are derived from rule, scope and the episode's first window, so a
-- replay after a failure writes the same (alert_id, status) again with the same values.
-- ReplacingMergeTree without a version column keeps the last inserted row of each key when parts
-- merge; read with FINAL (as the views do) for one row per key before they have merged. Alerts
-- are few (a handful per rule and series per day), so the table is not partitioned: a key's
-- copies can then never sit in different partitions, where no merge would fold them.
CREATE TABLE IF NOT EXISTS cx_alerts
(
    alert_id         String COMMENT 'stable id of the episode (same for its FIRING and RESOLVED rows)',
    status           LowCardinality(String) COMMENT 'FIRING or RESOLVED',
    rule_id          LowCardinality(String) COMMENT 'id of the rule in the alert rules file',
    metric           LowCardinality(String) COMMENT 'csat, nps, ces, abandonment_rate, frt_p90, sla_breach_rate',
    severity         LowCardinality(String) COMMENT 'INFO, WARNING or CRITICAL',
    channel          LowCardinality(String) COMMENT 'channel of the scope (lower case) or all',
    segment          LowCardinality(String) COMMENT 'segment of the scope or all',
    window_start     DateTime64(3, 'UTC') COMMENT 'start of the evaluation window that changed the state (event time)',
    window_end       DateTime64(3, 'UTC') COMMENT 'end of that window (exclusive): the event time of the change',
    value            Nullable(Float64) COMMENT 'the metric over the window: percent, NPS points, CES mean or ms',
    baseline         Nullable(Float64) COMMENT 'baseline value for baseline conditions, else NULL',
    threshold        Nullable(Float64) COMMENT 'absolute threshold, or for baseline conditions the least change that counts',
    p_value          Nullable(Float64) COMMENT 'one-sided p-value for baseline conditions, else NULL',
    samples          UInt64 COMMENT 'sample size of the window',
    baseline_samples Nullable(UInt64) COMMENT 'sample size of the baseline, for baseline conditions',
    summary          String COMMENT 'one line for people',
    written_at       DateTime64(3, 'UTC') DEFAULT now64(3, 'UTC') COMMENT 'when the row was inserted (processing time; a replay rewrites it)'
)
ENGINE = ReplacingMergeTree
ORDER BY (alert_id, status)
COMMENT 'Alert state changes, one row per (alert_id, status); read with FINAL or through cx_alerts_open and cx_alert_history';

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
