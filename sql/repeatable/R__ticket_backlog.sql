-- The support backlog views: tickets open, and tickets still waiting for a first response within
-- their SLA, at the end of every bucket.
--
-- A repeatable script (see index.txt): edit the views here, in place.

-- cx_ticket_backlog(grain = 'minute' | 'hour' | 'day'): tickets open at the end of each bucket,
-- per channel × segment × priority and every rollup ('all'), like cx_ticket_response_times
-- (R__ticket_response_times.sql, which also defines cx_ticket_rows, read here).
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
-- channel, segment or priority keeps whole series and does not change it either. It also means a
-- query reads every row since the first, whatever range it asks for: a dashboard asks
-- cx_ticket_backlog_between(grain, from_time, to_time) instead, which reads the range's rows and,
-- for the level at its start, one sum per series of everything before it (sealed hour rows,
-- R__hour_rollups.sql, and at most an hour of minute rows), and gives the same rows as
-- cx_ticket_backlog(grain) WHERE bucket_start BETWEEN from_time AND to_time.
--
-- Columns:
--   bucket_start, bucket_end          DateTime('UTC'); the backlog is the one at bucket_end
--   channel, segment, priority        the value, or 'all' when rolled up
--   opened                            episodes opened in the bucket (new and reopened)
--   resolved                          episodes resolved in the bucket
--   backlog_delta                     opened - resolved
--   open_at_end                       Int64, tickets open at bucket_end
--   awaiting_first_response_delta     tickets opened - waits ended in the bucket (a ticket waits
--                                     from its OPENED until the first of: an agent reply at or
--                                     before its deadline, its resolution at or before the
--                                     deadline, the deadline itself; a reopened episode never waits)
--   awaiting_first_response           Int64, tickets at bucket_end still waiting for a first
--                                     response within their SLA (running sum, like open_at_end)
CREATE OR REPLACE VIEW cx_ticket_backlog_between
COMMENT 'cx_ticket_backlog(grain) for the buckets starting in [from_time, to_time] only, read from those buckets and one opening level per series; parameters grain, from_time, to_time'
AS WITH
    {from_time:DateTime('UTC')} AS range_from,
    toDateTime(dateTrunc({grain:String}, range_from), 'UTC') AS truncated_from,
    -- The first bucket starting at or after from_time: buckets before it make the opening level.
    if(truncated_from = range_from, range_from, truncated_from + toInterval(1, {grain:String})) AS first_bucket,
    toStartOfHour(first_bucket) AS opening_whole_hours_before
