-- V004: the checkout window table and the checkout-abandonment views.
--
-- Statements are separated by a ';' at the end of a line; each is safe to run again (see V001).

-- cx_checkout_window: one row per (window_start, channel, segment) with the additive
-- checkout-abandonment components of the checkouts that STARTED in that window (DESIGN: a
-- checkout is attributed to the window of its first event), written by the checkout job.
--
-- A checkout's outcome is known only once it completed (order placed) or its inactivity timeout
-- passed, so a row is written again (a higher version) as the outcomes of its checkouts come in,
-- and again when a late event corrects an outcome (retract + add in the job: an abandoned checkout
-- whose order arrives late moves from abandoned to completed). The version is the number of
-- outcome records the row absorbed; ReplacingMergeTree(version) keeps the newest.
--
-- Counts are Int64, not UInt64: the job adds signed records (+1 outcome, -1 retraction). A stored
-- total is never negative, but a signed type shows a broken invariant as a negative number rather
-- than as 18446744073709551615.
--
-- Maps are parallel key and value arrays, keys ascending, no zero values, so that
-- sumMap(keys, values) adds them up in any rollup:
--   abandoned_value_currencies / abandoned_value_minor   abandoned cart value per ISO 4217
--       currency in the currency's minor unit (cents, yen, fils). Never summed across
--       currencies: convert at a rate you trust when reading, not when writing.
--   abandoned_steps / abandoned_step_counts              abandoned checkouts by the highest
--       funnel step reached (cart, checkout_started, shipping, payment; unknown = no known step)
--   abandoned_reasons / abandoned_reason_counts          abandoned checkouts by their last
--       payment-failure reason, only those with a failure
--   completion_time_buckets / completion_time_counts     completed checkouts' time from first
--       event to order, as io.cxpulse.metrics.LogHistogram buckets (gamma 1.04, base 1 ms,
--       0 = zero bucket, 1..553 regular, 554 = overflow at about 30.4 days); sparse
CREATE TABLE IF NOT EXISTS cx_checkout_window
(
    window_start               DateTime('UTC') COMMENT 'start of the window the checkouts started in',
    window_end                 DateTime('UTC'),
    channel                    LowCardinality(String) COMMENT 'lower-case channel of the first event',
    segment                    LowCardinality(String) COMMENT 'customer segment of the first event',
    started                    Int64 COMMENT 'checkouts started in the window whose outcome is known',
    completed                  Int64 COMMENT 'of those, an order was placed',
    abandoned                  Int64 COMMENT 'of those, no order within the inactivity timeout',
    abandoned_value_currencies Array(String) COMMENT 'currencies of abandoned_value_minor, ascending',
    abandoned_value_minor      Array(Int64) COMMENT 'abandoned cart value per currency, minor units',
    abandoned_steps            Array(String) COMMENT 'highest funnel step reached, ascending',
    abandoned_step_counts      Array(Int64) COMMENT 'abandoned checkouts per step',
    abandoned_reasons          Array(String) COMMENT 'last payment-failure reason, ascending',
    abandoned_reason_counts    Array(Int64) COMMENT 'abandoned checkouts per reason',
    completion_time_buckets    Array(UInt16) COMMENT 'LogHistogram bucket indexes, ascending',
    completion_time_counts     Array(Int64) COMMENT 'completed checkouts per bucket',
    completion_time_sum_ms     Int64 COMMENT 'exact sum of completion times, ms',
    version                    UInt64 COMMENT 'outcome records absorbed; the highest wins'
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(window_start)
ORDER BY (window_start, channel, segment)
COMMENT 'Additive checkout-abandonment components per window of checkout start, channel and segment; read cx_checkout_window_latest or the cx_checkout_abandonment_* views';

-- cx_checkout_window_latest: cx_checkout_window with only the newest version of each
-- (window_start, channel, segment) row; FINAL for the reasons given in V003.
CREATE OR REPLACE VIEW cx_checkout_window_latest
COMMENT 'cx_checkout_window, newest version of each (window_start, channel, segment) row only'
AS SELECT
    window_start,
    window_end,
    channel,
    segment,
    started,
    completed,
    abandoned,
    abandoned_value_currencies,
    abandoned_value_minor,
    abandoned_steps,
    abandoned_step_counts,
    abandoned_reasons,
    abandoned_reason_counts,
    completion_time_buckets,
    completion_time_counts,
    completion_time_sum_ms,
    version
FROM cx_checkout_window FINAL;

-- cx_checkout_abandonment(grain = 'minute' | 'hour' | 'day'): the one definition of the
-- checkout maths, parameterised like cx_survey_scores (V003).
--
-- Rows: one per bucket and grouping set (bucket, channel, segment), (bucket, channel),
-- (bucket, segment), (bucket); a dimension that is rolled up reads 'all'. Components are summed
-- (sum, sumMap) over the newest row versions, then everything else is derived from the sums.
-- Groups with started = 0 are left out: every outcome ever added to them was taken back (a late
-- first event moved its checkout to an earlier window), so every component is 0 too.
--
-- Columns:
--   bucket_start                          DateTime('UTC'), start of the minute/hour/day
--   channel, segment                      the value, or 'all' when rolled up
--   started, completed, abandoned         summed counts (Int64)
--   abandonment_pct                       100 * abandoned / started
--   abandonment_ci_low, _ci_high          Wilson 95 % interval (z = 1.96), in percent
--   conversion_pct                        100 * completed / started
--   value_at_risk_minor                   Map(String, Int64): abandoned cart value per currency,
--                                         minor units (never summed across currencies)
--   abandoned_by_step                     Map(String, Int64): abandoned checkouts by the highest
--                                         funnel step reached
--   drop_off_pct                          Map(String, Float64), per funnel step s of cart,
--                                         checkout_started, shipping, payment: 100 * abandoned at
--                                         s / checkouts that reached s, where reached(s) =
--                                         completed + abandoned at s or a later step (a completed
--                                         checkout reached every step); steps nobody reached
--                                         are left out; abandoned with step unknown are in no step
--   abandoned_by_reason                   Map(String, Int64): abandoned checkouts by their last
--                                         payment-failure reason (only those with a failure)
--   completion_time_count                 completed checkouts in the histogram (= completed)
--   completion_time_sum_ms                exact sum of completion times, ms (Int64)
--   completion_time_mean_ms               completion_time_sum_ms / completed
--   completion_time_p50_ms, _p90_ms,      completion time quantiles from the summed histogram,
--   _p95_ms                               ms (see below)
--   completion_time_buckets, _counts      the summed histogram (Array(UInt16), Array(Int64))
-- Derived Float64 columns are Nullable: NULL when their denominator is 0, never NaN.
--
-- The formulas are those of io.cxpulse.metrics (AbandonmentComponents, Intervals.wilson,
-- LogHistogram) in the same order of operations; CheckoutViewsITCase checks them.
--
-- Quantiles, LogHistogram's nearest-rank rule: with (k, c) = sumMap(buckets, counts) (keys
-- ascending) and n = arraySum(c), the bucket of quantile q is
--   b = k[arrayFirstIndex(x -> x >= greatest(1., ceil(q * n)), arrayCumSum(c))]
-- and the value is LogHistogram.representativeValue(b): 0 for the zero bucket, 1.04^(b - 0.5)
-- ms (the geometric midpoint of [1.04^(b-1), 1.04^b)) for a regular bucket, 1.04^553 ms for the
-- overflow bucket. The estimate lies in the same bucket as the exact nearest-rank quantile of the
-- completion times, so it is within sqrt(1.04) - 1 = 1.98 % of it (relative), except in the
-- overflow bucket (checkouts taking 30 days and more: not a real case with a 30-minute
-- inactivity timeout). pow here and Math.pow in Java may differ in the last bit.
CREATE OR REPLACE VIEW cx_checkout_abandonment
COMMENT 'Checkout abandonment (rate with Wilson 95 % interval, conversion, value at risk, drop-off per step, failure reasons, time to complete) per bucket for every grouping of channel and segment; parameter grain: minute, hour, day'
AS WITH
    -- Intervals.Z_95
    1.96 AS z,
    z * z AS z2,
    -- AbandonmentComponents.abandonmentInterval95(): Intervals.wilson(abandoned, started, z).
    toFloat64(started) AS n,
    abandoned / n AS p,
    1 + z2 / n AS wilson_denominator,
    (p + z2 / (2 * n)) / wilson_denominator AS wilson_centre,
    z * sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / wilson_denominator AS wilson_half_width,
    -- Funnel drop-off.
    ['cart', 'checkout_started', 'shipping', 'payment'] AS funnel_steps,
    mapFromArrays(steps_summed.1, steps_summed.2) AS step_map,
    arrayMap(s -> step_map[s], funnel_steps) AS lost_at_step,
    arrayMap(x -> completed + x, arrayReverse(arrayCumSum(arrayReverse(lost_at_step)))) AS reached_step,
    -- Completion time histogram.
    completion_summed.1 AS completion_buckets,
    completion_summed.2 AS completion_counts,
    arraySum(completion_counts) AS completion_n,
    arrayCumSum(completion_counts) AS completion_cumulative,
    completion_buckets[arrayFirstIndex(x -> x >= greatest(1., ceil(0.50 * completion_n)), completion_cumulative)] AS b50,
    completion_buckets[arrayFirstIndex(x -> x >= greatest(1., ceil(0.90 * completion_n)), completion_cumulative)] AS b90,
    completion_buckets[arrayFirstIndex(x -> x >= greatest(1., ceil(0.95 * completion_n)), completion_cumulative)] AS b95
