-- Bookkeeping of the ClickHouse schema migrator (io.cxpulse.jobs.sql.SchemaMigrator): one row per
-- migration file under migrations/ that has been applied to this database. The migrator runs
-- this file before every migration run; it is not itself a numbered migration, because the
-- migrator needs the table to know which migrations have run.
--
-- version:    the number in the file name (V003__survey_views.sql is 3)
-- name:       the file name
-- checksum:   SHA-256 of the file's bytes, lower-case hex; a file that changes after it was
--             applied is rejected, never applied again
-- applied_at: when the last statement of the file finished (server clock)
CREATE TABLE IF NOT EXISTS cx_schema_migrations
(
    version    UInt32,
    name       String,
    checksum   String,
    applied_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY version
COMMENT 'Applied ClickHouse schema migrations (sql/migrations), written by the CX Pulse migrator';
