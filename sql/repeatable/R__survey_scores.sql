-- The survey views: newest row versions, and CSAT/NPS/CES scores with 95 % intervals for any
-- grouping and time grain.
--
-- A repeatable script (see index.txt): edit the views here, in place.

-- cx_survey_window_latest: cx_survey_window with only the newest version of each
-- (window_start, channel, segment) row.
--
-- FINAL rather than GROUP BY + argMax(column, version): FINAL is exactly the rule the table's
-- ReplacingMergeTree(version) applies when parts merge (highest version; on equal versions the
-- last inserted row), so the view cannot disagree with the merged table, while argMax picks an
-- arbitrary row on equal versions and needs one argMax per column (and an edit here for every
-- new column). FINAL only merges the columns a query reads and, because the partition key
-- (toYYYYMM(window_start)) is derived from the sorting key, never has to merge across
-- partitions; filters on window_start, channel and segment still prune by the primary key.
CREATE OR REPLACE VIEW cx_survey_window_latest
COMMENT 'cx_survey_window, newest version of each (window_start, channel, segment) row only'
AS SELECT
    window_start,
    window_end,
    channel,
    segment,
    csat_total,
    csat_satisfied,
    nps_total,
    nps_promoters,
    nps_passives,
    nps_detractors,
    ces_count,
    ces_sum,
    ces_sum_squares,
    ces_histogram,
    version
FROM cx_survey_window FINAL;

-- cx_survey_rows(grain): the rows whose components a bucket of that grain sums. For grain minute
-- (or second) the newest minute rows; for hour and coarser the sealed hours of
-- cx_survey_window_hour (R__hour_rollups.sql: one row per hour and key, the same sums) before the
-- end of the newest sealed hour, and the newest minute rows from there on. So an hour or day
-- bucket sums sixty times fewer rows and the same components: identical results.
CREATE OR REPLACE VIEW cx_survey_rows
COMMENT 'The survey rows a bucket of the grain sums: newest minute rows, or sealed hour rows then minute rows; parameter grain'
AS WITH
    (SELECT max(window_end) FROM cx_survey_window_hour) AS sealed_before,
    lower({grain:String}) IN ('second', 'minute') AS minute_rows
SELECT *
FROM
(
    SELECT * FROM cx_survey_window FINAL
    WHERE minute_rows OR window_start >= sealed_before
    UNION ALL
    SELECT * FROM cx_survey_window_hour FINAL
    WHERE NOT minute_rows AND window_start < sealed_before
);

