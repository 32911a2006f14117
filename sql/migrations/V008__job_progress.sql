-- V008: job progress, and whether each view row is complete and final.
--
-- Statements are separated by a ';' at the end of a line; each is safe to run again (see V001).

-- cx_job_progress: how far each job's rows are complete and final in event time, written by the
-- job (io.cxpulse.jobs.pipeline.JobProgress) each time its watermark completes another window.
--   complete_before   a window ending at or before it has had all its on-time data: only late
--                     data can still change it (a new row version)
--   final_before      a window ending at or before it can no longer change: its allowed lateness
--                     has passed
-- A job whose rows wait for a decision after the window (checkout: the inactivity timeout after a
-- checkout's last step; driver split: the ticket's outcome) holds both back by that wait. Both
-- are window boundaries. Progress never goes back, so max() over all versions is the current one,
-- also while parts have not merged.
CREATE TABLE IF NOT EXISTS cx_job_progress
(
    job             LowCardinality(String) COMMENT 'survey, checkout, tickets or driver-split',
    table_name      LowCardinality(String) COMMENT 'the window table the progress is about',
    watermark       DateTime64(3, 'UTC') COMMENT 'the job''s event-time watermark',
    complete_before DateTime64(3, 'UTC') COMMENT 'windows ending at or before this are complete',
    final_before    DateTime64(3, 'UTC') COMMENT 'windows ending at or before this are final',
    updated_at      DateTime64(3, 'UTC') COMMENT 'when the job wrote this record'
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (table_name, job)
COMMENT 'Event time through which each job''s window rows are complete and final; the views'' is_complete and is_final columns read it';

-- cx_job_progress_latest: the current progress per window table (the furthest any record says).
CREATE OR REPLACE VIEW cx_job_progress_latest
COMMENT 'Current progress per window table: watermark, complete_before, final_before, updated_at'
AS SELECT
    table_name,
    any(job) AS job,
    max(watermark) AS watermark,
    max(complete_before) AS complete_before,
    max(final_before) AS final_before,
    max(updated_at) AS updated_at
FROM cx_job_progress
GROUP BY table_name;

-- The per-grain views gain two columns, from cx_job_progress for their window table:
--   is_complete   1 when the bucket's end is at or before complete_before: every window in it
--                 has had its on-time data (a dashboard may show the newest complete bucket as
--                 "current")
--   is_final      1 when the bucket's end is at or before final_before: it can no longer change
-- Both are 0 while the job has written no progress. The parameterised views (cx_survey_scores,
-- …) have no such columns: their callers pick the grain and can read cx_job_progress_latest.

CREATE OR REPLACE VIEW cx_survey_scores_minute
COMMENT 'Survey scores per minute for every grouping of channel and segment (rolled up reads all), with is_complete and is_final; see cx_survey_scores'
AS SELECT
    v.*,
    v.bucket_start + INTERVAL 1 MINUTE <= p.complete_before AS is_complete,
    v.bucket_start + INTERVAL 1 MINUTE <= p.final_before AS is_final
FROM cx_survey_scores(grain = 'minute') AS v
CROSS JOIN
(
    SELECT max(complete_before) AS complete_before, max(final_before) AS final_before
    FROM cx_job_progress
    WHERE table_name = 'cx_survey_window'
) AS p;

CREATE OR REPLACE VIEW cx_survey_scores_hour
COMMENT 'Survey scores per hour for every grouping of channel and segment (rolled up reads all), with is_complete and is_final; see cx_survey_scores'
AS SELECT
    v.*,
    v.bucket_start + INTERVAL 1 HOUR <= p.complete_before AS is_complete,
    v.bucket_start + INTERVAL 1 HOUR <= p.final_before AS is_final
FROM cx_survey_scores(grain = 'hour') AS v
CROSS JOIN
(
    SELECT max(complete_before) AS complete_before, max(final_before) AS final_before
    FROM cx_job_progress
    WHERE table_name = 'cx_survey_window'
) AS p;

CREATE OR REPLACE VIEW cx_survey_scores_day
COMMENT 'Survey scores per UTC day for every grouping of channel and segment (rolled up reads all), with is_complete and is_final; see cx_survey_scores'
AS SELECT
    v.*,
    v.bucket_start + INTERVAL 1 DAY <= p.complete_before AS is_complete,
    v.bucket_start + INTERVAL 1 DAY <= p.final_before AS is_final
FROM cx_survey_scores(grain = 'day') AS v
CROSS JOIN
(
    SELECT max(complete_before) AS complete_before, max(final_before) AS final_before
    FROM cx_job_progress
    WHERE table_name = 'cx_survey_window'
) AS p;

CREATE OR REPLACE VIEW cx_checkout_abandonment_minute
COMMENT 'Checkout abandonment per minute for every grouping of channel and segment (rolled up reads all), with is_complete and is_final; see cx_checkout_abandonment'
AS SELECT
    v.*,
    v.bucket_start + INTERVAL 1 MINUTE <= p.complete_before AS is_complete,
    v.bucket_start + INTERVAL 1 MINUTE <= p.final_before AS is_final
FROM cx_checkout_abandonment(grain = 'minute') AS v
CROSS JOIN
(
    SELECT max(complete_before) AS complete_before, max(final_before) AS final_before
    FROM cx_job_progress
    WHERE table_name = 'cx_checkout_window'
) AS p;

CREATE OR REPLACE VIEW cx_checkout_abandonment_hour
COMMENT 'Checkout abandonment per hour for every grouping of channel and segment (rolled up reads all), with is_complete and is_final; see cx_checkout_abandonment'
AS SELECT
    v.*,
    v.bucket_start + INTERVAL 1 HOUR <= p.complete_before AS is_complete,
    v.bucket_start + INTERVAL 1 HOUR <= p.final_before AS is_final
FROM cx_checkout_abandonment(grain = 'hour') AS v
CROSS JOIN
(
    SELECT max(complete_before) AS complete_before, max(final_before) AS final_before
    FROM cx_job_progress
    WHERE table_name = 'cx_checkout_window'
) AS p;

CREATE OR REPLACE VIEW cx_checkout_abandonment_day
COMMENT 'Checkout abandonment per UTC day for every grouping of channel and segment (rolled up reads all), with is_complete and is_final; see cx_checkout_abandonment'
AS SELECT
    v.*,
    v.bucket_start + INTERVAL 1 DAY <= p.complete_before AS is_complete,
    v.bucket_start + INTERVAL 1 DAY <= p.final_before AS is_final
FROM cx_checkout_abandonment(grain = 'day') AS v
CROSS JOIN
(
    SELECT max(complete_before) AS complete_before, max(final_before) AS final_before
    FROM cx_job_progress
    WHERE table_name = 'cx_checkout_window'
) AS p;

CREATE OR REPLACE VIEW cx_ticket_response_times_minute
COMMENT 'Support response times and SLA per minute for every grouping of channel, segment and priority (rolled up reads all), with is_complete and is_final; see cx_ticket_response_times'
AS SELECT
    v.*,
    v.bucket_start + INTERVAL 1 MINUTE <= p.complete_before AS is_complete,
    v.bucket_start + INTERVAL 1 MINUTE <= p.final_before AS is_final
FROM cx_ticket_response_times(grain = 'minute') AS v
CROSS JOIN
(
    SELECT max(complete_before) AS complete_before, max(final_before) AS final_before
    FROM cx_job_progress
    WHERE table_name = 'cx_ticket_window'
) AS p;

CREATE OR REPLACE VIEW cx_ticket_response_times_hour
COMMENT 'Support response times and SLA per hour for every grouping of channel, segment and priority (rolled up reads all), with is_complete and is_final; see cx_ticket_response_times'
AS SELECT
    v.*,
    v.bucket_start + INTERVAL 1 HOUR <= p.complete_before AS is_complete,
    v.bucket_start + INTERVAL 1 HOUR <= p.final_before AS is_final
FROM cx_ticket_response_times(grain = 'hour') AS v
CROSS JOIN
(
    SELECT max(complete_before) AS complete_before, max(final_before) AS final_before
    FROM cx_job_progress
    WHERE table_name = 'cx_ticket_window'
) AS p;

CREATE OR REPLACE VIEW cx_ticket_response_times_day
COMMENT 'Support response times and SLA per UTC day for every grouping of channel, segment and priority (rolled up reads all), with is_complete and is_final; see cx_ticket_response_times'
AS SELECT
    v.*,
    v.bucket_start + INTERVAL 1 DAY <= p.complete_before AS is_complete,
    v.bucket_start + INTERVAL 1 DAY <= p.final_before AS is_final
FROM cx_ticket_response_times(grain = 'day') AS v
CROSS JOIN
(
    SELECT max(complete_before) AS complete_before, max(final_before) AS final_before
    FROM cx_job_progress
    WHERE table_name = 'cx_ticket_window'
) AS p;

CREATE OR REPLACE VIEW cx_ticket_backlog_minute
COMMENT 'Support backlog per minute for every grouping of channel, segment and priority (rolled up reads all), with is_complete and is_final; see cx_ticket_backlog'
AS SELECT
    v.*,
    v.bucket_start + INTERVAL 1 MINUTE <= p.complete_before AS is_complete,
    v.bucket_start + INTERVAL 1 MINUTE <= p.final_before AS is_final
FROM cx_ticket_backlog(grain = 'minute') AS v
CROSS JOIN
(
    SELECT max(complete_before) AS complete_before, max(final_before) AS final_before
    FROM cx_job_progress
    WHERE table_name = 'cx_ticket_window'
) AS p;

CREATE OR REPLACE VIEW cx_ticket_backlog_hour
COMMENT 'Support backlog per hour for every grouping of channel, segment and priority (rolled up reads all), with is_complete and is_final; see cx_ticket_backlog'
AS SELECT
    v.*,
    v.bucket_start + INTERVAL 1 HOUR <= p.complete_before AS is_complete,
    v.bucket_start + INTERVAL 1 HOUR <= p.final_before AS is_final
FROM cx_ticket_backlog(grain = 'hour') AS v
CROSS JOIN
(
    SELECT max(complete_before) AS complete_before, max(final_before) AS final_before
    FROM cx_job_progress
    WHERE table_name = 'cx_ticket_window'
) AS p;

CREATE OR REPLACE VIEW cx_ticket_backlog_day
COMMENT 'Support backlog per UTC day for every grouping of channel, segment and priority (rolled up reads all), with is_complete and is_final; see cx_ticket_backlog'
AS SELECT
    v.*,
    v.bucket_start + INTERVAL 1 DAY <= p.complete_before AS is_complete,
    v.bucket_start + INTERVAL 1 DAY <= p.final_before AS is_final
FROM cx_ticket_backlog(grain = 'day') AS v
CROSS JOIN
(
    SELECT max(complete_before) AS complete_before, max(final_before) AS final_before
    FROM cx_job_progress
    WHERE table_name = 'cx_ticket_window'
) AS p;
