-- The support ticket views: newest row versions, and response and resolution times (averages
-- and p50/p90/p95), SLA met / breached with the breach rate and its 95 % interval, for any
-- grouping and time grain. The open backlog is in R__ticket_backlog.sql.
--
-- A repeatable script (see index.txt): edit the views here, in place.

-- cx_ticket_row_counts(…): whether a newest cx_ticket_window row counts: not when its
-- components are all 0. The ticket job adds signed facts: a late event that moves a fact to
-- another window (an earlier OPENED, a reply that overtook the deadline) takes it back from its
-- first window, which is then written again with every component 0. Such a row says nothing
-- happened there, so it is left out here, where every ticket view reads, by the rule the checkout
-- views already follow (a bucket with no fact has no row). The counts are never negative and
-- every sum of times or histogram count belongs to one of them, so a row is empty exactly when all
-- of them are 0. One rule for cx_ticket_rows and the hour rollup (R__hour_rollups.sql).
CREATE OR REPLACE FUNCTION cx_ticket_row_counts AS
    (tickets_opened, tickets_reopened, first_responses, sla_met, sla_breached,
        sla_breached_unanswered, resolved, backlog_delta) ->
    tickets_opened != 0
        OR tickets_reopened != 0
        OR first_responses != 0
        OR sla_met != 0
        OR sla_breached != 0
        OR sla_breached_unanswered != 0
        OR resolved != 0
        OR backlog_delta != 0;

