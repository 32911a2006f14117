package io.cxpulse.metrics;

/**
 * A two-sided confidence interval, in the unit of the metric it belongs to (percent for CSAT, NPS
 * points for NPS, score points for CES).
 *
 * <p>Alerts compare intervals rather than point values so that a drop on a handful of responses
 * does not page anyone.
 *
 * @param lower lower bound, inclusive
 * @param upper upper bound, inclusive
 */
public record ConfidenceInterval(double lower, double upper) {

  /** Rejects NaN and inverted bounds, which would otherwise make every comparison false. */
  public ConfidenceInterval {
    if (Double.isNaN(lower) || Double.isNaN(upper) || lower > upper) {
      throw new IllegalArgumentException("invalid interval [" + lower + ", " + upper + "]");
    }
  }

  /** Whether {@code value} lies inside the interval. */
  public boolean contains(double value) {
    return value >= lower && value <= upper;
  }

  /** Distance between the bounds. */
  public double width() {
    return upper - lower;
  }
}
