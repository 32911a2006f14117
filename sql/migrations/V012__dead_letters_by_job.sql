-- V012: every dead letter says which job dropped the record.
--
-- Statements are separated by a ';' at the end of a line; each is safe to run again (see V001).

-- cx_dead_letters.job: the job that could not count the record: 'survey', 'checkout', 'tickets'
-- (each the owner of its topic) or 'driver-split', which reads the survey and ticket topics a
-- second time. The driver split job dead-letters only what it alone may drop, the records too
-- late for its own lateness gate (and joined surveys too late for its window); the invalid and
-- duplicate records of those topics are the owners' dead letters, identical in both jobs, and are
-- not written twice. So the same Kafka record can be dead-lettered by two jobs, each for its own
-- reason, and must give two rows: the job is the last column of the sorting key, and the
-- ReplacingMergeTree still folds a replay of one job's dead letter into one row, as before.
-- Per job, produced = counted + dead-lettered holds (for the driver split job: + the owners'
-- dead letters other than TOO_LATE, which it counts in its metrics but does not write).
--
-- Rows written before V012 read job = '': only the owners wrote dead letters then. (A new column
-- may join the sorting key only in the ALTER that adds it, without a default expression.)
ALTER TABLE cx_dead_letters
    ADD COLUMN IF NOT EXISTS job LowCardinality(String)
        COMMENT 'the job that dead-lettered the record; empty before V012 (then always the topic''s owner)',
    MODIFY ORDER BY (source_topic, source_partition, source_offset, job);

-- cx_dead_letter_counts, as in V003, over the topics' owners only ('' included): one row per Kafka
-- record as before, so the driver split job's second opinion on a record never doubles a count.
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