SELECT
    bucket_start,
    channel,
    segment,
    started,
    completed,
    abandoned,
    if(started = 0, NULL, 100. * abandoned / started) AS abandonment_pct,
    if(started = 0, NULL, 100 * greatest(0., wilson_centre - wilson_half_width)) AS abandonment_ci_low,
    if(started = 0, NULL, 100 * least(1., wilson_centre + wilson_half_width)) AS abandonment_ci_high,
    if(started = 0, NULL, 100. * completed / started) AS conversion_pct,
    mapFromArrays(value_summed.1, value_summed.2) AS value_at_risk_minor,
    step_map AS abandoned_by_step,
    mapFromArrays(
        arrayFilter((s, r) -> r > 0, funnel_steps, reached_step),
        arrayFilter((d, r) -> r > 0, arrayMap((l, r) -> 100. * l / r, lost_at_step, reached_step), reached_step)) AS drop_off_pct,
    mapFromArrays(reasons_summed.1, reasons_summed.2) AS abandoned_by_reason,
    completion_n AS completion_time_count,
    completion_time_sum_ms,
    if(completion_n = 0, NULL, completion_time_sum_ms / completion_n) AS completion_time_mean_ms,
    if(completion_n = 0, NULL, multiIf(b50 = 0, 0., b50 = 554, pow(1.04, 553), pow(1.04, b50 - 0.5))) AS completion_time_p50_ms,
    if(completion_n = 0, NULL, multiIf(b90 = 0, 0., b90 = 554, pow(1.04, 553), pow(1.04, b90 - 0.5))) AS completion_time_p90_ms,
    if(completion_n = 0, NULL, multiIf(b95 = 0, 0., b95 = 554, pow(1.04, 553), pow(1.04, b95 - 0.5))) AS completion_time_p95_ms,
    completion_buckets AS completion_time_buckets,
    completion_counts AS completion_time_counts