-- cx_ticket_rows(grain): the rows whose components a bucket of that grain sums, as cx_survey_rows
-- (R__survey_scores.sql): for grain minute the newest versions of each
-- (window_start, channel, segment, priority) row (FINAL for the reasons given for
-- cx_survey_window_latest: exactly the table's own replacing rule), for hour and coarser the
-- sealed hours of cx_ticket_window_hour and then the newest minute rows; only rows that count
-- (cx_ticket_row_counts; an hour row sums the minute rows that count).
CREATE OR REPLACE VIEW cx_ticket_rows
COMMENT 'The ticket rows a bucket of the grain sums: newest minute rows, or sealed hour rows then minute rows, rows without facts left out; parameter grain'
AS WITH
    (SELECT max(window_end) FROM cx_ticket_window_hour) AS sealed_before,
    lower({grain:String}) IN ('second', 'minute') AS minute_rows
SELECT *
FROM
(
    SELECT * FROM cx_ticket_window FINAL
    WHERE minute_rows OR window_start >= sealed_before
    UNION ALL
    SELECT * FROM cx_ticket_window_hour FINAL
    WHERE NOT minute_rows AND window_start < sealed_before
)
WHERE cx_ticket_row_counts(tickets_opened, tickets_reopened, first_responses, sla_met,
    sla_breached, sla_breached_unanswered, resolved, backlog_delta);

-- cx_ticket_window_latest: the newest minute rows of cx_ticket_rows.
CREATE OR REPLACE VIEW cx_ticket_window_latest
COMMENT 'cx_ticket_window, newest version of each (window_start, channel, segment, priority) row only, rows with no fact left out'
AS SELECT
    window_start,
    window_end,
    channel,
    segment,
    priority,
    tickets_opened,
    tickets_reopened,
    first_responses,
    first_response_sum_ms,
    first_response_buckets,
    first_response_counts,
    sla_met,
    sla_breached,
    sla_breached_unanswered,
    resolved,
    resolution_sum_ms,
    resolution_buckets,
    resolution_counts,
    backlog_delta,
    awaiting_first_response_delta,
    version
FROM cx_ticket_rows(grain = 'minute');

-- cx_ticket_response_times(grain = 'minute' | 'hour' | 'day'): the one definition of the support
-- maths. A parameterised view like cx_survey_scores; the grain is any unit dateTrunc accepts.
--
-- Rows: one per bucket and grouping set of (channel, segment, priority): all eight, from the full
-- key down to (bucket) alone; a dimension that is rolled up reads 'all'. Components are summed over
-- the newest row versions, histograms merged bucket by bucket with sumMap, and every rate and
-- percentile is derived from the sums, so any rollup is exact (never an average of averages).
--
-- Columns:
--   bucket_start                      DateTime('UTC'), start of the minute/hour/day
--   channel, segment, priority        the value, or 'all' when rolled up
--   tickets_opened, tickets_reopened  summed (Int64)
--   first_responses                   summed; equals the merged first-response histogram's count
--   first_response_sum_ms             summed, exact
--   first_response_avg_ms             first_response_sum_ms / first_responses
--   first_response_p50_ms, _p90_ms, _p95_ms
--                                     quantiles of the merged histogram (rule below)
--   first_response_buckets, first_response_counts
--                                     the merged histogram (non-empty buckets, ascending), for
--                                     any other quantile
--   sla_met, sla_breached, sla_breached_unanswered
--                                     summed
--   breach_rate_pct                   100 * sla_breached / (sla_met + sla_breached)
--   breach_rate_ci_low, _ci_high      Wilson 95 % interval (z = 1.96) of that rate, in percent,
--                                     as io.cxpulse.metrics.Intervals.wilson
--   resolved, resolution_sum_ms, resolution_avg_ms, resolution_p50_ms, _p90_ms, _p95_ms,
--   resolution_buckets, resolution_counts
--                                     the same for resolution times (episode start to resolved)
--   backlog_delta                     summed: episodes opened minus resolved in the bucket
-- Derived columns are Nullable(Float64): NULL when their denominator is 0, never NaN.
--
-- Quantiles: cx_log_histogram_quantile (R__formulas.sql) of the merged histogram,
-- io.cxpulse.metrics.LogHistogram.quantile's nearest-rank rule, within sqrt(1.04) - 1 = 1.98 % of
-- the exact quantile (LogHistogram.RELATIVE_ERROR_BOUND); bucket 0 holds only 0 ms and is exact,
-- bucket 554 (30.4 days or more) reports 1.04^553 ms, a lower bound. pow may differ from Java's
-- Math.pow in the last bit: compare with a relative tolerance. The interval: cx_wilson_low and
-- _high.
CREATE OR REPLACE VIEW cx_ticket_response_times
COMMENT 'Support response and resolution times (average, p50/p90/p95), SLA met/breached and breach rate with 95 % interval per bucket for every grouping of channel, segment and priority; parameter grain: minute, hour, day'
AS WITH
    -- Intervals.Z_95, as for CSAT in cx_survey_scores.
    1.96 AS z,
    -- Breach rate: Intervals.wilson(sla_breached, sla_met + sla_breached, 1.96).
    toFloat64(sla_met + sla_breached) AS sla_n,
    first_response_histogram.1 AS frt_keys,
    first_response_histogram.2 AS frt_counts,
    arraySum(frt_counts) AS frt_n,
    resolution_histogram.1 AS res_keys,
    resolution_histogram.2 AS res_counts,
    arraySum(res_counts) AS res_n
SELECT
    bucket_start,
    channel,
    segment,
    priority,
    tickets_opened,
    tickets_reopened,
    first_responses,
    first_response_sum_ms,
    if(first_responses = 0, NULL, first_response_sum_ms / first_responses) AS first_response_avg_ms,
    if(frt_n = 0, NULL, cx_log_histogram_quantile(frt_keys, frt_counts, 0.5)) AS first_response_p50_ms,
    if(frt_n = 0, NULL, cx_log_histogram_quantile(frt_keys, frt_counts, 0.9)) AS first_response_p90_ms,
    if(frt_n = 0, NULL, cx_log_histogram_quantile(frt_keys, frt_counts, 0.95)) AS first_response_p95_ms,
    frt_keys AS first_response_buckets,
    frt_counts AS first_response_counts,
    sla_met,
    sla_breached,
    sla_breached_unanswered,
    if(sla_n = 0, NULL, 100. * sla_breached / sla_n) AS breach_rate_pct,
    if(sla_n = 0, NULL, 100 * cx_wilson_low(sla_breached, sla_met + sla_breached, z)) AS breach_rate_ci_low,
    if(sla_n = 0, NULL, 100 * cx_wilson_high(sla_breached, sla_met + sla_breached, z)) AS breach_rate_ci_high,
    resolved,
    resolution_sum_ms,
    if(resolved = 0, NULL, resolution_sum_ms / resolved) AS resolution_avg_ms,
    if(res_n = 0, NULL, cx_log_histogram_quantile(res_keys, res_counts, 0.5)) AS resolution_p50_ms,
    if(res_n = 0, NULL, cx_log_histogram_quantile(res_keys, res_counts, 0.9)) AS resolution_p90_ms,
    if(res_n = 0, NULL, cx_log_histogram_quantile(res_keys, res_counts, 0.95)) AS resolution_p95_ms,
    res_keys AS resolution_buckets,
    res_counts AS resolution_counts,
    backlog_delta
FROM
(
    SELECT
        toDateTime(dateTrunc({grain:String}, w.window_start), 'UTC') AS bucket_start,
        channel,
        segment,
        priority,
        sum(w.tickets_opened) AS tickets_opened,
        sum(w.tickets_reopened) AS tickets_reopened,
        sum(w.first_responses) AS first_responses,
        sum(w.first_response_sum_ms) AS first_response_sum_ms,
        sumMap(w.first_response_buckets, w.first_response_counts) AS first_response_histogram,
        sum(w.sla_met) AS sla_met,
        sum(w.sla_breached) AS sla_breached,
        sum(w.sla_breached_unanswered) AS sla_breached_unanswered,
        sum(w.resolved) AS resolved,
        sum(w.resolution_sum_ms) AS resolution_sum_ms,
        sumMap(w.resolution_buckets, w.resolution_counts) AS resolution_histogram,
        sum(w.backlog_delta) AS backlog_delta
    FROM cx_ticket_rows(grain = {grain:String}) AS w
    ARRAY JOIN [w.channel, 'all'] AS channel
    ARRAY JOIN [w.segment, 'all'] AS segment
    ARRAY JOIN [w.priority, 'all'] AS priority
    GROUP BY bucket_start, channel, segment, priority
);

-- cx_ticket_response_times_minute, _hour, _day: cx_ticket_response_times(grain = 'minute' |
-- 'hour' | 'day'), for BI tools that cannot pass view parameters, with is_partial, is_complete and
-- is_final from cx_job_progress for cx_ticket_window (see R__job_progress.sql).
CREATE OR REPLACE VIEW cx_ticket_response_times_minute
COMMENT 'Support response times and SLA per minute for every grouping of channel, segment and priority (rolled up reads all), with is_complete, is_final and is_partial; see cx_ticket_response_times'
AS SELECT
    v.*,
    ifNull(p.run_first_window >= v.bucket_start
        AND p.run_first_window < v.bucket_start + INTERVAL 1 MINUTE, 0) AS is_partial,
    v.bucket_start + INTERVAL 1 MINUTE <= p.complete_before AND NOT is_partial AS is_complete,
    v.bucket_start + INTERVAL 1 MINUTE <= p.final_before AS is_final
FROM cx_ticket_response_times(grain = 'minute') AS v
CROSS JOIN
(
    SELECT
        max(complete_before) AS complete_before,
        max(final_before) AS final_before,
        argMax(run_first_window, updated_at) AS run_first_window
    FROM cx_job_progress
    WHERE table_name = 'cx_ticket_window'
) AS p;

CREATE OR REPLACE VIEW cx_ticket_response_times_hour
COMMENT 'Support response times and SLA per hour for every grouping of channel, segment and priority (rolled up reads all), with is_complete, is_final and is_partial; see cx_ticket_response_times'
AS SELECT
    v.*,
    ifNull(p.run_first_window >= v.bucket_start
        AND p.run_first_window < v.bucket_start + INTERVAL 1 HOUR, 0) AS is_partial,
    v.bucket_start + INTERVAL 1 HOUR <= p.complete_before AND NOT is_partial AS is_complete,
    v.bucket_start + INTERVAL 1 HOUR <= p.final_before AS is_final
FROM cx_ticket_response_times(grain = 'hour') AS v
CROSS JOIN
(
    SELECT
        max(complete_before) AS complete_before,
        max(final_before) AS final_before,
        argMax(run_first_window, updated_at) AS run_first_window
    FROM cx_job_progress
    WHERE table_name = 'cx_ticket_window'
) AS p;

CREATE OR REPLACE VIEW cx_ticket_response_times_day
COMMENT 'Support response times and SLA per UTC day for every grouping of channel, segment and priority (rolled up reads all), with is_complete, is_final and is_partial; see cx_ticket_response_times'
AS SELECT
    v.*,
    ifNull(p.run_first_window >= v.bucket_start
        AND p.run_first_window < v.bucket_start + INTERVAL 1 DAY, 0) AS is_partial,
    v.bucket_start + INTERVAL 1 DAY <= p.complete_before AND NOT is_partial AS is_complete,
    v.bucket_start + INTERVAL 1 DAY <= p.final_before AS is_final
FROM cx_ticket_response_times(grain = 'day') AS v
CROSS JOIN
(
    SELECT
        max(complete_before) AS complete_before,
        max(final_before) AS final_before,
        argMax(run_first_window, updated_at) AS run_first_window
    FROM cx_job_progress
    WHERE table_name = 'cx_ticket_window'
) AS p;
