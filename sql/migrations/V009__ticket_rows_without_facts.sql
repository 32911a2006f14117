-- V009: ticket window rows whose every fact was taken back are no rows.
--
-- Statements are separated by a ';' at the end of a line; each is safe to run again (see V001).

-- cx_ticket_window_latest, as in V005, without the rows whose components are all 0. The ticket
-- job adds signed facts: a late event that moves a fact to another window (an earlier OPENED, a
-- reply that overtook the deadline) takes it back from its first window, which is then written
-- again with every component 0. Such a row says nothing happened there, so it is left out here,
-- where every ticket view reads, by the rule the checkout views already follow (a bucket with no
-- fact has no row). The counts are never negative and every sum of times or histogram count
-- belongs to one of them, so a row is empty exactly when all of them are 0.
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
