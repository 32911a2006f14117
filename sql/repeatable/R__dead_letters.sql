-- The dead-letter views: dead-lettered records per minute, source topic and reason, of the
-- topics' owners and of every job.
--
-- A repeatable script (see index.txt): edit the views here, in place.

-- cx_dead_letter_counts: dead-lettered records per minute (of dead_lettered_at, UTC), source
-- topic and reason, of the topics' owners only (job '' included: rows written before V012 have
-- no job). Reads cx_dead_letters FINAL, so a record dead-lettered again by a replay counts once
-- (in the minute of its newest dead-lettering), and the driver split job's second opinion on a
-- record never doubles a count.
--   bucket_start DateTime('UTC'), source_topic, reason, dead_letters UInt64
CREATE OR REPLACE VIEW cx_dead_letter_counts
COMMENT 'Dead-lettered records per minute, source topic and reason, by the job owning the topic (one per Kafka record)'
AS SELECT
    toStartOfMinute(dead_lettered_at) AS bucket_start,
    source_topic,
    reason,
    count() AS dead_letters
FROM cx_dead_letters FINAL
WHERE job != 'driver-split'
GROUP BY bucket_start, source_topic, reason;

-- cx_dead_letter_counts_by_job: dead-lettered records per minute (of dead_lettered_at, UTC), job,
-- source topic and reason, every job's, the driver split job's included. Per job it reconciles
-- with what the job read; summed over jobs it counts a record once per job that dropped it.
--   bucket_start DateTime('UTC'), job, source_topic, reason, dead_letters UInt64
CREATE OR REPLACE VIEW cx_dead_letter_counts_by_job
COMMENT 'Dead-lettered records per minute, job, source topic and reason (one per job and Kafka record)'
AS SELECT
    toStartOfMinute(dead_lettered_at) AS bucket_start,
    job,
    source_topic,
    reason,
    count() AS dead_letters
FROM cx_dead_letters FINAL
GROUP BY bucket_start, job, source_topic, reason;
