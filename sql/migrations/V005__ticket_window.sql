-- V005: the support ticket window table and its views: newest versions, response and resolution
-- times (averages and p50/p90/p95), SLA met / breached with the breach rate and its 95 % interval
-- for any grouping and time grain, and the open backlog at the end of every bucket.
--
-- Statements are separated by a ';' at the end of a line and are safe to run again (IF NOT
-- EXISTS, OR REPLACE): a file that fails half-way runs again from its first statement.

-- cx_ticket_window: one row per (window_start, channel, segment, priority) with the additive
-- support components of the ticket facts in that window, written by the ticket job's ClickHouse
-- sink (io.cxpulse.jobs.tickets.TicketWindowRow). Never a ratio or a percentile: those are
-- derived in the views below, so every rollup is exact.
--
-- A fact is counted in the window of its own time: an opening at the OPENED (or REOPENED) time,
-- a first response at the first agent reply, a breach of a ticket still unanswered at its
-- deadline at the deadline, a resolution at the RESOLVED time. Channel, segment and priority are
-- those of the ticket's opening. Components are sums of signed facts (a late event retracts and
-- re-adds what it changed), so they are Int64, although a stored total is never negative.
--
-- Histograms: the LogHistogram layout of io.cxpulse.metrics (bucket 0: 0 ms; bucket k = 1..553:
-- [1.04^(k-1), 1.04^k) ms; bucket 554: >= 1.04^553 ms, about 30.4 days), stored sparse as the
-- indexes of the non-empty buckets (ascending) and their counts, so that sumMap(buckets, counts)
-- rolls them up.
--
-- Idempotent writes: the version is the number of facts the row absorbed, retractions included;
-- a replay writes the same key and version again, a late fact writes the same key with a higher
-- version. ReplacingMergeTree(version) keeps the highest; read through cx_ticket_window_latest
-- (FINAL). The partition key derives from the first sorting-key column, so all versions of a row
-- share a partition.
CREATE TABLE IF NOT EXISTS cx_ticket_window
(
    window_start            DateTime('UTC'),
    window_end              DateTime('UTC'),
    channel                 LowCardinality(String) COMMENT 'lower-case channel of the ticket opening, e.g. chat, email',
    segment                 LowCardinality(String) COMMENT 'customer segment of the ticket opening',
    priority                LowCardinality(String) COMMENT 'lower-case priority of the ticket opening: low, normal, high, urgent, unknown',
    tickets_opened          Int64 COMMENT 'tickets opened (OPENED events)',
    tickets_reopened        Int64 COMMENT 'episodes started by REOPENED after a resolution; each episode counts',
    first_responses         Int64 COMMENT 'first agent replies (bot replies never count)',
    first_response_sum_ms   Int64 COMMENT 'sum of first-response times (opened to first agent reply), ms',
    first_response_buckets  Array(UInt16) COMMENT 'LogHistogram indexes of the non-empty first-response buckets, ascending',
    first_response_counts   Array(Int64) COMMENT 'counts of first_response_buckets',
    sla_met                 Int64 COMMENT 'first responses at or before the SLA target',
    sla_breached            Int64 COMMENT 'breached tickets, each once: at the deadline if still unanswered then, else at the late reply',
    sla_breached_unanswered Int64 COMMENT 'the part of sla_breached counted at the deadline (no agent reply by then)',
    resolved                Int64 COMMENT 'episodes resolved',
    resolution_sum_ms       Int64 COMMENT 'sum of resolution times (episode start to resolved), ms',
    resolution_buckets      Array(UInt16) COMMENT 'LogHistogram indexes of the non-empty resolution-time buckets, ascending',
    resolution_counts       Array(Int64) COMMENT 'counts of resolution_buckets',
    backlog_delta           Int64 COMMENT 'tickets_opened + tickets_reopened - resolved: the change of the open backlog',
    version                 UInt64 COMMENT 'row version (facts absorbed, retractions included); the highest wins'
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(window_start)
ORDER BY (window_start, channel, segment, priority)
COMMENT 'Additive support components per window, channel, segment and priority; read cx_ticket_window_latest or the cx_ticket_response_times_* and cx_ticket_backlog_* views';

-- cx_ticket_window_latest: cx_ticket_window with only the newest version of each
-- (window_start, channel, segment, priority) row. FINAL for the reasons given for
-- cx_survey_window_latest (V003): exactly the table's own replacing rule.
CREATE OR REPLACE VIEW cx_ticket_window_latest
COMMENT 'cx_ticket_window, newest version of each (window_start, channel, segment, priority) row only'
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
    version
FROM cx_ticket_window FINAL;

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
-- Quantile rule, as io.cxpulse.metrics.LogHistogram.quantile (nearest rank): with the merged
-- buckets k, counts c and n = sum(c), the rank of quantile q is greatest(1, ceil(q * n)) (q * n in
-- IEEE double in both languages; q <= 1 keeps the rank <= n), the bucket b is the first k whose
-- cumulative count reaches the rank,
--   b = arrayElement(k, arrayFirstIndex(x -> x >= greatest(1., ceil(q * n)), arrayCumSum(c))),
-- and the value is LogHistogram.representativeValue(b):
--   multiIf(b = 0, 0, b = 554, pow(1.04, 553), pow(1.04, b - 0.5)) ms.
-- Error bound: the exact nearest-rank quantile of the durations lies in bucket b, i.e. in
-- [1.04^(b-1), 1.04^b), and the value reported is the bucket's geometric midpoint 1.04^(b-0.5), so
-- the relative error is at most sqrt(1.04) - 1 = 1.98 % (LogHistogram.RELATIVE_ERROR_BOUND).
-- Exceptions: bucket 0 holds only 0 ms and is exact; bucket 554 (30.4 days or more) reports
-- 1.04^553 ms, a lower bound without an error bound. pow may differ from Java's Math.pow in the
-- last bit: compare with a relative tolerance.
CREATE OR REPLACE VIEW cx_ticket_response_times
COMMENT 'Support response and resolution times (average, p50/p90/p95), SLA met/breached and breach rate with 95 % interval per bucket for every grouping of channel, segment and priority; parameter grain: minute, hour, day'
AS WITH
    -- Intervals.Z_95, as for CSAT in cx_survey_scores.
    1.96 AS z,
    z * z AS z2,
    -- Breach rate: Intervals.wilson(sla_breached, sla_met + sla_breached, 1.96).
    toFloat64(sla_met + sla_breached) AS sla_n,
    sla_breached / sla_n AS sla_p,
    1 + z2 / sla_n AS wilson_denominator,
    (sla_p + z2 / (2 * sla_n)) / wilson_denominator AS wilson_centre,
    z * sqrt(sla_p * (1 - sla_p) / sla_n + z2 / (4 * sla_n * sla_n)) / wilson_denominator AS wilson_half_width,
    -- First-response quantiles: bucket of each q in [0.5, 0.9, 0.95], then its value.
    first_response_histogram.1 AS frt_keys,
    first_response_histogram.2 AS frt_counts,
    arraySum(frt_counts) AS frt_n,
    arrayCumSum(frt_counts) AS frt_cumulative,
    arrayMap(q -> arrayElement(frt_keys, arrayFirstIndex(x -> x >= greatest(1., ceil(q * frt_n)), frt_cumulative)), [0.5, 0.9, 0.95]) AS frt_buckets,
    arrayMap(b -> multiIf(b = 0, 0., b = 554, pow(1.04, 553), pow(1.04, b - 0.5)), frt_buckets) AS frt_values,
    -- Resolution-time quantiles, the same way.
    resolution_histogram.1 AS res_keys,
    resolution_histogram.2 AS res_counts,
    arraySum(res_counts) AS res_n,
    arrayCumSum(res_counts) AS res_cumulative,
    arrayMap(q -> arrayElement(res_keys, arrayFirstIndex(x -> x >= greatest(1., ceil(q * res_n)), res_cumulative)), [0.5, 0.9, 0.95]) AS res_buckets,
    arrayMap(b -> multiIf(b = 0, 0., b = 554, pow(1.04, 553), pow(1.04, b - 0.5)), res_buckets) AS res_values
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
    if(frt_n = 0, NULL, frt_values[1]) AS first_response_p50_ms,
    if(frt_n = 0, NULL, frt_values[2]) AS first_response_p90_ms,
    if(frt_n = 0, NULL, frt_values[3]) AS first_response_p95_ms,
    frt_keys AS first_response_buckets,
    frt_counts AS first_response_counts,
    sla_met,
    sla_breached,
    sla_breached_unanswered,
    if(sla_n = 0, NULL, 100. * sla_breached / sla_n) AS breach_rate_pct,
    if(sla_n = 0, NULL, 100 * greatest(0., wilson_centre - wilson_half_width)) AS breach_rate_ci_low,
    if(sla_n = 0, NULL, 100 * least(1., wilson_centre + wilson_half_width)) AS breach_rate_ci_high,
    resolved,
    resolution_sum_ms,
    if(resolved = 0, NULL, resolution_sum_ms / resolved) AS resolution_avg_ms,
    if(res_n = 0, NULL, res_values[1]) AS resolution_p50_ms,
    if(res_n = 0, NULL, res_values[2]) AS resolution_p90_ms,
    if(res_n = 0, NULL, res_values[3]) AS resolution_p95_ms,
    res_keys AS resolution_buckets,
    res_counts AS resolution_counts,
    backlog_delta
FROM
(
    SELECT
        toDateTime(dateTrunc({grain:String}, w.window_start), 'UTC') AS bucket_start,
        if(grouping(w.channel) = 1, 'all', w.channel) AS channel,
        if(grouping(w.segment) = 1, 'all', w.segment) AS segment,
        if(grouping(w.priority) = 1, 'all', w.priority) AS priority,
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
    FROM cx_ticket_window_latest AS w
    GROUP BY GROUPING SETS
    (
        (bucket_start, w.channel, w.segment, w.priority),
        (bucket_start, w.channel, w.segment),
        (bucket_start, w.channel, w.priority),
        (bucket_start, w.segment, w.priority),
        (bucket_start, w.channel),
        (bucket_start, w.segment),
        (bucket_start, w.priority),
        (bucket_start)
    )
);

-- cx_ticket_response_times_minute: cx_ticket_response_times(grain = 'minute'), for BI tools that
-- cannot pass view parameters. Its columns are fixed when it is created: a migration that changes
-- cx_ticket_response_times must replace this view (and the hour and day views) too.
CREATE OR REPLACE VIEW cx_ticket_response_times_minute
COMMENT 'Support response times and SLA per minute for every grouping of channel, segment and priority (rolled up reads all); see cx_ticket_response_times'
AS SELECT * FROM cx_ticket_response_times(grain = 'minute');

-- cx_ticket_response_times_hour: see cx_ticket_response_times_minute.
CREATE OR REPLACE VIEW cx_ticket_response_times_hour
COMMENT 'Support response times and SLA per hour for every grouping of channel, segment and priority (rolled up reads all); see cx_ticket_response_times'
AS SELECT * FROM cx_ticket_response_times(grain = 'hour');

-- cx_ticket_response_times_day: UTC days; see cx_ticket_response_times_minute.
CREATE OR REPLACE VIEW cx_ticket_response_times_day
COMMENT 'Support response times and SLA per UTC day for every grouping of channel, segment and priority (rolled up reads all); see cx_ticket_response_times'
AS SELECT * FROM cx_ticket_response_times(grain = 'day');

-- cx_ticket_backlog(grain = 'minute' | 'hour' | 'day'): tickets open at the end of each bucket,
-- per channel × segment × priority and every rollup ('all'), like cx_ticket_response_times.
--
-- The backlog is a running sum: open_at_end = the sum of backlog_delta (episodes opened minus
-- episodes resolved) over every bucket of the same (channel, segment, priority) up to and
-- including this one, in bucket order (a window function over the per-bucket sums). It counts
-- from the first stored row, so it is exact as long as cx_ticket_window holds every window since
-- the job first ran (no TTL on the table). A bucket in which a series had no fact has no row for
-- that series: its backlog is the open_at_end of the series' previous row.
--
-- The window function runs over the whole grouped result, so a filter on bucket_start in a query
-- of this view is applied after the running sum and does not change open_at_end; a filter on
-- channel, segment or priority keeps whole series and does not change it either.
--
-- Columns:
--   bucket_start, bucket_end          DateTime('UTC'); the backlog is the one at bucket_end
--   channel, segment, priority        the value, or 'all' when rolled up
--   opened                            episodes opened in the bucket (new and reopened)
--   resolved                          episodes resolved in the bucket
--   backlog_delta                     opened - resolved
--   open_at_end                       Int64, tickets open at bucket_end
CREATE OR REPLACE VIEW cx_ticket_backlog
COMMENT 'Open support tickets at the end of each bucket (running sum of opened - resolved) for every grouping of channel, segment and priority; parameter grain: minute, hour, day'
AS SELECT
    bucket_start,
    bucket_start + toInterval(1, {grain:String}) AS bucket_end,
    channel,
    segment,
    priority,
    opened,
    resolved,
    backlog_delta,
    sum(backlog_delta) OVER (
        PARTITION BY channel, segment, priority
        ORDER BY bucket_start ASC
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS open_at_end
FROM
(
    SELECT
        toDateTime(dateTrunc({grain:String}, w.window_start), 'UTC') AS bucket_start,
        if(grouping(w.channel) = 1, 'all', w.channel) AS channel,
        if(grouping(w.segment) = 1, 'all', w.segment) AS segment,
        if(grouping(w.priority) = 1, 'all', w.priority) AS priority,
        sum(w.tickets_opened + w.tickets_reopened) AS opened,
        sum(w.resolved) AS resolved,
        sum(w.backlog_delta) AS backlog_delta
    FROM cx_ticket_window_latest AS w
    GROUP BY GROUPING SETS
    (
        (bucket_start, w.channel, w.segment, w.priority),
        (bucket_start, w.channel, w.segment),
        (bucket_start, w.channel, w.priority),
        (bucket_start, w.segment, w.priority),
        (bucket_start, w.channel),
        (bucket_start, w.segment),
        (bucket_start, w.priority),
        (bucket_start)
    )
);

-- cx_ticket_backlog_minute: cx_ticket_backlog(grain = 'minute'), for BI tools that cannot pass
-- view parameters; replace it (and the hour and day views) with cx_ticket_backlog.
CREATE OR REPLACE VIEW cx_ticket_backlog_minute
COMMENT 'Open support tickets at the end of each minute for every grouping of channel, segment and priority; see cx_ticket_backlog'
AS SELECT * FROM cx_ticket_backlog(grain = 'minute');

-- cx_ticket_backlog_hour: see cx_ticket_backlog_minute.
CREATE OR REPLACE VIEW cx_ticket_backlog_hour
COMMENT 'Open support tickets at the end of each hour for every grouping of channel, segment and priority; see cx_ticket_backlog'
AS SELECT * FROM cx_ticket_backlog(grain = 'hour');

-- cx_ticket_backlog_day: UTC days; see cx_ticket_backlog_minute.
CREATE OR REPLACE VIEW cx_ticket_backlog_day
COMMENT 'Open support tickets at the end of each UTC day for every grouping of channel, segment and priority; see cx_ticket_backlog'
AS SELECT * FROM cx_ticket_backlog(grain = 'day');
