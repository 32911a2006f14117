-- V010: the latest evaluation of every alert rule on every series, fired or not.
--
-- Statements are separated by a ';' at the end of a line; each is safe to run again (see V001).

-- cx_alert_evaluations: what each rule's evaluation found (io.cxpulse.jobs.alerts.RuleEvaluation),
-- written by the alert stage of every metric job after every evaluation, so that a rule that has
-- not fired shows why: too few samples for min_samples, no baseline yet, or a value within its
-- threshold. One row per (rule, channel, segment): the evaluation of the newest window wins, so
-- the table stays as small as the rule set times its series.
--   verdict   INSUFFICIENT (too little data: samples < min_samples, or no baseline with enough),
--             BAD (the condition holds), GOOD (recovered past the hysteresis margin), BORDERLINE
--   firing    1 when the rule is firing on the series after this evaluation
CREATE TABLE IF NOT EXISTS cx_alert_evaluations
(
    rule_id          LowCardinality(String),
    metric           LowCardinality(String),
    channel          LowCardinality(String) COMMENT 'the series'' channel, or all',
    segment          LowCardinality(String) COMMENT 'the series'' segment, or all',
    window_start     DateTime64(3, 'UTC') COMMENT 'start of the evaluated window',
    window_end       DateTime64(3, 'UTC') COMMENT 'end of the evaluated window',
    verdict          LowCardinality(String) COMMENT 'INSUFFICIENT, BAD, GOOD or BORDERLINE',
    value            Nullable(Float64) COMMENT 'the window''s value; NULL when it has none',
    baseline         Nullable(Float64) COMMENT 'the baseline''s value (baseline rules)',
    p_value          Nullable(Float64) COMMENT 'the one-sided p-value (baseline rules)',
    samples          Int64 COMMENT 'the window''s sample size',
    baseline_samples Nullable(Int64) COMMENT 'the baseline''s sample size (baseline rules)',
    min_samples      Int64 COMMENT 'the rule''s min_samples',
    firing           Bool COMMENT 'whether the rule fires on the series after this evaluation'
)
ENGINE = ReplacingMergeTree(window_end)
ORDER BY (rule_id, channel, segment)
COMMENT 'The latest evaluation of each alert rule on each series; read cx_alert_rule_status';

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
