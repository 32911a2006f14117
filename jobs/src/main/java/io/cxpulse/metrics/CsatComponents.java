package io.cxpulse.metrics;

import java.io.Serializable;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Additive components of CSAT (customer satisfaction, 1–5 scale) for one window, channel and
 * segment: the number of satisfied responses (score 4 or 5) and the number of all responses.
 *
 * <p>Window rows store these counts, never the percentage, so that any rollup over channels,
 * segments or time is exact: merging components and then deriving CSAT is right, averaging CSAT
 * percentages is not. The derived values here serve alerting and tests; dashboards derive the same
 * values in ClickHouse views.
 *
 * <p>Mutable, like a Flink accumulator: {@link #add} and {@link #merge} change this instance and
 * return it. Not thread-safe.
 */
public final class CsatComponents implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Lowest score that counts as satisfied. */
  public static final int SATISFIED_MIN_SCORE = 4;

  private long satisfied;
  private long total;

  /** Empty components: no responses. */
  public CsatComponents() {}

  /**
   * Components read back from a stored window row.
   *
   * @throws IllegalArgumentException unless 0 ≤ satisfied ≤ total
   */
  public static CsatComponents of(long satisfied, long total) {
    if (satisfied < 0 || satisfied > total) {
      throw new IllegalArgumentException(
          "need 0 <= satisfied <= total, got " + satisfied + "/" + total);
    }
    CsatComponents components = new CsatComponents();
    components.satisfied = satisfied;
    components.total = total;
    return components;
  }

  /**
   * Counts one response.
   *
   * @throws IllegalArgumentException if the score is not on the 1–5 CSAT scale
   */
  public CsatComponents add(int score) {
    ScoreScale.CSAT.require(score);
    if (score >= SATISFIED_MIN_SCORE) {
      satisfied++;
    }
    total++;
    return this;
  }

  /** Adds {@code other}'s counts to this one; {@code other} is left unchanged. */
  public CsatComponents merge(CsatComponents other) {
    satisfied += other.satisfied;
    total += other.total;
    return this;
  }

  /** An independent copy, so a merge does not change the original. */
  public CsatComponents copy() {
    return of(satisfied, total);
  }

  /** Responses scoring 4 or 5. */
  public long satisfied() {
    return satisfied;
  }

  /** All responses. */
  public long total() {
    return total;
  }

  /** Whether no response has been counted. */
  public boolean isEmpty() {
    return total == 0;
  }

  /** CSAT in percent, 100 × satisfied ÷ total; empty when there are no responses. */
  public OptionalDouble csat() {
    return isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(100.0 * satisfied / total);
  }

  /**
   * Wilson 95 % interval for CSAT, in percent; empty when there are no responses.
   *
   * @see Intervals#wilson(long, long, double)
   */
  public Optional<ConfidenceInterval> confidenceInterval95() {
    if (isEmpty()) {
      return Optional.empty();
    }
    ConfidenceInterval fraction = Intervals.wilson(satisfied, total, Intervals.Z_95);
    return Optional.of(new ConfidenceInterval(100 * fraction.lower(), 100 * fraction.upper()));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CsatComponents other
        && satisfied == other.satisfied
        && total == other.total;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(satisfied) * 31 + Long.hashCode(total);
  }

  @Override
  public String toString() {
    return "CsatComponents{satisfied=" + satisfied + ", total=" + total + "}";
  }
}
