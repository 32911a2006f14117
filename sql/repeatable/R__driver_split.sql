-- The driver split views: survey scores by the first-response outcome of the ticket they are
-- about (cx_driver_window, written by io.cxpulse.jobs.drivers.DriverSplitJob), SLA met against
-- SLA breached.
--
-- A repeatable script (see index.txt): edit the views here, in place.

-- cx_driver_window_latest: the newest version of each row only (FINAL, as cx_survey_window_latest).
CREATE OR REPLACE VIEW cx_driver_window_latest
COMMENT 'cx_driver_window, newest version of each row only'
AS SELECT * FROM cx_driver_window FINAL;

-- cx_driver_rows(grain): the rows a bucket of that grain sums, as cx_survey_rows
-- (R__survey_scores.sql): for grain minute the newest minute rows, for hour and coarser the sealed
-- hours of cx_driver_window_hour (R__hour_rollups.sql) and then the newest minute rows.
CREATE OR REPLACE VIEW cx_driver_rows
COMMENT 'The driver split rows a bucket of the grain sums: newest minute rows, or sealed hour rows then minute rows; parameter grain'
AS WITH
    (SELECT max(window_end) FROM cx_driver_window_hour) AS sealed_before,
    lower({grain:String}) IN ('second', 'minute') AS minute_rows
SELECT *
FROM
(
    SELECT * FROM cx_driver_window FINAL
    WHERE minute_rows OR window_start >= sealed_before
    UNION ALL
    SELECT * FROM cx_driver_window_hour FINAL
    WHERE NOT minute_rows AND window_start < sealed_before
);

-- cx_driver_rows_between(from_time, to_time): the newest rows of the windows starting in
-- [from_time, to_time): the range's whole hours from cx_driver_rows (sealed hour rows where there
-- are), the minutes before its first and after its last whole hour from the minute rows.
CREATE OR REPLACE VIEW cx_driver_rows_between
COMMENT 'The driver split rows of the windows starting in [from_time, to_time), whole hours from the hour rollup where sealed; parameters from_time, to_time'
AS WITH
    {from_time:DateTime('UTC')} AS range_from,
    {to_time:DateTime('UTC')} AS range_to,
    toStartOfHour(range_from + INTERVAL 3599 SECOND) AS hours_from,
    greatest(hours_from, toStartOfHour(range_to)) AS hours_to
SELECT *
FROM
(
    SELECT * FROM cx_driver_rows(grain = 'hour')
    WHERE window_start >= hours_from AND window_start < hours_to
    UNION ALL
    SELECT * FROM cx_driver_window_latest
    WHERE window_start >= range_from AND window_start < range_to
        AND (window_start < hours_from OR window_start >= hours_to)
);

