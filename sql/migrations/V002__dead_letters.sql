-- V002: the dead-letter table.

-- cx_dead_letters: every input record that could not be counted in a metric, with the reason
-- (undecodable, schema violation, value out of range, duplicate, too late), a bounded detail, a
-- bounded prefix of the raw Kafka value and the Kafka coordinates of the original record.
--
-- The sorting key is the record's Kafka coordinates: a replay after a failure dead-letters the
-- same records again, and ReplacingMergeTree (no version column: the last inserted row wins)
-- folds them into one row per source record. Read with FINAL (as cx_dead_letter_counts does)
-- for exact counts before the parts have merged.
CREATE TABLE IF NOT EXISTS cx_dead_letters
(
    dead_lettered_at DateTime64(3, 'UTC'),
    reason           LowCardinality(String) COMMENT 'why the record was not counted',
    detail           String COMMENT 'human-readable detail, bounded',
    source_topic     LowCardinality(String),
    source_partition Int32,
    source_offset    Int64,
    event_id         Nullable(String) COMMENT 'when it could be decoded',
    event_time       Nullable(DateTime64(3, 'UTC')) COMMENT 'when it could be decoded',
    raw_length       Int32 COMMENT 'length of the raw Kafka value in bytes; -1 for a tombstone',
    raw_prefix       String COMMENT 'leading bytes of the raw Kafka value'
)
ENGINE = ReplacingMergeTree
ORDER BY (source_topic, source_partition, source_offset)
COMMENT 'Records that could not be counted, one row per Kafka record (topic, partition, offset)';
