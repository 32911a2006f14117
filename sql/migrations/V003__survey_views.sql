-- V003: the survey views: newest versions, CSAT/NPS/CES scores with 95 % intervals for any
-- grouping and time grain, and dead-letter counts.
--
-- Views are CREATE OR REPLACE rather than IF NOT EXISTS: if this file fails half-way and is
-- fixed before it is recorded as applied, the next run must replace what the failed attempt
-- created, not keep it.

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

-- cx_survey_scores(grain = 'minute' | 'hour' | 'day'): the one definition of the survey maths.
-- A parameterised view; the grain is any unit dateTrunc accepts (the named views below pin
-- minute, hour and day), e.g. SELECT * FROM cx_survey_scores(grain = 'hour').
--
-- Rows: one per bucket and grouping set (bucket, channel, segment), (bucket, channel),
-- (bucket, segment), (bucket); a dimension that is rolled up reads 'all'. The components are
-- summed over the newest versions only (cx_survey_window_latest), then the scores are derived
-- from the sums, so every rollup is exact (never an average of averages).
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
-- uncertainty of the small samples a minute per channel and segment has: t = 2.78 at n = 5).
-- ClickHouse has no t quantile function, so t(0.975, df) comes from
--   * a table for df = 1..100 (exact to about 1e-15, computed with commons-math3), and
--   * above that the Cornish-Fisher expansion in 1/df around the normal quantile
--     z = 1.959963984540054 (Abramowitz & Stegun 26.7.5, four terms), within 1e-10 of the
--     exact quantile for df > 100.
-- CesComponents' commons-math solver is accurate to about 1e-9, so the bounds agree with Java to
-- better than 1e-9.
--
-- Why a parameterised view: the grouping and the maths are written once here; the minute, hour
-- and day views are one-line SELECTs from it, which BI tools that cannot pass view parameters
-- still list as ordinary views. (One intermediate view with all grains UNION-ed or ARRAY JOIN-ed
-- would depend on the optimiser to not compute every grain for every query.)
CREATE OR REPLACE VIEW cx_survey_scores
COMMENT 'Survey scores (CSAT, NPS, CES with 95 % intervals) per bucket for every grouping of channel and segment; parameter grain: minute, hour, day'
AS WITH
    -- Intervals.Z_95: the rounded quantile the published NPS formula uses; also Wilson's z.
    1.96 AS z,
    z * z AS z2,
    -- CSAT: Intervals.wilson(satisfied, total, 1.96), in percent.
    toFloat64(csat_total) AS csat_n,
    csat_satisfied / csat_n AS csat_p,
    1 + z2 / csat_n AS wilson_denominator,
    (csat_p + z2 / (2 * csat_n)) / wilson_denominator AS wilson_centre,
    z * sqrt(csat_p * (1 - csat_p) / csat_n + z2 / (4 * csat_n * csat_n)) / wilson_denominator AS wilson_half_width,
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
    -- t(0.975, df) for df = 1..100.
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
    -- Cornish-Fisher expansion of t(0.975, df) for df > 100 (A&S 26.7.5).
    1.959963984540054 AS z975,
    (pow(z975, 3) + z975) / 4 AS cf_g1,
    (5 * pow(z975, 5) + 16 * pow(z975, 3) + 3 * z975) / 96 AS cf_g2,
    (3 * pow(z975, 7) + 19 * pow(z975, 5) + 17 * pow(z975, 3) - 15 * z975) / 384 AS cf_g3,
    (79 * pow(z975, 9) + 776 * pow(z975, 7) + 1482 * pow(z975, 5) - 1920 * pow(z975, 3) - 945 * z975) / 92160 AS cf_g4,
    if(ces_df <= length(t975_table),
       t975_table[greatest(ces_df, 1)],
       z975 + cf_g1 / ces_df + cf_g2 / pow(ces_df, 2) + cf_g3 / pow(ces_df, 3) + cf_g4 / pow(ces_df, 4)) AS t975,
    t975 * ces_standard_error AS ces_half_width
SELECT
    bucket_start,
    channel,
    segment,
    csat_total,
    csat_satisfied,
    if(csat_total = 0, NULL, 100. * csat_satisfied / csat_total) AS csat_pct,
    if(csat_total = 0, NULL, 100 * greatest(0., wilson_centre - wilson_half_width)) AS csat_ci_low,
    if(csat_total = 0, NULL, 100 * least(1., wilson_centre + wilson_half_width)) AS csat_ci_high,
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
        if(grouping(w.channel) = 1, 'all', w.channel) AS channel,
        if(grouping(w.segment) = 1, 'all', w.segment) AS segment,
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
    FROM cx_survey_window_latest AS w
    GROUP BY GROUPING SETS
    (
        (bucket_start, w.channel, w.segment),
        (bucket_start, w.channel),
        (bucket_start, w.segment),
        (bucket_start)
    )
);

-- cx_survey_scores_minute: cx_survey_scores(grain = 'minute'), for BI tools that cannot pass
-- view parameters. Its columns are fixed when it is created: a migration that changes
-- cx_survey_scores must replace this view (and the hour and day views) too.
CREATE OR REPLACE VIEW cx_survey_scores_minute
COMMENT 'Survey scores per minute for every grouping of channel and segment (rolled up reads all); see cx_survey_scores'
AS SELECT * FROM cx_survey_scores(grain = 'minute');

-- cx_survey_scores_hour: cx_survey_scores(grain = 'hour'); see cx_survey_scores_minute.
CREATE OR REPLACE VIEW cx_survey_scores_hour
COMMENT 'Survey scores per hour for every grouping of channel and segment (rolled up reads all); see cx_survey_scores'
AS SELECT * FROM cx_survey_scores(grain = 'hour');

-- cx_survey_scores_day: cx_survey_scores(grain = 'day'), days in UTC; see cx_survey_scores_minute.
CREATE OR REPLACE VIEW cx_survey_scores_day
COMMENT 'Survey scores per UTC day for every grouping of channel and segment (rolled up reads all); see cx_survey_scores'
AS SELECT * FROM cx_survey_scores(grain = 'day');

-- cx_dead_letter_counts: dead-lettered records per minute (of dead_lettered_at, UTC), source
-- topic and reason. Reads cx_dead_letters FINAL, so a record dead-lettered again by a replay
-- counts once (in the minute of its newest dead-lettering).
--   bucket_start DateTime('UTC'), source_topic, reason, dead_letters UInt64
CREATE OR REPLACE VIEW cx_dead_letter_counts
COMMENT 'Dead-lettered records per minute, source topic and reason (one per Kafka record)'
AS SELECT
    toStartOfMinute(dead_lettered_at) AS bucket_start,
    source_topic,
    reason,
    count() AS dead_letters
FROM cx_dead_letters FINAL
GROUP BY bucket_start, source_topic, reason;
