package io.cxpulse.jobs.sql;

import java.time.Instant;

/**
 * A row of {@code cx_schema_migrations}: a migration file that has been applied.
 *
 * @param version the file's version
 * @param name the file name
 * @param checksum SHA-256 of the file as applied, lower-case hex
 * @param appliedAt when it finished
 */
public record AppliedMigration(int version, String name, String checksum, Instant appliedAt) {}
