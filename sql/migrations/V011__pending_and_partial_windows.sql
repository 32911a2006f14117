-- V011: what is not decided yet: checkouts still pending, tickets still waiting for a first
-- response within their SLA, and the first, partial window of a run.
--
-- Statements are separated by a ';' at the end of a line; each is safe to run again (see V001).

-- cx_checkout_window.pending: checkouts that started in the window and are not decided yet (no
-- order, and the inactivity timeout after their last step has not passed in event time). The
-- checkout job adds +1 when it first sees a checkout and takes it back (-1) when the checkout is
-- decided, so the newest windows say how many of their checkouts are still open instead of reading
-- 0 % abandoned. started, completed and abandoned keep counting decided checkouts only: the rate
-- is over decided checkouts. A checkout still undecided the max checkout duration after its start
-- is taken back from pending then (its outcome comes too late for its window). Rows written before
-- this column existed read 0: they were written when pending records did not exist.
ALTER TABLE cx_checkout_window ADD COLUMN IF NOT EXISTS pending Int64 DEFAULT 0
    COMMENT 'checkouts started in the window not decided yet; not in started'
    AFTER abandoned;

-- cx_checkout_window_latest, as in V004, with pending, and without rows whose components are all
-- 0 (every record ever added to them was taken back: a pending checkout decided into another
-- window, or a late first event that moved a checkout to an earlier window).
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
FROM cx_checkout_window FINAL
WHERE started != 0 OR pending != 0;

-- cx_checkout_abandonment(grain), as in V004, with one more column after abandoned:
--   pending                               checkouts started in the bucket not decided yet (Int64);
--                                         not in started, the rate or any other column
-- and the groups kept when started != 0 OR pending != 0 (a bucket whose checkouts are all still
-- open has a row: pending > 0, started = 0, the rate NULL, rather than no row).
CREATE OR REPLACE VIEW cx_checkout_abandonment
COMMENT 'Checkout abandonment (checkouts still pending, rate over decided checkouts with Wilson 95 % interval, conversion, value at risk, drop-off per step, failure reasons, time to complete) per bucket for every grouping of channel and segment; parameter grain: minute, hour, day'
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
    pending,
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
        sum(w.pending) AS pending,
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
    HAVING started != 0 OR pending != 0
);


-- cx_ticket_window.awaiting_first_response_delta: tickets opened in the window minus tickets whose
-- wait for a first response within their SLA ended in it. A ticket waits from its OPENED until the
-- first of: an agent reply at or before its deadline, its resolution at or before the deadline,
-- the deadline itself (the breach); a reopened episode never waits. Like backlog_delta, the running
-- sum is a level: the tickets still within their SLA without an answer, which no breach rate of
-- the newest minutes can show (their verdict comes later). Rows written before this column
-- existed read 0.
ALTER TABLE cx_ticket_window ADD COLUMN IF NOT EXISTS awaiting_first_response_delta Int64 DEFAULT 0
    COMMENT 'tickets opened - tickets whose wait for a first response within the SLA ended'
    AFTER backlog_delta;

-- cx_ticket_window_latest, as in V009, with awaiting_first_response_delta.
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
FROM cx_ticket_window FINAL
WHERE tickets_opened != 0
    OR tickets_reopened != 0
    OR first_responses != 0
    OR sla_met != 0
    OR sla_breached != 0
    OR sla_breached_unanswered != 0
    OR resolved != 0
    OR backlog_delta != 0;

-- cx_ticket_backlog(grain), as in V005, with two more columns at the end:
--   awaiting_first_response_delta     tickets opened - waits ended in the bucket
--   awaiting_first_response           Int64, tickets at bucket_end still waiting for a first
--                                     response within their SLA (running sum, like open_at_end)
CREATE OR REPLACE VIEW cx_ticket_backlog
COMMENT 'Open support tickets, and those still waiting for a first response within their SLA, at the end of each bucket (running sums) for every grouping of channel, segment and priority; parameter grain: minute, hour, day'
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
    ) AS open_at_end,
    awaiting_first_response_delta,
    sum(awaiting_first_response_delta) OVER (
        PARTITION BY channel, segment, priority
        ORDER BY bucket_start ASC
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS awaiting_first_response
FROM
(
    SELECT
        toDateTime(dateTrunc({grain:String}, w.window_start), 'UTC') AS bucket_start,
        if(grouping(w.channel) = 1, 'all', w.channel) AS channel,
        if(grouping(w.segment) = 1, 'all', w.segment) AS segment,
        if(grouping(w.priority) = 1, 'all', w.priority) AS priority,
        sum(w.tickets_opened + w.tickets_reopened) AS opened,
        sum(w.resolved) AS resolved,
        sum(w.backlog_delta) AS backlog_delta,
        sum(w.awaiting_first_response_delta) AS awaiting_first_response_delta
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

-- cx_job_progress.run_first_window: the start of the earliest window the job's current run wrote
-- a row for (io.cxpulse.jobs.pipeline.JobProgress). That window holds only what this run read: a job
-- started on a topic mid-minute, or started again without its state, writes it from part of its
-- data. NULL before the run's first row. A run restored from a checkpoint or savepoint keeps it.
ALTER TABLE cx_job_progress ADD COLUMN IF NOT EXISTS run_first_window Nullable(DateTime64(3, 'UTC'))
    COMMENT 'start of the earliest window the current run wrote a row for';

-- cx_job_progress_latest, as in V008, with the current run's first window.
CREATE OR REPLACE VIEW cx_job_progress_latest
COMMENT 'Current progress per window table: watermark, complete_before, final_before, updated_at, run_first_window'
AS SELECT
    table_name,
    any(job) AS job,
    max(watermark) AS watermark,
    max(complete_before) AS complete_before,
    max(final_before) AS final_before,
    max(updated_at) AS updated_at,
    -- Qualified: updated_at alone is the alias above.
    argMax(progress.run_first_window, progress.updated_at) AS run_first_window
FROM cx_job_progress AS progress
GROUP BY table_name;

-- The per-grain views, as in V008, with one more column, and is_complete 0 where it is 1:
--   is_partial    1 for the bucket holding the current run's first window (run_first_window): it
--                 holds only part of its data, so it is never complete (a dashboard shows it as
--                 partial, the live summary skips it)
-- argMax skips NULLs: before the current run's first row, the previous run's first window counts.
-- The checkout views gain pending through cx_checkout_abandonment, the backlog views
-- awaiting_first_response through cx_ticket_backlog.

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
