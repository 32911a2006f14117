-- The hour rollups: refreshable materialized views that fill the *_hour tables of V013 with the
-- hours that can no longer change, so hour- and day-grain reads sum one row per hour and key
-- instead of sixty (measured: ./cx-pulse bench dashboards, docs/operations.md "Benchmarks").
--
-- A repeatable script (see index.txt): edit the views here, in place. Replacing one never touches
-- data: each writes TO its table.
--
-- Why here and not in the jobs: a minute row is versioned (the newest wins), so an hour total
-- cannot be kept by adding each new version as it arrives (the old version would have to be taken
-- out, and a replayed row would count twice). An hour whose minutes are all final, though, has
-- exactly one sum, and the engine can compute it from the minute table with FINAL — the rule the
-- views already read by. A job knows no more than cx_job_progress says.
--
-- Each refresh (every five minutes, and at creation):
--   sealed_before       the end of the newest hour in the hour table (1970 when it is empty);
--   first_new_hour      the hour of the first minute row at or after sealed_before, so a stretch
--                       without traffic is stepped over;
--   seal_from           sealed_before - 2 h (see below);
--   final_hours_before  cx_job_progress.final_before of the minute table, down to the hour: every
--                       hour ending at or before it is final (its allowed lateness has passed);
--   seal_before         that, but at most the end of first_new_hour's month;
-- and appends one row per hour and key in [seal_from, seal_before): the components summed over
-- the newest minute rows that count (cx_checkout_row_counts, cx_ticket_row_counts: the rule the
-- *_rows views read by), version = the sum of the versions of all of them.
--
-- Why every five minutes: an hour is final an allowed lateness (an hour by default) after it
-- ends, so sealing it five minutes later or one changes nothing a reader sees but how many minute
-- rows the views read meanwhile; and every database pays for its refreshes (each is a query the
-- engine plans: a tenth of a second here), the test suite's dozens of them too.
--
-- Why two hours back (re-sealing the last two sealed hours at every refresh): a job publishes its
-- progress only once the checkpoint that wrote its rows has completed (ProgressOperator), so the
-- rows of a final hour are in before final_before passes it. Re-sealing costs a few thousand rows
-- a refresh and keeps a seal right where that does not hold (another run of a job writing the same
-- table, a row inserted by hand): a re-sealed hour that gained a row or a version has a higher
-- version sum and replaces the first seal when the table merges (and at once for readers, who
-- read with FINAL). A sum of versions never falls: minute versions only grow and rows never leave
-- the minute table (which is why it sums the versions of rows that do not count as well).
--
-- Why new hours of at most one month per refresh: the tables are partitioned by month, and an
-- INSERT writes one part per partition, each visible on its own; the new hours of a seal are then
-- one part, so a reader never sees a later hour sealed and an earlier one not (the *_rows views
-- trust every hour before the newest sealed one). Only the re-sealed hours, which a reader already
-- has, may be in the month before. A database with a long history catches up one month a
-- refresh; its views read the minute table for what is not sealed yet, so they are exact
-- meanwhile, only slower.
--
-- Run one now (tests, benchmarks): SYSTEM REFRESH VIEW cx_survey_window_hour_seal; then
-- SYSTEM WAIT VIEW cx_survey_window_hour_seal. system.view_refreshes shows their state.

CREATE OR REPLACE MATERIALIZED VIEW cx_survey_window_hour_seal
REFRESH EVERY 5 MINUTE APPEND TO cx_survey_window_hour
AS WITH
    (SELECT max(window_end) FROM cx_survey_window_hour) AS sealed_before,
    (SELECT toStartOfHour(ifNull(minOrNull(window_start), sealed_before)) FROM cx_survey_window
        WHERE window_start >= sealed_before) AS first_new_hour,
    greatest(sealed_before, toDateTime(7200, 'UTC')) - INTERVAL 2 HOUR AS seal_from,
    (SELECT toStartOfHour(max(final_before)) FROM cx_job_progress WHERE table_name = 'cx_survey_window') AS final_hours_before,
    least(final_hours_before, toDateTime(toStartOfMonth(first_new_hour) + INTERVAL 1 MONTH, 'UTC')) AS seal_before
