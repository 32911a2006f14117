-- V001: the survey window table.
--
-- Statements are separated by a ';' at the end of a line. Each one must be safe to run again
-- (IF NOT EXISTS, OR REPLACE): a file that fails half-way is not recorded as applied and runs
-- again from its first statement on the next attempt.

-- cx_survey_window: one row per (window_start, channel, segment) with the additive CSAT, NPS and
-- CES components of the survey responses in that window, written by the survey job's ClickHouse
-- sink. Never a ratio: scores are derived in the views (V003), so every rollup is exact.
--
-- Idempotent writes: a replay writes the same key and version again; late data writes the same
-- key with a higher version. ReplacingMergeTree(version) keeps the highest version of each key
-- when parts merge; queries read through cx_survey_window_latest (FINAL), which applies the
-- same rule to parts that have not merged yet. The partition key is derived from the first
-- column of the sorting key, so all versions of a row live in one partition.
CREATE TABLE IF NOT EXISTS cx_survey_window
(
    window_start    DateTime('UTC'),
    window_end      DateTime('UTC'),
    channel         LowCardinality(String) COMMENT 'lower-case channel, e.g. web, mobile_app',
    segment         LowCardinality(String) COMMENT 'customer segment',
    csat_total      UInt64 COMMENT 'CSAT responses (1-5)',
    csat_satisfied  UInt64 COMMENT 'CSAT responses scoring 4 or 5',
    nps_total       UInt64 COMMENT 'NPS responses (0-10)',
    nps_promoters   UInt64 COMMENT 'NPS responses scoring 9 or 10',
    nps_passives    UInt64 COMMENT 'NPS responses scoring 7 or 8',
    nps_detractors  UInt64 COMMENT 'NPS responses scoring 0 to 6',
    ces_count       UInt64 COMMENT 'CES responses (1-7, lower is better)',
    ces_sum         UInt64 COMMENT 'sum of CES scores',
    ces_sum_squares UInt64 COMMENT 'sum of squared CES scores',
    ces_histogram   Array(UInt64) COMMENT '7 buckets; element i (0-based) counts CES score i+1',
    version         UInt64 COMMENT 'row version; the highest wins'
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(window_start)
ORDER BY (window_start, channel, segment)
COMMENT 'Additive CSAT/NPS/CES components per window, channel and segment; read cx_survey_window_latest or the cx_survey_scores_* views';
