-- The job progress view, and what the per-grain views' is_partial, is_complete and is_final
-- columns mean.
--
-- A repeatable script (see index.txt): edit the views here, in place.

-- cx_job_progress_latest: the current progress per window table (the furthest any record says),
-- with the current run's first window (the newest record's that has one).
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

-- The per-grain views (cx_survey_scores_minute, …, cx_ticket_backlog_day, in the scripts after
-- this one) add three columns, from cx_job_progress for their window table:
--   is_partial    1 for the bucket holding the current run's first window (run_first_window): it
--                 holds only part of its data, so it is never complete (a dashboard shows it as
--                 partial, the live summary skips it)
--   is_complete   1 when the bucket's end is at or before complete_before and it is not partial:
--                 every window in it has had its on-time data (a dashboard may show the newest
--                 complete bucket as "current")
--   is_final      1 when the bucket's end is at or before final_before: it can no longer change
-- All are 0 while the job has written no progress. argMax skips NULLs: before the current run's
-- first row, the previous run's first window counts. The parameterised views (cx_survey_scores,
-- …) have no such columns: their callers pick the grain and can read cx_job_progress_latest.