-- cx_survey_scores(grain = 'minute' | 'hour' | 'day'): the one definition of the survey maths.
-- A parameterised view; the grain is any unit dateTrunc accepts (the named views below pin
-- minute, hour and day), e.g. SELECT * FROM cx_survey_scores(grain = 'hour').
--
-- Rows: one per bucket and grouping set (bucket, channel, segment), (bucket, channel),
-- (bucket, segment), (bucket); a dimension that is rolled up reads 'all'. The components are
-- summed over the newest versions only (cx_survey_rows), then the scores are derived from the
-- sums, so every rollup is exact (never an average of averages).
--
-- Why ARRAY JOIN and not GROUP BY GROUPING SETS: each row is counted under its own channel and
-- under 'all' (and likewise its segment), then grouped by plain keys. The engine pushes a
-- reader's filter (WHERE bucket_start >= … AND channel = 'web') through a plain GROUP BY down to
-- the table's primary key; through GROUPING SETS it pushes nothing once the filter names a
-- rolled-up column (measured: a 6 h minute panel over a week of rows read every row, 5 s, instead
-- of 6 h of rows, 0.1 s).
--
-- Columns:
--   bucket_start                            DateTime('UTC'), start of the minute/hour/day
--   channel, segment                        the value, or 'all' when rolled up
--   csat_total, csat_satisfied, nps_total, nps_promoters, nps_passives, nps_detractors,
--   ces_count, ces_sum, ces_sum_squares     summed components (UInt64)
--   ces_histogram                           summed histogram, element i counts CES score i+1
--   csat_pct                                100 * satisfied / total
--   csat_ci_low, csat_ci_high               Wilson 95 % interval (z = 1.96), in percent
--   nps                                     100 * (promoters - detractors) / total
--   nps_ci_low, nps_ci_high                 nps -/+ 1.96 * sqrt(Var), clipped to [-100, 100],
--                                           Var = 100^2 * (p(1-p) + d(1-d) + 2pd) / n
--   ces_mean                                ces_sum / ces_count (lower is better)
--   ces_ci_low, ces_ci_high                 Student t 95 % interval, mean -/+ t(0.975, n-1) * s / sqrt(n)
-- Derived columns are Nullable(Float64): NULL when their denominator is 0 (and the CES interval
-- with fewer than 2 responses), never NaN or infinity.
--
-- The formulas and their order of operations are those of io.cxpulse.metrics (CsatComponents,
-- Intervals.wilson, NpsComponents, CesComponents), so the values agree with the Java ones to
-- floating-point rounding; SurveyViewsITCase checks it.
--
-- CES interval: Student t like CesComponents, not the normal 1.96 (which understates the
-- uncertainty of the small samples a minute per channel and segment has: t = 2.78 at n = 5);
-- t(0.975, df) is cx_t975 (R__formulas.sql), the CSAT interval cx_wilson_low and _high.
--
-- Why a parameterised view: the grouping and the maths are written once here; the minute, hour
-- and day views are SELECTs from it, which BI tools that cannot pass view parameters
-- still list as ordinary views. (One intermediate view with all grains UNION-ed or ARRAY JOIN-ed
-- would depend on the optimiser to not compute every grain for every query.)
CREATE OR REPLACE VIEW cx_survey_scores
COMMENT 'Survey scores (CSAT, NPS, CES with 95 % intervals) per bucket for every grouping of channel and segment; parameter grain: minute, hour, day'
AS WITH
    -- Intervals.Z_95: the rounded quantile the published NPS formula uses; also Wilson's z.
    1.96 AS z,
    -- NPS: NpsComponents.nps(), variance() and confidenceInterval95().
    toFloat64(nps_total) AS nps_n,
    100. * (toInt64(nps_promoters) - toInt64(nps_detractors)) / nps_n AS nps_value,
    nps_promoters / nps_n AS nps_p,
    nps_detractors / nps_n AS nps_d,
    100. * 100. * (nps_p * (1 - nps_p) + nps_d * (1 - nps_d) + 2 * nps_p * nps_d) / nps_n AS nps_variance,
    z * sqrt(nps_variance) AS nps_half_width,
    -- CES: CesComponents.mean(), sampleVariance() and confidenceInterval95().
    toFloat64(ces_count) AS ces_n,
    ces_sum / ces_n AS ces_mean_value,
    greatest(0., ces_n * ces_sum_squares - toFloat64(ces_sum) * ces_sum) / (ces_n * (ces_n - 1)) AS ces_variance,
    sqrt(ces_variance / ces_n) AS ces_standard_error,
    if(ces_count < 2, 0, ces_count - 1) AS ces_df,
    cx_t975(ces_df) * ces_standard_error AS ces_half_width
SELECT
    bucket_start,
    channel,
    segment,
    csat_total,
    csat_satisfied,
    if(csat_total = 0, NULL, 100. * csat_satisfied / csat_total) AS csat_pct,
    if(csat_total = 0, NULL, 100 * cx_wilson_low(csat_satisfied, csat_total, z)) AS csat_ci_low,
    if(csat_total = 0, NULL, 100 * cx_wilson_high(csat_satisfied, csat_total, z)) AS csat_ci_high,
    nps_total,
    nps_promoters,
    nps_passives,
    nps_detractors,
    if(nps_total = 0, NULL, nps_value) AS nps,
    if(nps_total = 0, NULL, greatest(-100., nps_value - nps_half_width)) AS nps_ci_low,
    if(nps_total = 0, NULL, least(100., nps_value + nps_half_width)) AS nps_ci_high,
    ces_count,
    ces_sum,
    ces_sum_squares,
    ces_histogram,
    if(ces_count = 0, NULL, ces_mean_value) AS ces_mean,
    if(ces_count < 2, NULL, ces_mean_value - ces_half_width) AS ces_ci_low,
    if(ces_count < 2, NULL, ces_mean_value + ces_half_width) AS ces_ci_high