FROM
(
    SELECT
        toDateTime(dateTrunc({grain:String}, w.window_start), 'UTC') AS bucket_start,
        if(grouping(w.channel) = 1, 'all', w.channel) AS channel,
        if(grouping(w.segment) = 1, 'all', w.segment) AS segment,
        sum(w.started) AS started,
        sum(w.completed) AS completed,
        sum(w.abandoned) AS abandoned,
        sumMap(w.abandoned_value_currencies, w.abandoned_value_minor) AS value_summed,
        sumMap(w.abandoned_steps, w.abandoned_step_counts) AS steps_summed,
        sumMap(w.abandoned_reasons, w.abandoned_reason_counts) AS reasons_summed,
        sumMap(w.completion_time_buckets, w.completion_time_counts) AS completion_summed,
        sum(w.completion_time_sum_ms) AS completion_time_sum_ms
    FROM cx_checkout_window_latest AS w
    GROUP BY GROUPING SETS
    (
        (bucket_start, w.channel, w.segment),
        (bucket_start, w.channel),
        (bucket_start, w.segment),
        (bucket_start)
    )
    HAVING started != 0
);

-- cx_checkout_abandonment_minute: cx_checkout_abandonment(grain = 'minute'), for BI tools that
-- cannot pass view parameters. Its columns are fixed when it is created: a migration that
-- changes cx_checkout_abandonment must replace this view (and the hour and day views) too.
CREATE OR REPLACE VIEW cx_checkout_abandonment_minute
COMMENT 'Checkout abandonment per minute of checkout start for every grouping of channel and segment (rolled up reads all); see cx_checkout_abandonment'
AS SELECT * FROM cx_checkout_abandonment(grain = 'minute');

-- cx_checkout_abandonment_hour: cx_checkout_abandonment(grain = 'hour').
CREATE OR REPLACE VIEW cx_checkout_abandonment_hour
COMMENT 'Checkout abandonment per hour of checkout start for every grouping of channel and segment (rolled up reads all); see cx_checkout_abandonment'
AS SELECT * FROM cx_checkout_abandonment(grain = 'hour');

-- cx_checkout_abandonment_day: cx_checkout_abandonment(grain = 'day'), days in UTC.
CREATE OR REPLACE VIEW cx_checkout_abandonment_day
COMMENT 'Checkout abandonment per UTC day of checkout start for every grouping of channel and segment (rolled up reads all); see cx_checkout_abandonment'
AS SELECT * FROM cx_checkout_abandonment(grain = 'day');