SELECT
    toStartOfHour(m.window_start) AS window_start,
    window_start + INTERVAL 1 HOUR AS window_end,
    m.channel AS channel,
    m.segment AS segment,
    sum(m.csat_total) AS csat_total,
    sum(m.csat_satisfied) AS csat_satisfied,
    sum(m.nps_total) AS nps_total,
    sum(m.nps_promoters) AS nps_promoters,
    sum(m.nps_passives) AS nps_passives,
    sum(m.nps_detractors) AS nps_detractors,
    sum(m.ces_count) AS ces_count,
    sum(m.ces_sum) AS ces_sum,
    sum(m.ces_sum_squares) AS ces_sum_squares,
    sumForEach(m.ces_histogram) AS ces_histogram,
    sum(m.version) AS version
FROM (SELECT * FROM cx_survey_window FINAL WHERE window_start >= seal_from AND window_start < seal_before) AS m
GROUP BY window_start, channel, segment;

CREATE OR REPLACE MATERIALIZED VIEW cx_checkout_window_hour_seal
REFRESH EVERY 5 MINUTE APPEND TO cx_checkout_window_hour
AS WITH
    (SELECT max(window_end) FROM cx_checkout_window_hour) AS sealed_before,
    (SELECT toStartOfHour(ifNull(minOrNull(window_start), sealed_before)) FROM cx_checkout_window
        WHERE window_start >= sealed_before) AS first_new_hour,
    greatest(sealed_before, toDateTime(7200, 'UTC')) - INTERVAL 2 HOUR AS seal_from,
    (SELECT toStartOfHour(max(final_before)) FROM cx_job_progress WHERE table_name = 'cx_checkout_window') AS final_hours_before,
    least(final_hours_before, toDateTime(toStartOfMonth(first_new_hour) + INTERVAL 1 MONTH, 'UTC')) AS seal_before,
    cx_checkout_row_counts(m.started, m.pending) AS counts
SELECT
    toStartOfHour(m.window_start) AS window_start,
    window_start + INTERVAL 1 HOUR AS window_end,
    m.channel AS channel,
    m.segment AS segment,
    sumIf(m.started, counts) AS started,
    sumIf(m.completed, counts) AS completed,
    sumIf(m.abandoned, counts) AS abandoned,
    (sumMapIf(m.abandoned_value_currencies, m.abandoned_value_minor, counts) AS abandoned_value_currencies_summed).1 AS abandoned_value_currencies,
    abandoned_value_currencies_summed.2 AS abandoned_value_minor,
    (sumMapIf(m.abandoned_steps, m.abandoned_step_counts, counts) AS abandoned_steps_summed).1 AS abandoned_steps,
    abandoned_steps_summed.2 AS abandoned_step_counts,
    (sumMapIf(m.abandoned_reasons, m.abandoned_reason_counts, counts) AS abandoned_reasons_summed).1 AS abandoned_reasons,
    abandoned_reasons_summed.2 AS abandoned_reason_counts,
    (sumMapIf(m.completion_time_buckets, m.completion_time_counts, counts) AS completion_time_buckets_summed).1 AS completion_time_buckets,
    completion_time_buckets_summed.2 AS completion_time_counts,
    sumIf(m.completion_time_sum_ms, counts) AS completion_time_sum_ms,
    sumIf(m.pending, counts) AS pending,
    sum(m.version) AS version
FROM (SELECT * FROM cx_checkout_window FINAL WHERE window_start >= seal_from AND window_start < seal_before) AS m
GROUP BY window_start, channel, segment;

CREATE OR REPLACE MATERIALIZED VIEW cx_ticket_window_hour_seal
REFRESH EVERY 5 MINUTE APPEND TO cx_ticket_window_hour
AS WITH
    (SELECT max(window_end) FROM cx_ticket_window_hour) AS sealed_before,
    (SELECT toStartOfHour(ifNull(minOrNull(window_start), sealed_before)) FROM cx_ticket_window
        WHERE window_start >= sealed_before) AS first_new_hour,
    greatest(sealed_before, toDateTime(7200, 'UTC')) - INTERVAL 2 HOUR AS seal_from,
    (SELECT toStartOfHour(max(final_before)) FROM cx_job_progress WHERE table_name = 'cx_ticket_window') AS final_hours_before,
    least(final_hours_before, toDateTime(toStartOfMonth(first_new_hour) + INTERVAL 1 MONTH, 'UTC')) AS seal_before,
    cx_ticket_row_counts(m.tickets_opened, m.tickets_reopened, m.first_responses, m.sla_met,
        m.sla_breached, m.sla_breached_unanswered, m.resolved, m.backlog_delta) AS counts
