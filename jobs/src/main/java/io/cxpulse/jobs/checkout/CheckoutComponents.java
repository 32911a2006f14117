package io.cxpulse.jobs.checkout;

import io.cxpulse.events.FunnelStep;
import io.cxpulse.jobs.aggregate.WindowComponents;
import io.cxpulse.metrics.AbandonmentComponents;
import io.cxpulse.metrics.DurationHistogram;
import io.cxpulse.metrics.LogHistogram;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The additive checkout-abandonment components of one window of checkout start × channel × segment
 * (or of a part of one): what a {@code cx_checkout_window} row stores.
 *
 * <p><b>Signed.</b> Built from {@link CheckoutOutcome} records, each one an outcome added ({@code
 * sign = +1}) or taken back ({@code sign = -1}, see {@link CheckoutOutcome}); every component is
 * {@code Σ sign × value}. A correction therefore cancels its earlier outcome exactly, in every
 * component, whichever window or partial the two records landed in. A pre-aggregation partial may
 * hold only the retraction of an outcome whose addition an earlier partial of the same salted key
 * carried, so a partial can be negative; the total of a window row never is, because a retraction
 * always follows its addition through the same salted key. Entries (per currency, step, reason,
 * histogram bucket) that sum to zero are dropped, so equal totals have equal representations
 * however they were reached.
 *
 * <p>The components:
 *
 * <ul>
 *   <li>{@link #getStarted()}, {@link #getCompleted()}, {@link #getAbandoned()}: checkouts whose
 *       outcome is known, by outcome (started = completed + abandoned; the three are still stored
 *       separately so the row reads like {@link AbandonmentComponents});
 *   <li>{@link #getPending()}: checkouts started in the window whose outcome is not known yet
 *       ({@link CheckoutStatus#PENDING} records; a decision takes its checkout's back). Never in
 *       the rate, which is over decided checkouts only;
 *   <li>{@link #getAbandonedValueMinor()}: abandoned cart value per ISO 4217 currency, in minor
 *       units. Currencies are never added to each other: a rate table would make the stored row
 *       depend on the day it was written, and a reader can convert the per-currency sums at any
 *       rate it trusts;
 *   <li>{@link #getAbandonedByStep()}: abandoned checkouts by the highest funnel step reached
 *       (lower-case step name, e.g. {@code payment});
 *   <li>{@link #getAbandonedByReason()}: abandoned checkouts by their last payment-failure reason,
 *       only those that had a failure, so the counts add up to the abandoned checkouts with a
 *       failure;
 *   <li>completion times of completed checkouts (order − start): a sparse {@link LogHistogram}
 *       layout ({@link #getCompletionBuckets()} ascending, {@link #getCompletionCounts()} signed)
 *       and the exact {@link #getCompletionTimeSumMillis()}; the histogram's count is {@link
 *       #getCompleted()}.
 * </ul>
 *
 * <p>{@link #records()} counts the outcome records absorbed, retractions included: the row version.
 *
 * <p>A Flink POJO (public no-argument constructor, getters and setters; Map fields are serialized
 * with Flink's MapSerializer). Mutable like an accumulator: {@link #add} and {@link #merge} change
 * this instance. Not thread-safe.
 */
public class CheckoutComponents implements WindowComponents<CheckoutComponents> {

  private long started;
  private long completed;
  private long abandoned;
  private long pending;
  private Map<String, Long> abandonedValueMinor = new HashMap<>();
  private Map<String, Long> abandonedByStep = new HashMap<>();
  private Map<String, Long> abandonedByReason = new HashMap<>();
  private DurationHistogram completionHistogram = new DurationHistogram();
  private long records;

  /** Empty components. */
  public CheckoutComponents() {}

  /**
   * Adds one outcome record, times its sign. As a method reference, {@code CheckoutComponents::add}
   * is the window aggregation's adder.
   *
   * @throws IllegalArgumentException if the sign is not ±1, or a completed outcome has no
   *     (non-negative) completion time
   */
  public CheckoutComponents add(CheckoutOutcome outcome) {
    int sign = outcome.getSign();
    if (sign != CheckoutOutcome.ADD && sign != CheckoutOutcome.RETRACT) {
      throw new IllegalArgumentException("sign must be +1 or -1: " + outcome);
    }
    records++;
    switch (Objects.requireNonNull(outcome.getStatus(), "status")) {
      case PENDING -> pending += sign;
      case COMPLETED -> {
        started += sign;
        Long millis = outcome.getCompletionTimeMillis();
        if (millis == null || millis < 0) {
          throw new IllegalArgumentException(
              "completed outcome without completion time: " + outcome);
        }
        completed += sign;
        completionHistogram.add(millis, sign);
      }
      case ABANDONED -> {
        started += sign;
        abandoned += sign;
        addTo(abandonedValueMinor, outcome.getCurrency(), sign * outcome.getCartValueMinor());
        addTo(abandonedByStep, stepKey(outcome.getLastStep()), sign);
        if (outcome.getLastPaymentFailureReason() != null) {
          addTo(abandonedByReason, outcome.getLastPaymentFailureReason(), sign);
        }
      }
    }
    return this;
  }

  /** The key a funnel step is stored under: its name in lower case, e.g. {@code payment}. */
  public static String stepKey(FunnelStep step) {
    return (step == null ? FunnelStep.UNKNOWN : step).name().toLowerCase(Locale.ROOT);
  }

  @Override
  public CheckoutComponents merge(CheckoutComponents other) {
    started += other.started;
    completed += other.completed;
    abandoned += other.abandoned;
    pending += other.pending;
    other.abandonedValueMinor.forEach((k, v) -> addTo(abandonedValueMinor, k, v));
    other.abandonedByStep.forEach((k, v) -> addTo(abandonedByStep, k, v));
    other.abandonedByReason.forEach((k, v) -> addTo(abandonedByReason, k, v));
    completionHistogram.merge(other.completionHistogram);
    records += other.records;
    return this;
  }

  @Override
  public long records() {
    return records;
  }

  /**
   * The abandonment counts as {@link AbandonmentComponents}, for the rate, conversion and Wilson
   * interval.
   *
   * @throws IllegalArgumentException if the counts are not a valid total (e.g. a negative partial)
   */
  public AbandonmentComponents abandonment() {
    return AbandonmentComponents.of(started, completed, abandoned);
  }

  /**
   * The completion times as a {@link LogHistogram}, for quantiles.
   *
   * @throws IllegalArgumentException if a count is negative (a partial, not a total)
   */
  public LogHistogram completionTimes() {
    return completionHistogram.toLogHistogram();
  }

  /** {@link #getAbandonedValueMinor()} sorted by currency. */
  public SortedMap<String, Long> abandonedValueByCurrency() {
    return new TreeMap<>(abandonedValueMinor);
  }

  /** {@link #getAbandonedByStep()} sorted by step key. */
  public SortedMap<String, Long> abandonedCountByStep() {
    return new TreeMap<>(abandonedByStep);
  }

  /** {@link #getAbandonedByReason()} sorted by reason. */
  public SortedMap<String, Long> abandonedCountByReason() {
    return new TreeMap<>(abandonedByReason);
  }

  private static void addTo(Map<String, Long> map, String key, long delta) {
    Objects.requireNonNull(key, "key");
    if (delta == 0) {
      return;
    }
    long sum = map.getOrDefault(key, 0L) + delta;
    if (sum == 0) {
      map.remove(key);
    } else {
      map.put(key, sum);
    }
  }

  /** Σ sign over outcomes: checkouts whose outcome is known. */
  public long getStarted() {
    return started;
  }

  public void setStarted(long started) {
    this.started = started;
  }

  public long getCompleted() {
    return completed;
  }

  public void setCompleted(long completed) {
    this.completed = completed;
  }

  public long getAbandoned() {
    return abandoned;
  }

  public void setAbandoned(long abandoned) {
    this.abandoned = abandoned;
  }

  /** Σ sign over pending records: checkouts started whose outcome is not known yet. */
  public long getPending() {
    return pending;
  }

  public void setPending(long pending) {
    this.pending = pending;
  }

  /** Abandoned cart value per currency, minor units; no zero entries. */
  public Map<String, Long> getAbandonedValueMinor() {
    return abandonedValueMinor;
  }

  public void setAbandonedValueMinor(Map<String, Long> abandonedValueMinor) {
    this.abandonedValueMinor = abandonedValueMinor;
  }

  /** Abandoned checkouts by highest funnel step reached ({@link #stepKey}); no zero entries. */
  public Map<String, Long> getAbandonedByStep() {
    return abandonedByStep;
  }

  public void setAbandonedByStep(Map<String, Long> abandonedByStep) {
    this.abandonedByStep = abandonedByStep;
  }

  /** Abandoned checkouts by last payment-failure reason; no zero entries. */
  public Map<String, Long> getAbandonedByReason() {
    return abandonedByReason;
  }

  public void setAbandonedByReason(Map<String, Long> abandonedByReason) {
    this.abandonedByReason = abandonedByReason;
  }

  /** Completion times of completed checkouts, signed counts per bucket and exact sum. */
  public DurationHistogram getCompletionHistogram() {
    return completionHistogram;
  }

  public void setCompletionHistogram(DurationHistogram completionHistogram) {
    this.completionHistogram = completionHistogram;
  }

  // Read-only views of the histogram (no fields of their own, so not POJO properties).

  /** {@link LogHistogram} bucket indexes of completion times, strictly ascending. */
  public int[] getCompletionBuckets() {
    return completionHistogram.getBucketIndexes();
  }

  /** Signed counts of {@link #getCompletionBuckets()}, none zero. */
  public long[] getCompletionCounts() {
    return completionHistogram.getBucketCounts();
  }

  /** Σ sign × completion time of completed checkouts, ms. */
  public long getCompletionTimeSumMillis() {
    return completionHistogram.getSumMillis();
  }

  /** Outcome records absorbed, retractions included; see {@link #records()}. */
  public long getRecords() {
    return records;
  }

  public void setRecords(long records) {
    this.records = records;
  }

  /** Equal components, ignoring {@link #records()} (the same totals reached by another path). */
  public boolean sameTotalsAs(CheckoutComponents other) {
    return started == other.started
        && completed == other.completed
        && abandoned == other.abandoned
        && pending == other.pending
        && abandonedValueMinor.equals(other.abandonedValueMinor)
        && abandonedByStep.equals(other.abandonedByStep)
        && abandonedByReason.equals(other.abandonedByReason)
        && completionHistogram.equals(other.completionHistogram);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CheckoutComponents other && records == other.records && sameTotalsAs(other);
  }

  @Override
  public int hashCode() {
    return Objects.hash(started, completed, abandoned, completionHistogram.getSumMillis(), records);
  }

  @Override
  public String toString() {
    return "CheckoutComponents{started="
        + started
        + ", completed="
        + completed
        + ", abandoned="
        + abandoned
        + ", pending="
        + pending
        + ", abandonedValueMinor="
        + abandonedValueByCurrency()
        + ", abandonedByStep="
        + abandonedCountByStep()
        + ", abandonedByReason="
        + abandonedCountByReason()
        + ", completionTimes="
        + completionHistogram
        + ", records="
        + records
        + "}";
  }
}