SELECT
    r.bucket_start AS bucket_start,
    r.bucket_start + toInterval(1, {grain:String}) AS bucket_end,
    channel,
    segment,
    priority,
    r.opened AS opened,
    r.resolved AS resolved,
    r.backlog_delta AS backlog_delta,
    o.opening_open + sum(r.backlog_delta) OVER (
        PARTITION BY channel, segment, priority
        ORDER BY r.bucket_start ASC
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS open_at_end,
    r.awaiting_first_response_delta AS awaiting_first_response_delta,
    o.opening_awaiting + sum(r.awaiting_first_response_delta) OVER (
        PARTITION BY channel, segment, priority
        ORDER BY r.bucket_start ASC
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS awaiting_first_response
FROM
(
    SELECT
        toDateTime(dateTrunc({grain:String}, w.window_start), 'UTC') AS bucket_start,
        channel,
        segment,
        priority,
        sum(w.tickets_opened + w.tickets_reopened) AS opened,
        sum(w.resolved) AS resolved,
        sum(w.backlog_delta) AS backlog_delta,
        sum(w.awaiting_first_response_delta) AS awaiting_first_response_delta
    FROM cx_ticket_rows(grain = {grain:String}) AS w
    ARRAY JOIN [w.channel, 'all'] AS channel
    ARRAY JOIN [w.segment, 'all'] AS segment
    ARRAY JOIN [w.priority, 'all'] AS priority
    WHERE w.window_start >= first_bucket
    GROUP BY bucket_start, channel, segment, priority
    HAVING bucket_start <= {to_time:DateTime('UTC')}
) AS r
LEFT JOIN
(
    -- Everything before the first bucket: sealed hours (and minute rows after the newest sealed
    -- hour) up to the last whole hour before it, then the minute rows from that hour on.
    SELECT
        channel,
        segment,
        priority,
        sum(w.backlog_delta) AS opening_open,
        sum(w.awaiting_first_response_delta) AS opening_awaiting
    FROM
    (
        SELECT window_start, channel, segment, priority, backlog_delta, awaiting_first_response_delta
        FROM cx_ticket_rows(grain = 'hour')
        WHERE window_start < opening_whole_hours_before
        UNION ALL
        SELECT window_start, channel, segment, priority, backlog_delta, awaiting_first_response_delta
        FROM cx_ticket_rows(grain = 'minute')
        WHERE window_start >= opening_whole_hours_before AND window_start < first_bucket
    ) AS w
    ARRAY JOIN [w.channel, 'all'] AS channel
    ARRAY JOIN [w.segment, 'all'] AS segment
    ARRAY JOIN [w.priority, 'all'] AS priority
    GROUP BY channel, segment, priority
) AS o USING (channel, segment, priority);

-- cx_ticket_backlog(grain): every bucket, from the first stored row on.
CREATE OR REPLACE VIEW cx_ticket_backlog
COMMENT 'Open support tickets, and those still waiting for a first response within their SLA, at the end of each bucket (running sums) for every grouping of channel, segment and priority; parameter grain: minute, hour, day'
AS SELECT *
FROM cx_ticket_backlog_between(
    grain = {grain:String}, from_time = '1970-01-01 00:00:00', to_time = '2106-02-07 06:28:15');

-- cx_ticket_backlog_minute, _hour, _day: cx_ticket_backlog(grain = 'minute' | 'hour' | 'day'), for
-- BI tools that cannot pass view parameters, with is_partial, is_complete and is_final from
-- cx_job_progress for cx_ticket_window (see R__job_progress.sql).
CREATE OR REPLACE VIEW cx_ticket_backlog_minute
COMMENT 'Support backlog per minute for every grouping of channel, segment and priority (rolled up reads all), with is_complete, is_final and is_partial; see cx_ticket_backlog'
AS SELECT
    v.*,
    ifNull(p.run_first_window >= v.bucket_start
        AND p.run_first_window < v.bucket_start + INTERVAL 1 MINUTE, 0) AS is_partial,
    v.bucket_start + INTERVAL 1 MINUTE <= p.complete_before AND NOT is_partial AS is_complete,
    v.bucket_start + INTERVAL 1 MINUTE <= p.final_before AS is_final
FROM cx_ticket_backlog(grain = 'minute') AS v
CROSS JOIN
(
    SELECT
        max(complete_before) AS complete_before,
        max(final_before) AS final_before,
        argMax(run_first_window, updated_at) AS run_first_window
    FROM cx_job_progress
    WHERE table_name = 'cx_ticket_window'
) AS p;

CREATE OR REPLACE VIEW cx_ticket_backlog_hour
COMMENT 'Support backlog per hour for every grouping of channel, segment and priority (rolled up reads all), with is_complete, is_final and is_partial; see cx_ticket_backlog'
AS SELECT
    v.*,
    ifNull(p.run_first_window >= v.bucket_start
        AND p.run_first_window < v.bucket_start + INTERVAL 1 HOUR, 0) AS is_partial,
    v.bucket_start + INTERVAL 1 HOUR <= p.complete_before AND NOT is_partial AS is_complete,
    v.bucket_start + INTERVAL 1 HOUR <= p.final_before AS is_final
FROM cx_ticket_backlog(grain = 'hour') AS v
CROSS JOIN
(
    SELECT
        max(complete_before) AS complete_before,
        max(final_before) AS final_before,
        argMax(run_first_window, updated_at) AS run_first_window
    FROM cx_job_progress
    WHERE table_name = 'cx_ticket_window'
) AS p;

CREATE OR REPLACE VIEW cx_ticket_backlog_day
COMMENT 'Support backlog per UTC day for every grouping of channel, segment and priority (rolled up reads all), with is_complete, is_final and is_partial; see cx_ticket_backlog'
AS SELECT
    v.*,
    ifNull(p.run_first_window >= v.bucket_start
        AND p.run_first_window < v.bucket_start + INTERVAL 1 DAY, 0) AS is_partial,
    v.bucket_start + INTERVAL 1 DAY <= p.complete_before AND NOT is_partial AS is_complete,
    v.bucket_start + INTERVAL 1 DAY <= p.final_before AS is_final
FROM cx_ticket_backlog(grain = 'day') AS v
CROSS JOIN
(
    SELECT
        max(complete_before) AS complete_before,
        max(final_before) AS final_before,
        argMax(run_first_window, updated_at) AS run_first_window
    FROM cx_job_progress
    WHERE table_name = 'cx_ticket_window'
) AS p;