-- cx_driver_split: does slow support hurt satisfaction? One row per grouping set of
-- (channel, segment, frt_bucket), every combination rolled up or not (a rolled-up dimension reads
-- 'all'), over all windows; filter cx_driver_window_latest yourself for a time range, or use
-- cx_driver_split_between below.
--
-- Columns:
--   channel, segment, frt_bucket                 the value, or 'all'
--   responses                                    all responses of the row (every survey type)
--   csat_pct, nps, ces_mean                      scores of all responses, met and breached together
--   csat_total_met, csat_satisfied_met, csat_total_breached, csat_satisfied_breached,
--   nps_total_met, nps_promoters_met, nps_detractors_met, nps_total_breached,
--   nps_promoters_breached, nps_detractors_breached, ces_count_met, ces_sum_met,
--   ces_sum_squares_met, ces_count_breached, ces_sum_breached, ces_sum_squares_breached
--                                                summed components per SLA outcome
--   csat_met_pct, csat_breached_pct              CSAT % of each side
--   csat_diff, csat_diff_ci_low, csat_diff_ci_high
--       met - breached in percent points; unpooled Wald 95 % interval
--       100 * (p1 - p2) -/+ 1.96 * 100 * sqrt(p1(1-p1)/n1 + p2(1-p2)/n2), clipped to [-100, 100]
--   nps_met, nps_breached, nps_diff, nps_diff_ci_low, nps_diff_ci_high
--       met - breached; nps_diff -/+ 1.96 * sqrt(Var1 + Var2), clipped to [-200, 200],
--       Var = 100^2 * (p(1-p) + d(1-d) + 2pd) / n (DESIGN.md)
--   ces_met_mean, ces_breached_mean, ces_diff, ces_diff_ci_low, ces_diff_ci_high
--       met - breached (negative: met tickets were easier); Welch interval
--       diff -/+ t(0.975, floor(nu)) * sqrt(s1^2/n1 + s2^2/n2), nu the Welch-Satterthwaite degrees
--       of freedom; the point itself when both sample variances are 0
-- Derived columns are Nullable(Float64): NULL when a side lacks data (no response; for CES fewer
-- than 2), never NaN or infinity.
--
-- The formulas and their order of operations are those of io.cxpulse.metrics.ScoreDifferences
-- (and CsatComponents, NpsComponents, CesComponents), so the values agree with Java to
-- floating-point rounding; DriverSplitPipelineITCase checks every row. t(0.975, df) is cx_t975
-- (R__formulas.sql), as in cx_survey_scores.
CREATE OR REPLACE VIEW cx_driver_split_between
COMMENT 'Driver split (CSAT, NPS, CES for SLA met vs breached, difference with 95 % interval) per channel, segment, first-response bucket and rollups, for windows starting in [from_time, to_time); parameters from_time, to_time'
AS WITH
    -- The t quantile of the CES difference, from ces_df: computed here, over the column the
    -- layer below made, because the engine expands a SQL function's argument wherever the function
    -- uses it (cx_t975 six times) and ces_df's formula is long: inline, the view took seconds to plan.
    cx_t975(ces_df) AS t975,
    if(ces_squared_error > 0, t975 * sqrt(ces_squared_error), 0.) AS ces_half_width
SELECT
    channel,
    segment,
    frt_bucket,
    csat_total_met + csat_total_breached + nps_total_met + nps_total_breached + ces_count_met + ces_count_breached AS responses,
    if(csat_n = 0, NULL, 100. * (csat_satisfied_met + csat_satisfied_breached) / csat_n) AS csat_pct,
    if(nps_n = 0, NULL, 100. * ((toInt64(nps_promoters_met) + toInt64(nps_promoters_breached)) - (toInt64(nps_detractors_met) + toInt64(nps_detractors_breached))) / nps_n) AS nps,
    if(ces_n = 0, NULL, (ces_sum_met + ces_sum_breached) / ces_n) AS ces_mean,
    csat_total_met,
    csat_satisfied_met,
    csat_total_breached,
    csat_satisfied_breached,
    if(csat_total_met = 0, NULL, 100. * csat_satisfied_met / csat_total_met) AS csat_met_pct,
    if(csat_total_breached = 0, NULL, 100. * csat_satisfied_breached / csat_total_breached) AS csat_breached_pct,
    if(csat_total_met = 0 OR csat_total_breached = 0, NULL, csat_diff_value) AS csat_diff,
    if(csat_total_met = 0 OR csat_total_breached = 0, NULL, greatest(-100., csat_diff_value - csat_half_width)) AS csat_diff_ci_low,
    if(csat_total_met = 0 OR csat_total_breached = 0, NULL, least(100., csat_diff_value + csat_half_width)) AS csat_diff_ci_high,
    nps_total_met,
    nps_promoters_met,
    nps_detractors_met,
    nps_total_breached,
    nps_promoters_breached,
    nps_detractors_breached,
    if(nps_total_met = 0, NULL, nps_value1) AS nps_met,
    if(nps_total_breached = 0, NULL, nps_value2) AS nps_breached,
    if(nps_total_met = 0 OR nps_total_breached = 0, NULL, nps_diff_value) AS nps_diff,
    if(nps_total_met = 0 OR nps_total_breached = 0, NULL, greatest(-200., nps_diff_value - nps_half_width)) AS nps_diff_ci_low,
    if(nps_total_met = 0 OR nps_total_breached = 0, NULL, least(200., nps_diff_value + nps_half_width)) AS nps_diff_ci_high,
    ces_count_met,
    ces_sum_met,
    ces_sum_squares_met,
    ces_count_breached,
    ces_sum_breached,
    ces_sum_squares_breached,
    if(ces_count_met = 0, NULL, ces_mean1) AS ces_met_mean,
    if(ces_count_breached = 0, NULL, ces_mean2) AS ces_breached_mean,
    if(ces_count_met < 2 OR ces_count_breached < 2, NULL, ces_diff_value) AS ces_diff,
    if(ces_count_met < 2 OR ces_count_breached < 2, NULL, ces_diff_value - ces_half_width) AS ces_diff_ci_low,
    if(ces_count_met < 2 OR ces_count_breached < 2, NULL, ces_diff_value + ces_half_width) AS ces_diff_ci_high
