package io.cxpulse.jobs.validation;

/**
 * The value a dimension reads in the views (and alerts) when it is summed over all its values. No
 * event may carry it: segments are free text, and a producer's segment literally named {@value
 * #ALL} would be indistinguishable from the rollup of every segment, so the gate rejects it.
 */
public final class Rollup {

  /** The rollup marker, as the SQL views and {@code schemas/alert.avsc} spell it. */
  public static final String ALL = "all";

  private Rollup() {}
}
