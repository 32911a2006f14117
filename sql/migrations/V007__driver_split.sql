-- V007: the driver split: survey scores by the first-response outcome of the ticket they are
-- about (written by io.cxpulse.jobs.drivers.DriverSplitJob), and the view comparing SLA met with
-- SLA breached.
--
-- Statements are separated by a ';' at the end of a line and are safe to run again.

-- cx_driver_window: one row per (window_start, channel, segment, sla_outcome, frt_bucket) with the
-- additive CSAT, NPS and CES components of the survey responses about a ticket whose first
-- response had that outcome. The window is that of the survey's event time; channel and segment
-- are the survey's. Versioned like cx_survey_window (version = responses absorbed).
CREATE TABLE IF NOT EXISTS cx_driver_window
(
    window_start    DateTime('UTC'),
    window_end      DateTime('UTC'),
    channel         LowCardinality(String) COMMENT 'lower-case channel of the survey, e.g. chat',
    segment         LowCardinality(String) COMMENT 'customer segment of the survey',
    sla_outcome     LowCardinality(String) COMMENT 'met or breached: the ticket''s first-response SLA',
    frt_bucket      LowCardinality(String) COMMENT 'first-response time: lt_5m, 5m_30m, 30m_2h, 2h_8h, ge_8h, no_reply',
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
ORDER BY (window_start, channel, segment, sla_outcome, frt_bucket)
COMMENT 'Survey components by the SLA outcome and first-response bucket of the ticket they are about; read cx_driver_split';

-- cx_driver_window_latest: the newest version of each row only (FINAL, as cx_survey_window_latest).
CREATE OR REPLACE VIEW cx_driver_window_latest
COMMENT 'cx_driver_window, newest version of each row only'
AS SELECT * FROM cx_driver_window FINAL;

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
-- floating-point rounding; DriverSplitPipelineITCase checks every row. t(0.975, df) is read like in
-- cx_survey_scores (V003): a table for df = 1..100, the Cornish-Fisher expansion above.
CREATE OR REPLACE VIEW cx_driver_split_between
COMMENT 'Driver split (CSAT, NPS, CES for SLA met vs breached, difference with 95 % interval) per channel, segment, first-response bucket and rollups, for windows starting in [from_time, to_time); parameters from_time, to_time'
AS WITH
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
    [
        12.706204736174746, 4.302652729749463, 3.1824463052837073, 2.7764451051977943, 2.5705818356362946,
        2.446911851144955, 2.3646242515927782, 2.3060041352041565, 2.262157162798193, 2.228138851986257,
        2.2009851600916184, 2.1788128296672045, 2.160368656462809, 2.1447866879178186, 2.131449545559789,
        2.119905299221265, 2.1098155778333254, 2.1009220402410467, 2.0930240544083145, 2.08596344726587,
        2.079613844727686, 2.0738730679040294, 2.0686576104190486, 2.063898561628026, 2.0595385527533003,
        2.0555294386428744, 2.051830516480284, 2.048407141795248, 2.045229642132707, 2.042272456301238,
        2.0395134463964073, 2.0369333434600985, 2.0345152974493397, 2.0322445093177173, 2.030107928250344,
        2.0280940009804502, 2.0261924630291057, 2.0243941639119707, 2.0226909200367595, 2.0210753903062706,
        2.0195409704413736, 2.018081702818437, 2.016692199227819, 2.015367574443758, 2.0141033888808457,
        2.0128955989194277, 2.0117405137297637, 2.010634757624228, 2.0095752371292344, 2.0085591121007544,
        2.0075837703158292, 2.0066468050616875, 2.005745995317868, 2.0048792881880555, 2.0040447832891393,
        2.003240718847866, 2.0024654592910003, 2.001717484145229, 2.0009953780882594, 2.000297822014252,
        1.9996235849949362, 1.9989715170333742, 1.998340542520737, 1.9977296543176892, 1.9971379083919978,
        1.996564418952308, 1.9960083540252895, 1.9954689314298337, 1.9949454151072241, 1.9944371117711757,
        1.9939433678456153, 1.9934635666618663, 1.9929971258898493, 1.9925434951809275, 1.9921021540022368,
        1.9916726096446586, 1.9912543953883797, 1.9908470688116804, 1.9904502102301198, 1.9900634212544395,
        1.9896863234568924, 1.989318557136561, 1.9889597801751517, 1.9886096669756976, 1.9882679074772132,
        1.9879342062390153, 1.9876082815890663, 1.9872898648311619, 1.9869786995062724, 1.986674540703758,
        1.9863771544186066, 1.9860863169511238, 1.985801814345815, 1.9855234418665955, 1.9852510035054838,
        1.984984311522443, 1.984723186013972, 1.9844674545084655, 1.984216951586402, 1.9839715185235476
    ] AS t975_table,
    1.959963984540054 AS z975,
    (pow(z975, 3) + z975) / 4 AS cf_g1,
    (5 * pow(z975, 5) + 16 * pow(z975, 3) + 3 * z975) / 96 AS cf_g2,
    (3 * pow(z975, 7) + 19 * pow(z975, 5) + 17 * pow(z975, 3) - 15 * z975) / 384 AS cf_g3,
    (79 * pow(z975, 9) + 776 * pow(z975, 7) + 1482 * pow(z975, 5) - 1920 * pow(z975, 3) - 945 * z975) / 92160 AS cf_g4,
    if(ces_df <= length(t975_table),
       t975_table[ces_df],
       z975 + cf_g1 / ces_df + cf_g2 / pow(ces_df, 2) + cf_g3 / pow(ces_df, 3) + cf_g4 / pow(ces_df, 4)) AS t975,
    if(ces_squared_error > 0, t975 * sqrt(ces_squared_error), 0.) AS ces_half_width,
    -- Both sides together.
    toFloat64(csat_total_met + csat_total_breached) AS csat_n,
    toFloat64(nps_total_met + nps_total_breached) AS nps_n,
    toFloat64(ces_count_met + ces_count_breached) AS ces_n
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
    SELECT
        if(grouping(w.channel) = 1, 'all', w.channel) AS channel,
        if(grouping(w.segment) = 1, 'all', w.segment) AS segment,
        if(grouping(w.frt_bucket) = 1, 'all', w.frt_bucket) AS frt_bucket,
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
    FROM cx_driver_window_latest AS w
    WHERE w.window_start >= {from_time:DateTime('UTC')} AND w.window_start < {to_time:DateTime('UTC')}
    GROUP BY GROUPING SETS
    (
        (w.channel, w.segment, w.frt_bucket),
        (w.channel, w.segment),
        (w.channel, w.frt_bucket),
        (w.segment, w.frt_bucket),
        (w.channel),
        (w.segment),
        (w.frt_bucket),
        ()
    )
    -- The empty grouping set gives a row even over no windows at all; a range without data has none.
    HAVING count() > 0
);

-- cx_driver_split: cx_driver_split_between over every window, for BI tools that cannot pass
-- view parameters.
CREATE OR REPLACE VIEW cx_driver_split
COMMENT 'Driver split over all windows (SLA met vs breached: CSAT, NPS, CES and their differences with 95 % intervals) per channel, segment, first-response bucket and rollups; see cx_driver_split_between'
AS SELECT * FROM cx_driver_split_between(from_time = '1970-01-01 00:00:00', to_time = '2106-01-01 00:00:00');
