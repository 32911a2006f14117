package io.cxpulse.jobs.sql;

import java.util.List;

/**
 * What one migration run did.
 *
 * @param applied the versioned migrations applied by this run, in order; empty when none was
 *     pending
 * @param alreadyApplied how many versioned migrations had been applied before this run
 * @param schemaVersion the highest applied version after the run, 0 for none
 * @param repeatablesApplied the repeatable scripts (functions and views) applied by this run, in
 *     order; empty when every one was current
 */
public record MigrationResult(
    List<Migration> applied,
    int alreadyApplied,
    int schemaVersion,
    List<RepeatableScript> repeatablesApplied) {

  public MigrationResult {
    applied = List.copyOf(applied);
    repeatablesApplied = List.copyOf(repeatablesApplied);
  }

  /** A run that applied no repeatable script. */
  public MigrationResult(List<Migration> applied, int alreadyApplied, int schemaVersion) {
    this(applied, alreadyApplied, schemaVersion, List.of());
  }
}