FROM
(
    -- The quantities of each side, as columns (see above).
    WITH
        1.96 AS z,
        -- CSAT per side and the Wald interval of the difference.
        toFloat64(csat_total_met) AS csat_n1,
        toFloat64(csat_total_breached) AS csat_n2,
        csat_satisfied_met / csat_n1 AS csat_p1,
        csat_satisfied_breached / csat_n2 AS csat_p2,
        100 * (csat_p1 - csat_p2) AS csat_diff_value,
        100 * z * sqrt(csat_p1 * (1 - csat_p1) / csat_n1 + csat_p2 * (1 - csat_p2) / csat_n2) AS csat_half_width,
        -- NPS per side (NpsComponents.nps(), variance()) and the difference.
        toFloat64(nps_total_met) AS nps_n1,
        toFloat64(nps_total_breached) AS nps_n2,
        100. * (toInt64(nps_promoters_met) - toInt64(nps_detractors_met)) / nps_n1 AS nps_value1,
        100. * (toInt64(nps_promoters_breached) - toInt64(nps_detractors_breached)) / nps_n2 AS nps_value2,
        nps_promoters_met / nps_n1 AS nps_pp1,
        nps_detractors_met / nps_n1 AS nps_dd1,
        nps_promoters_breached / nps_n2 AS nps_pp2,
        nps_detractors_breached / nps_n2 AS nps_dd2,
        100. * 100. * (nps_pp1 * (1 - nps_pp1) + nps_dd1 * (1 - nps_dd1) + 2 * nps_pp1 * nps_dd1) / nps_n1 AS nps_variance1,
        100. * 100. * (nps_pp2 * (1 - nps_pp2) + nps_dd2 * (1 - nps_dd2) + 2 * nps_pp2 * nps_dd2) / nps_n2 AS nps_variance2,
        nps_value1 - nps_value2 AS nps_diff_value,
        z * sqrt(nps_variance1 + nps_variance2) AS nps_half_width,
        -- CES per side (CesComponents.mean(), sampleVariance()) and Welch.
        toFloat64(ces_count_met) AS ces_n1,
        toFloat64(ces_count_breached) AS ces_n2,
        ces_sum_met / ces_n1 AS ces_mean1,
        ces_sum_breached / ces_n2 AS ces_mean2,
        greatest(0., ces_n1 * ces_sum_squares_met - toFloat64(ces_sum_met) * ces_sum_met) / (ces_n1 * (ces_n1 - 1)) AS ces_variance1,
        greatest(0., ces_n2 * ces_sum_squares_breached - toFloat64(ces_sum_breached) * ces_sum_breached) / (ces_n2 * (ces_n2 - 1)) AS ces_variance2,
        ces_mean1 - ces_mean2 AS ces_diff_value,
        ces_variance1 / ces_n1 AS ces_share1,
        ces_variance2 / ces_n2 AS ces_share2,
        ces_share1 + ces_share2 AS ces_squared_error,
        ces_squared_error * ces_squared_error / (ces_share1 * ces_share1 / (ces_n1 - 1) + ces_share2 * ces_share2 / (ces_n2 - 1)) AS ces_welch_df,
        -- ScoreDifferences.wholeDegreesOfFreedom: floor(nu + 1e-9), at least 1.
        if(ces_squared_error > 0 AND ces_count_met >= 2 AND ces_count_breached >= 2,
           greatest(1, toUInt64(floor(ces_welch_df + 1e-9))), 1) AS ces_df,
        -- Both sides together.
        toFloat64(csat_total_met + csat_total_breached) AS csat_n,
        toFloat64(nps_total_met + nps_total_breached) AS nps_n,
        toFloat64(ces_count_met + ces_count_breached) AS ces_n
    SELECT
        *,
        z,
        csat_n1,
        csat_n2,
        csat_p1,
        csat_p2,
        csat_diff_value,
        csat_half_width,
        nps_n1,
        nps_n2,
        nps_value1,
        nps_value2,
        nps_pp1,
        nps_dd1,
        nps_pp2,
        nps_dd2,
        nps_variance1,
        nps_variance2,
        nps_diff_value,
        nps_half_width,
        ces_n1,
        ces_n2,
        ces_mean1,
        ces_mean2,
        ces_variance1,
        ces_variance2,
        ces_diff_value,
        ces_share1,
        ces_share2,
        ces_squared_error,
        ces_welch_df,
        ces_df,
        csat_n,
        nps_n,
        ces_n
    FROM
    (
        SELECT
            channel,
            segment,
            frt_bucket,
            sumIf(w.csat_total, w.sla_outcome = 'met') AS csat_total_met,
            sumIf(w.csat_satisfied, w.sla_outcome = 'met') AS csat_satisfied_met,
            sumIf(w.csat_total, w.sla_outcome = 'breached') AS csat_total_breached,
            sumIf(w.csat_satisfied, w.sla_outcome = 'breached') AS csat_satisfied_breached,
            sumIf(w.nps_total, w.sla_outcome = 'met') AS nps_total_met,
            sumIf(w.nps_promoters, w.sla_outcome = 'met') AS nps_promoters_met,
            sumIf(w.nps_detractors, w.sla_outcome = 'met') AS nps_detractors_met,
            sumIf(w.nps_total, w.sla_outcome = 'breached') AS nps_total_breached,
            sumIf(w.nps_promoters, w.sla_outcome = 'breached') AS nps_promoters_breached,
            sumIf(w.nps_detractors, w.sla_outcome = 'breached') AS nps_detractors_breached,
            sumIf(w.ces_count, w.sla_outcome = 'met') AS ces_count_met,
            sumIf(w.ces_sum, w.sla_outcome = 'met') AS ces_sum_met,
            sumIf(w.ces_sum_squares, w.sla_outcome = 'met') AS ces_sum_squares_met,
            sumIf(w.ces_count, w.sla_outcome = 'breached') AS ces_count_breached,
            sumIf(w.ces_sum, w.sla_outcome = 'breached') AS ces_sum_breached,
            sumIf(w.ces_sum_squares, w.sla_outcome = 'breached') AS ces_sum_squares_breached
        FROM cx_driver_rows_between(from_time = {from_time:DateTime('UTC')}, to_time = {to_time:DateTime('UTC')}) AS w
        ARRAY JOIN [w.channel, 'all'] AS channel
        ARRAY JOIN [w.segment, 'all'] AS segment
        ARRAY JOIN [w.frt_bucket, 'all'] AS frt_bucket
        GROUP BY channel, segment, frt_bucket
    )
);

-- cx_driver_split: cx_driver_split_between over every window, for BI tools that cannot pass
-- view parameters.
CREATE OR REPLACE VIEW cx_driver_split
COMMENT 'Driver split over all windows (SLA met vs breached: CSAT, NPS, CES and their differences with 95 % intervals) per channel, segment, first-response bucket and rollups; see cx_driver_split_between'
AS SELECT * FROM cx_driver_split_between(from_time = '1970-01-01 00:00:00', to_time = '2106-01-01 00:00:00');
