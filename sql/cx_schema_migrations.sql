-- Bookkeeping of the ClickHouse schema migrator (io.cxpulse.jobs.sql.SchemaMigrator). The migrator
-- runs this file before every migration run; it is not itself a numbered migration, because the
-- migrator needs the tables to know which migrations have run. Every statement must be safe to run
-- again (IF NOT EXISTS).

-- cx_schema_migrations: one row per versioned migration file under migrations/ that has been
-- applied to this database.
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

-- cx_schema_repeatables: one row per application of a repeatable script under repeatable/ (SQL
-- functions and views, applied again when they change), so the history of every script is kept;
-- the newest row of a name holds the checksum the database's views and functions were created
-- from. A table of its own rather than rows in cx_schema_migrations: a migrator built before
-- repeatable scripts existed reads every row there as a versioned migration and would refuse the
-- database.
--
-- name:       the file name, e.g. R__survey_scores.sql
-- checksum:   SHA-256 of the file's bytes, lower-case hex
-- applied_at: when it was recorded, after every script of its run succeeded (server clock, in
--             microseconds, so the newest row of a name is unambiguous)
CREATE TABLE IF NOT EXISTS cx_schema_repeatables
(
    name       String,
    checksum   String,
    applied_at DateTime64(6, 'UTC')
)
ENGINE = MergeTree
ORDER BY (name, applied_at)
COMMENT 'Applications of the repeatable ClickHouse scripts (sql/repeatable: functions and views), written by the CX Pulse migrator';