SELECT
    toStartOfHour(m.window_start) AS window_start,
    window_start + INTERVAL 1 HOUR AS window_end,
    m.channel AS channel,
    m.segment AS segment,
    m.priority AS priority,
    sumIf(m.tickets_opened, counts) AS tickets_opened,
    sumIf(m.tickets_reopened, counts) AS tickets_reopened,
    sumIf(m.first_responses, counts) AS first_responses,
    sumIf(m.first_response_sum_ms, counts) AS first_response_sum_ms,
    (sumMapIf(m.first_response_buckets, m.first_response_counts, counts) AS first_response_buckets_summed).1 AS first_response_buckets,
    first_response_buckets_summed.2 AS first_response_counts,
    sumIf(m.sla_met, counts) AS sla_met,
    sumIf(m.sla_breached, counts) AS sla_breached,
    sumIf(m.sla_breached_unanswered, counts) AS sla_breached_unanswered,
    sumIf(m.resolved, counts) AS resolved,
    sumIf(m.resolution_sum_ms, counts) AS resolution_sum_ms,
    (sumMapIf(m.resolution_buckets, m.resolution_counts, counts) AS resolution_buckets_summed).1 AS resolution_buckets,
    resolution_buckets_summed.2 AS resolution_counts,
    sumIf(m.backlog_delta, counts) AS backlog_delta,
    sumIf(m.awaiting_first_response_delta, counts) AS awaiting_first_response_delta,
    sum(m.version) AS version
FROM (SELECT * FROM cx_ticket_window FINAL WHERE window_start >= seal_from AND window_start < seal_before) AS m
GROUP BY window_start, channel, segment, priority;

CREATE OR REPLACE MATERIALIZED VIEW cx_driver_window_hour_seal
REFRESH EVERY 5 MINUTE APPEND TO cx_driver_window_hour
AS WITH
    (SELECT max(window_end) FROM cx_driver_window_hour) AS sealed_before,
    (SELECT toStartOfHour(ifNull(minOrNull(window_start), sealed_before)) FROM cx_driver_window
        WHERE window_start >= sealed_before) AS first_new_hour,
    greatest(sealed_before, toDateTime(7200, 'UTC')) - INTERVAL 2 HOUR AS seal_from,
    (SELECT toStartOfHour(max(final_before)) FROM cx_job_progress WHERE table_name = 'cx_driver_window') AS final_hours_before,
    least(final_hours_before, toDateTime(toStartOfMonth(first_new_hour) + INTERVAL 1 MONTH, 'UTC')) AS seal_before
SELECT
    toStartOfHour(m.window_start) AS window_start,
    window_start + INTERVAL 1 HOUR AS window_end,
    m.channel AS channel,
    m.segment AS segment,
    m.sla_outcome AS sla_outcome,
    m.frt_bucket AS frt_bucket,
    sum(m.csat_total) AS csat_total,
    sum(m.csat_satisfied) AS csat_satisfied,
    sum(m.nps_total) AS nps_total,
    sum(m.nps_promoters) AS nps_promoters,
    sum(m.nps_passives) AS nps_passives,
    sum(m.nps_detractors) AS nps_detractors,
    sum(m.ces_count) AS ces_count,
    sum(m.ces_sum) AS ces_sum,
    sum(m.ces_sum_squares) AS ces_sum_squares,
    sumForEach(m.ces_histogram) AS ces_histogram,
    sum(m.version) AS version
FROM (SELECT * FROM cx_driver_window FINAL WHERE window_start >= seal_from AND window_start < seal_before) AS m
GROUP BY window_start, channel, segment, sla_outcome, frt_bucket;
