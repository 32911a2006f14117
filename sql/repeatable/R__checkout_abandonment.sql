-- The checkout-abandonment views: newest row versions, and abandonment (with checkouts still
-- pending), conversion, value at risk, drop-off per funnel step, failure reasons and time to
-- complete, for any grouping and time grain.
--
-- A repeatable script (see index.txt): edit the views here, in place.

-- cx_checkout_row_counts(started, pending): whether a newest cx_checkout_window row counts: rows
-- whose components are all 0 are left out (every record ever added to them was taken back: a
-- pending checkout decided into another window, or a late first event that moved a checkout to an
-- earlier window). One rule for cx_checkout_rows and the hour rollup (R__hour_rollups.sql).
CREATE OR REPLACE FUNCTION cx_checkout_row_counts AS (started, pending) ->
    started != 0 OR pending != 0;

-- cx_checkout_rows(grain): the rows whose components a bucket of that grain sums, as
-- cx_survey_rows (R__survey_scores.sql): for grain minute the newest minute rows, for hour and
-- coarser the sealed hours of cx_checkout_window_hour, then the newest minute rows; only rows
-- that count (cx_checkout_row_counts; an hour row sums the minute rows that count).
CREATE OR REPLACE VIEW cx_checkout_rows
COMMENT 'The checkout rows a bucket of the grain sums: newest minute rows, or sealed hour rows then minute rows, rows with no checkout left out; parameter grain'
AS WITH
    (SELECT max(window_end) FROM cx_checkout_window_hour) AS sealed_before,
    lower({grain:String}) IN ('second', 'minute') AS minute_rows
SELECT *
FROM
(
    SELECT * FROM cx_checkout_window FINAL
    WHERE minute_rows OR window_start >= sealed_before
    UNION ALL
    SELECT * FROM cx_checkout_window_hour FINAL
    WHERE NOT minute_rows AND window_start < sealed_before
)
WHERE cx_checkout_row_counts(started, pending);

-- cx_checkout_window_latest: cx_checkout_window with only the newest version of each
-- (window_start, channel, segment) row (FINAL for the reasons given for cx_survey_window_latest),
-- without rows whose components are all 0 (see cx_checkout_rows).
CREATE OR REPLACE VIEW cx_checkout_window_latest
COMMENT 'cx_checkout_window, newest version of each (window_start, channel, segment) row only, rows with no checkout left out'
AS SELECT
    window_start,
    window_end,
    channel,
    segment,
    started,
    completed,
    abandoned,
    pending,
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
FROM cx_checkout_rows(grain = 'minute');

-- cx_checkout_abandonment(grain = 'minute' | 'hour' | 'day'): the one definition of the
-- checkout maths, parameterised like cx_survey_scores (R__survey_scores.sql).
--
-- Rows: one per bucket and grouping set (bucket, channel, segment), (bucket, channel),
-- (bucket, segment), (bucket); a dimension that is rolled up reads 'all'. Components are summed
-- (sum, sumMap) over the newest row versions, then everything else is derived from the sums.
-- Groups with started = 0 and pending = 0 are left out: every record ever added to them was taken
-- back (a late first event moved its checkout to an earlier window), so every component is 0 too.
-- A bucket whose checkouts are all still open has a row: pending > 0, started = 0, the rate NULL.
--
-- Columns:
--   bucket_start                          DateTime('UTC'), start of the minute/hour/day
--   channel, segment                      the value, or 'all' when rolled up
--   started, completed, abandoned         summed counts (Int64) of decided checkouts
--   pending                               checkouts started in the bucket not decided yet (Int64);
--                                         not in started, the rate or any other column
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
-- Quantiles: cx_log_histogram_quantile (R__formulas.sql) of the summed histogram, LogHistogram's
-- nearest-rank rule, within 1.98 % of the exact quantile (except in the overflow bucket:
-- checkouts taking 30 days and more, not a real case with a 30-minute inactivity timeout). The
-- interval: cx_wilson_low and _high.
CREATE OR REPLACE VIEW cx_checkout_abandonment
COMMENT 'Checkout abandonment (checkouts still pending, rate over decided checkouts with Wilson 95 % interval, conversion, value at risk, drop-off per step, failure reasons, time to complete) per bucket for every grouping of channel and segment; parameter grain: minute, hour, day'
AS WITH
    -- Intervals.Z_95
    1.96 AS z,
    -- Funnel drop-off.
    ['cart', 'checkout_started', 'shipping', 'payment'] AS funnel_steps,
    mapFromArrays(steps_summed.1, steps_summed.2) AS step_map,
    arrayMap(s -> step_map[s], funnel_steps) AS lost_at_step,
    arrayMap(x -> completed + x, arrayReverse(arrayCumSum(arrayReverse(lost_at_step)))) AS reached_step,
    -- Completion time histogram.
    completion_summed.1 AS completion_buckets,
    completion_summed.2 AS completion_counts,
    arraySum(completion_counts) AS completion_n
