-- The formulas more than one view uses, each defined once as a ClickHouse SQL function.
--
-- A repeatable script (see index.txt): re-applied whenever it changes, so a formula is edited
-- here, in place, and never copied into a new file.
--
-- How SQL functions behave (measured on the embedded engine, chDB 26.5): CREATE VIEW expands every
-- call into the function's body and stores the expanded text (system.tables.create_table_query
-- shows no function name). So a view never needs the function to be read, by any user, and does
-- not change when the function does: the migrator re-creates every view after this script when it
-- changes (it comes first in index.txt). Functions are global to the server, not per database:
-- every database migrated on one server shares them, which is harmless while they are defined by
-- this file alone. They persist in the server's user_defined directory.
--
-- Hygiene: a call is expanded textually, so a lambda inside a body names its parameter with a cx_
-- prefix that no column of ours has (a caller's column x would otherwise be captured by x -> …).

-- cx_wilson_low(successes, trials, z), cx_wilson_high(successes, trials, z): the Wilson score
-- interval of the proportion successes / trials at quantile z, as fractions in [0, 1], in the
-- order of operations of io.cxpulse.metrics.Intervals.wilson (so the values agree with Java to
-- floating-point rounding):
--   p = successes / n, n = toFloat64(trials), denominator = 1 + z^2 / n,
--   centre = (p + z^2 / (2n)) / denominator,
--   half width = z * sqrt(p(1 - p) / n + z^2 / (4 n^2)) / denominator,
--   low = max(0, centre - half width), high = min(1, centre + half width).
-- Undefined (NaN) for trials = 0: callers return NULL there.
CREATE OR REPLACE FUNCTION cx_wilson_low AS (successes, trials, z) ->
    greatest(0.,
        (successes / toFloat64(trials) + z * z / (2 * toFloat64(trials))) / (1 + z * z / toFloat64(trials))
        - z * sqrt(successes / toFloat64(trials) * (1 - successes / toFloat64(trials)) / toFloat64(trials)
            + z * z / (4 * toFloat64(trials) * toFloat64(trials))) / (1 + z * z / toFloat64(trials)));

CREATE OR REPLACE FUNCTION cx_wilson_high AS (successes, trials, z) ->
    least(1.,
        (successes / toFloat64(trials) + z * z / (2 * toFloat64(trials))) / (1 + z * z / toFloat64(trials))
        + z * sqrt(successes / toFloat64(trials) * (1 - successes / toFloat64(trials)) / toFloat64(trials)
            + z * z / (4 * toFloat64(trials) * toFloat64(trials))) / (1 + z * z / toFloat64(trials)));

-- cx_t975(df): the 0.975 quantile of Student's t distribution with df degrees of freedom (a whole
-- number >= 1), for 95 % intervals of means and of differences of means. ClickHouse has no t
-- quantile function, so it comes from
--   * a table for df = 1..100 (exact to about 1e-15, computed with commons-math3), and
--   * above that the Cornish-Fisher expansion in 1/df around the normal quantile
--     z = 1.959963984540054 (Abramowitz & Stegun 26.7.5, four terms), within 1e-10 of the exact
--     quantile for df > 100 (cx_t_cornish_fisher).
-- Java's commons-math solver (CesComponents, ScoreDifferences) is accurate to about 1e-9, so
-- intervals built on it agree with Java to better than 1e-9.
CREATE OR REPLACE FUNCTION cx_t_cornish_fisher AS (df, z) ->
    z
    + (pow(z, 3) + z) / 4 / df
    + (5 * pow(z, 5) + 16 * pow(z, 3) + 3 * z) / 96 / pow(df, 2)
    + (3 * pow(z, 7) + 19 * pow(z, 5) + 17 * pow(z, 3) - 15 * z) / 384 / pow(df, 3)
    + (79 * pow(z, 9) + 776 * pow(z, 7) + 1482 * pow(z, 5) - 1920 * pow(z, 3) - 945 * z) / 92160 / pow(df, 4);

CREATE OR REPLACE FUNCTION cx_t975 AS (df) ->
    if(df <= 100,
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
        ][greatest(df, 1)],
        cx_t_cornish_fisher(df, 1.959963984540054));

-- cx_log_histogram_value(bucket): io.cxpulse.metrics.LogHistogram.representativeValue, in ms: 0 for
-- the zero bucket 0, 1.04^(b - 0.5) (the geometric midpoint of [1.04^(b-1), 1.04^b)) for a
-- regular bucket b in 1..553, 1.04^553 ms for the overflow bucket 554 (about 30.4 days or more).
CREATE OR REPLACE FUNCTION cx_log_histogram_value AS (bucket) ->
    multiIf(bucket = 0, 0., bucket = 554, pow(1.04, 553), pow(1.04, bucket - 0.5));

-- cx_log_histogram_quantile(buckets, counts, q): the q quantile (0 < q <= 1), in ms, of a
-- LogHistogram given as its non-empty bucket indexes (ascending) and their counts, e.g. the
-- sumMap of the window rows' histograms; LogHistogram.quantile's nearest-rank rule: with
-- n = sum(counts), the rank is greatest(1, ceil(q * n)) (q * n in IEEE double in both languages;
-- q <= 1 keeps the rank <= n), the bucket is the first whose cumulative count reaches the rank, and
-- the value is cx_log_histogram_value of it. 0 for an empty histogram: callers return NULL there.
-- Error bound: the exact nearest-rank quantile of the durations lies in the same bucket, so the
-- value is within sqrt(1.04) - 1 = 1.98 % of it (LogHistogram.RELATIVE_ERROR_BOUND), except in the
-- overflow bucket (a lower bound there). pow may differ from Java's Math.pow in the last bit:
-- compare with a relative tolerance.
CREATE OR REPLACE FUNCTION cx_log_histogram_quantile AS (buckets, counts, q) ->
    cx_log_histogram_value(arrayElement(buckets,
        arrayFirstIndex(cx_cumulative -> cx_cumulative >= greatest(1., ceil(q * arraySum(counts))), arrayCumSum(counts))));