FROM
(
    SELECT
        toDateTime(dateTrunc({grain:String}, w.window_start), 'UTC') AS bucket_start,
        channel,
        segment,
        sum(w.csat_total) AS csat_total,
        sum(w.csat_satisfied) AS csat_satisfied,
        sum(w.nps_total) AS nps_total,
        sum(w.nps_promoters) AS nps_promoters,
        sum(w.nps_passives) AS nps_passives,
        sum(w.nps_detractors) AS nps_detractors,
        sum(w.ces_count) AS ces_count,
        sum(w.ces_sum) AS ces_sum,
        sum(w.ces_sum_squares) AS ces_sum_squares,
        sumForEach(w.ces_histogram) AS ces_histogram
    FROM cx_survey_rows(grain = {grain:String}) AS w
    ARRAY JOIN [w.channel, 'all'] AS channel
    ARRAY JOIN [w.segment, 'all'] AS segment
    GROUP BY bucket_start, channel, segment
);

-- cx_survey_scores_minute, _hour, _day: cx_survey_scores(grain = 'minute' | 'hour' | 'day'), for BI
-- tools that cannot pass view parameters, with is_partial, is_complete and is_final from
-- cx_job_progress for cx_survey_window (see R__job_progress.sql). Their columns are fixed when they
-- are created, which is why the migrator re-creates every view after a changed script.
CREATE OR REPLACE VIEW cx_survey_scores_minute
COMMENT 'Survey scores per minute for every grouping of channel and segment (rolled up reads all), with is_complete, is_final and is_partial; see cx_survey_scores'
AS SELECT
    v.*,
    ifNull(p.run_first_window >= v.bucket_start
        AND p.run_first_window < v.bucket_start + INTERVAL 1 MINUTE, 0) AS is_partial,
    v.bucket_start + INTERVAL 1 MINUTE <= p.complete_before AND NOT is_partial AS is_complete,
    v.bucket_start + INTERVAL 1 MINUTE <= p.final_before AS is_final
FROM cx_survey_scores(grain = 'minute') AS v
CROSS JOIN
(
    SELECT
        max(complete_before) AS complete_before,
        max(final_before) AS final_before,
        argMax(run_first_window, updated_at) AS run_first_window
    FROM cx_job_progress
    WHERE table_name = 'cx_survey_window'
) AS p;

CREATE OR REPLACE VIEW cx_survey_scores_hour
COMMENT 'Survey scores per hour for every grouping of channel and segment (rolled up reads all), with is_complete, is_final and is_partial; see cx_survey_scores'
AS SELECT
    v.*,
    ifNull(p.run_first_window >= v.bucket_start
        AND p.run_first_window < v.bucket_start + INTERVAL 1 HOUR, 0) AS is_partial,
    v.bucket_start + INTERVAL 1 HOUR <= p.complete_before AND NOT is_partial AS is_complete,
    v.bucket_start + INTERVAL 1 HOUR <= p.final_before AS is_final
FROM cx_survey_scores(grain = 'hour') AS v
CROSS JOIN
(
    SELECT
        max(complete_before) AS complete_before,
        max(final_before) AS final_before,
        argMax(run_first_window, updated_at) AS run_first_window
    FROM cx_job_progress
    WHERE table_name = 'cx_survey_window'
) AS p;

CREATE OR REPLACE VIEW cx_survey_scores_day
COMMENT 'Survey scores per UTC day for every grouping of channel and segment (rolled up reads all), with is_complete, is_final and is_partial; see cx_survey_scores'
AS SELECT
    v.*,
    ifNull(p.run_first_window >= v.bucket_start
        AND p.run_first_window < v.bucket_start + INTERVAL 1 DAY, 0) AS is_partial,
    v.bucket_start + INTERVAL 1 DAY <= p.complete_before AND NOT is_partial AS is_complete,
    v.bucket_start + INTERVAL 1 DAY <= p.final_before AS is_final
FROM cx_survey_scores(grain = 'day') AS v
CROSS JOIN
(
    SELECT
        max(complete_before) AS complete_before,
        max(final_before) AS final_before,
        argMax(run_first_window, updated_at) AS run_first_window
    FROM cx_job_progress
    WHERE table_name = 'cx_survey_window'
) AS p;
