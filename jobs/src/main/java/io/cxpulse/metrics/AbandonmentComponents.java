package io.cxpulse.metrics;

import java.io.Serializable;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Additive components of checkout abandonment for one window of checkout start, channel and
 * segment: checkouts started, completed (an order was placed) and abandoned (no order within the
 * inactivity timeout).
 *
 * <p>Window rows store these counts, never the rate, so that any rollup is exact (see {@link
 * CsatComponents}). Completed and abandoned are stored separately rather than one being derived as
 * started minus the other because, until every checkout of a window has either completed or timed
 * out, some are still <em>pending</em>; deriving abandoned as started − completed would count those
 * as abandoned too early.
 *
 * <p>Each checkout is attributed to the window in which it started, so the rate of a window keeps
 * changing while its checkouts are pending and is final once {@link #pending()} is 0. A checkout
 * that completes after it was counted abandoned is corrected by rebuilding the window's components
 * (a newer version of the row), not by subtracting here: components only ever grow.
 *
 * <p>Mutable, like a Flink accumulator: {@link #add} and {@link #merge} change this instance and
 * return it. Not thread-safe.
 */
public final class AbandonmentComponents implements Serializable {

  private static final long serialVersionUID = 1L;

  /** What became of one started checkout, as far as is known. */
  public enum Outcome {
    /** An order was placed. */
    COMPLETED,
    /** No order within the inactivity timeout. */
    ABANDONED,
    /** Neither yet: the checkout is still inside its inactivity timeout. */
    PENDING
  }

  private long started;
  private long completed;
  private long abandoned;

  /** Empty components: no checkouts. */
  public AbandonmentComponents() {}

  /**
   * Components read back from a stored window row.
   *
   * @throws IllegalArgumentException unless all counts are non-negative and completed + abandoned ≤
   *     started (a checkout cannot end twice, nor end without starting)
   */
  public static AbandonmentComponents of(long started, long completed, long abandoned) {
    if (started < 0 || completed < 0 || abandoned < 0 || completed > started - abandoned) {
      throw new IllegalArgumentException(
          "need counts >= 0 and completed + abandoned <= started, got started/completed/abandoned "
              + started
              + "/"
              + completed
              + "/"
              + abandoned);
    }
    AbandonmentComponents components = new AbandonmentComponents();
    components.started = started;
    components.completed = completed;
    components.abandoned = abandoned;
    return components;
  }

  /**
   * Counts one started checkout with its outcome. One call per checkout, so that the invariant
   * completed + abandoned ≤ started holds by construction.
   */
  public AbandonmentComponents add(Outcome outcome) {
    switch (Objects.requireNonNull(outcome, "outcome")) {
      case COMPLETED -> completed++;
      case ABANDONED -> abandoned++;
      case PENDING -> {}
    }
    started++;
    return this;
  }

  /** Adds {@code other}'s counts to this one; {@code other} is left unchanged. */
  public AbandonmentComponents merge(AbandonmentComponents other) {
    started += other.started;
    completed += other.completed;
    abandoned += other.abandoned;
    return this;
  }

  /** An independent copy, so a merge does not change the original. */
  public AbandonmentComponents copy() {
    return of(started, completed, abandoned);
  }

  /** Checkouts that started in the window. */
  public long started() {
    return started;
  }

  /** Started checkouts that reached an order. */
  public long completed() {
    return completed;
  }

  /** Started checkouts that reached no order within the inactivity timeout. */
  public long abandoned() {
    return abandoned;
  }

  /** Started checkouts whose outcome is not known yet. */
  public long pending() {
    return started - completed - abandoned;
  }

  /** Whether no checkout has been counted. */
  public boolean isEmpty() {
    return started == 0;
  }

  /**
   * Abandonment rate in percent, 100 × abandoned ÷ started; empty when nothing started. Pending
   * checkouts count in the denominator only, so before the window is final this is a lower bound.
   */
  public OptionalDouble abandonmentRate() {
    return isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(100.0 * abandoned / started);
  }

  /** Conversion in percent, 100 × completed ÷ started; empty when nothing started. */
  public OptionalDouble conversionRate() {
    return isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(100.0 * completed / started);
  }

  /**
   * Wilson 95 % interval for the abandonment rate, in percent; empty when nothing started.
   *
   * @see Intervals#wilson(long, long, double)
   */
  public Optional<ConfidenceInterval> abandonmentInterval95() {
    if (isEmpty()) {
      return Optional.empty();
    }
    ConfidenceInterval fraction = Intervals.wilson(abandoned, started, Intervals.Z_95);
    return Optional.of(new ConfidenceInterval(100 * fraction.lower(), 100 * fraction.upper()));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AbandonmentComponents other
        && started == other.started
        && completed == other.completed
        && abandoned == other.abandoned;
  }

  @Override
  public int hashCode() {
    return Objects.hash(started, completed, abandoned);
  }

  @Override
  public String toString() {
    return "AbandonmentComponents{started="
        + started
        + ", completed="
        + completed
        + ", abandoned="
        + abandoned
        + "}";
  }
}