SELECT
    bucket_start,
    channel,
    segment,
    started,
    completed,
    abandoned,
    pending,
    if(started = 0, NULL, 100. * abandoned / started) AS abandonment_pct,
    if(started = 0, NULL, 100 * cx_wilson_low(abandoned, started, z)) AS abandonment_ci_low,
    if(started = 0, NULL, 100 * cx_wilson_high(abandoned, started, z)) AS abandonment_ci_high,
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
    if(completion_n = 0, NULL, cx_log_histogram_quantile(completion_buckets, completion_counts, 0.50)) AS completion_time_p50_ms,
    if(completion_n = 0, NULL, cx_log_histogram_quantile(completion_buckets, completion_counts, 0.90)) AS completion_time_p90_ms,
    if(completion_n = 0, NULL, cx_log_histogram_quantile(completion_buckets, completion_counts, 0.95)) AS completion_time_p95_ms,
    completion_buckets AS completion_time_buckets,
    completion_counts AS completion_time_counts
FROM
(
    SELECT
        toDateTime(dateTrunc({grain:String}, w.window_start), 'UTC') AS bucket_start,
        channel,
        segment,
        sum(w.started) AS started,
        sum(w.completed) AS completed,
        sum(w.abandoned) AS abandoned,
        sum(w.pending) AS pending,
        sumMap(w.abandoned_value_currencies, w.abandoned_value_minor) AS value_summed,
        sumMap(w.abandoned_steps, w.abandoned_step_counts) AS steps_summed,
        sumMap(w.abandoned_reasons, w.abandoned_reason_counts) AS reasons_summed,
        sumMap(w.completion_time_buckets, w.completion_time_counts) AS completion_summed,
        sum(w.completion_time_sum_ms) AS completion_time_sum_ms
    FROM cx_checkout_rows(grain = {grain:String}) AS w
    ARRAY JOIN [w.channel, 'all'] AS channel
    ARRAY JOIN [w.segment, 'all'] AS segment
    GROUP BY bucket_start, channel, segment
    HAVING started != 0 OR pending != 0
);

-- cx_checkout_abandonment_minute, _hour, _day: cx_checkout_abandonment(grain = 'minute' | 'hour' |
-- 'day'), for BI tools that cannot pass view parameters, with is_partial, is_complete and is_final
-- from cx_job_progress for cx_checkout_window (see R__job_progress.sql).
CREATE OR REPLACE VIEW cx_checkout_abandonment_minute
COMMENT 'Checkout abandonment per minute for every grouping of channel and segment (rolled up reads all), with pending, is_complete, is_final and is_partial; see cx_checkout_abandonment'
AS SELECT
    v.*,
    ifNull(p.run_first_window >= v.bucket_start
        AND p.run_first_window < v.bucket_start + INTERVAL 1 MINUTE, 0) AS is_partial,
    v.bucket_start + INTERVAL 1 MINUTE <= p.complete_before AND NOT is_partial AS is_complete,
    v.bucket_start + INTERVAL 1 MINUTE <= p.final_before AS is_final
FROM cx_checkout_abandonment(grain = 'minute') AS v
CROSS JOIN
(
    SELECT
        max(complete_before) AS complete_before,
        max(final_before) AS final_before,
        argMax(run_first_window, updated_at) AS run_first_window
    FROM cx_job_progress
    WHERE table_name = 'cx_checkout_window'
) AS p;

CREATE OR REPLACE VIEW cx_checkout_abandonment_hour
COMMENT 'Checkout abandonment per hour for every grouping of channel and segment (rolled up reads all), with pending, is_complete, is_final and is_partial; see cx_checkout_abandonment'
AS SELECT
    v.*,
    ifNull(p.run_first_window >= v.bucket_start
        AND p.run_first_window < v.bucket_start + INTERVAL 1 HOUR, 0) AS is_partial,
    v.bucket_start + INTERVAL 1 HOUR <= p.complete_before AND NOT is_partial AS is_complete,
    v.bucket_start + INTERVAL 1 HOUR <= p.final_before AS is_final
FROM cx_checkout_abandonment(grain = 'hour') AS v
CROSS JOIN
(
    SELECT
        max(complete_before) AS complete_before,
        max(final_before) AS final_before,
        argMax(run_first_window, updated_at) AS run_first_window
    FROM cx_job_progress
    WHERE table_name = 'cx_checkout_window'
) AS p;

CREATE OR REPLACE VIEW cx_checkout_abandonment_day
COMMENT 'Checkout abandonment per UTC day for every grouping of channel and segment (rolled up reads all), with pending, is_complete, is_final and is_partial; see cx_checkout_abandonment'
AS SELECT
    v.*,
    ifNull(p.run_first_window >= v.bucket_start
        AND p.run_first_window < v.bucket_start + INTERVAL 1 DAY, 0) AS is_partial,
    v.bucket_start + INTERVAL 1 DAY <= p.complete_before AND NOT is_partial AS is_complete,
    v.bucket_start + INTERVAL 1 DAY <= p.final_before AS is_final
FROM cx_checkout_abandonment(grain = 'day') AS v
CROSS JOIN
(
    SELECT
        max(complete_before) AS complete_before,
        max(final_before) AS final_before,
        argMax(run_first_window, updated_at) AS run_first_window
    FROM cx_job_progress
    WHERE table_name = 'cx_checkout_window'
) AS p;
