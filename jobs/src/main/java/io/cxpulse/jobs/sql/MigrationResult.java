package io.cxpulse.jobs.sql;

import java.util.List;

/**
 * What one migration run did.
 *
 * @param applied the migrations applied by this run, in order; empty when the schema was current
 * @param alreadyApplied how many migrations had been applied before this run
 * @param schemaVersion the highest applied version after the run, 0 for none
 */
public record MigrationResult(List<Migration> applied, int alreadyApplied, int schemaVersion) {

  public MigrationResult {
    applied = List.copyOf(applied);
  }
}
