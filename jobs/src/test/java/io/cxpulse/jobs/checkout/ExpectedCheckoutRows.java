package io.cxpulse.jobs.checkout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.cxpulse.jobs.checkout.CheckoutClickHouse.Key;
import io.cxpulse.jobs.checkout.CheckoutClickHouse.ViewRow;
import io.cxpulse.jobs.generator.CheckoutTruth;
import io.cxpulse.metrics.AbandonmentComponents;
import io.cxpulse.metrics.ConfidenceInterval;
import io.cxpulse.metrics.LogHistogram;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The rows every {@code cx_checkout_abandonment} view must hold for a set of checkouts, computed
 * from their {@link CheckoutTruth} alone, without the job's classes: counts, per-currency values,
 * per-step and per-reason counts are summed here, rates and the Wilson interval come from {@link
 * AbandonmentComponents}, quantiles from {@link LogHistogram} (and are also held against the exact
 * quantiles of the completion times within {@link LogHistogram#RELATIVE_ERROR_BOUND}).
 */
public final class ExpectedCheckoutRows {

  /** Agreement of derived doubles: same formulas, same order of operations. */
  public static final double TOLERANCE = 1e-9;

  /** The funnel steps of {@code drop_off_pct}, in funnel order. */
  public static final List<String> FUNNEL =
      List.of("cart", "checkout_started", "shipping", "payment");

  /** A time grain of the views. */
  public enum Grain {
    MINUTE(ChronoUnit.MINUTES),
    HOUR(ChronoUnit.HOURS),
    DAY(ChronoUnit.DAYS);

    private final ChronoUnit unit;

    Grain(ChronoUnit unit) {
      this.unit = unit;
    }

    public Instant truncate(Instant time) {
      return time.truncatedTo(unit);
    }

    /** The named view, e.g. {@code cx_checkout_abandonment_minute}. */
    public String view() {
      return "cx_checkout_abandonment_" + name().toLowerCase();
    }

    /** The parameterised view's call, e.g. {@code cx_checkout_abandonment(grain = 'minute')}. */
    public String parameterised() {
      return "cx_checkout_abandonment(grain = '" + name().toLowerCase() + "')";
    }
  }

  /** The sums of one view row. */
  public static final class Sums {
    long started;
    long completed;
    long abandoned;
    final SortedMap<String, Long> valueAtRisk = new TreeMap<>();
    final SortedMap<String, Long> byStep = new TreeMap<>();
    final SortedMap<String, Long> byReason = new TreeMap<>();
    final LogHistogram completionTimes = new LogHistogram();
    final List<Long> exactTimes = new ArrayList<>();

    void add(CheckoutTruth truth) {
      started++;
      if (truth.completed()) {
        completed++;
        completionTimes.add(truth.completionTimeMillis());
        exactTimes.add(truth.completionTimeMillis());
      } else {
        abandoned++;
        valueAtRisk.merge(truth.currency(), truth.cartValueMinor(), Long::sum);
        byStep.merge(truth.lastStep().name().toLowerCase(Locale.ROOT), 1L, Long::sum);
        if (truth.lastPaymentFailureReason() != null) {
          byReason.merge(truth.lastPaymentFailureReason(), 1L, Long::sum);
        }
      }
    }

    public long started() {
      return started;
    }
  }

  private final List<CheckoutTruth> checkouts;
  private final long windowMillis;

  private ExpectedCheckoutRows(List<CheckoutTruth> checkouts, Duration window) {
    this.checkouts = List.copyOf(checkouts);
    this.windowMillis = window.toMillis();
  }

  /** The expectation for {@code checkouts} counted in windows of {@code window}. */
  public static ExpectedCheckoutRows of(List<CheckoutTruth> checkouts, Duration window) {
    return new ExpectedCheckoutRows(checkouts, window);
  }

  /** The expected rows of {@code grain}, every grouping set ('all' for a rolled-up dimension). */
  public SortedMap<Key, Sums> rows(Grain grain) {
    SortedMap<Key, Sums> rows = new TreeMap<>();
    for (CheckoutTruth truth : checkouts) {
      long start = truth.start().toEpochMilli();
      Instant windowStart = Instant.ofEpochMilli(start - Math.floorMod(start, windowMillis));
      Instant bucket = grain.truncate(windowStart);
      for (String channel : List.of(truth.channel(), "all")) {
        for (String segment : List.of(truth.segment(), "all")) {
          rows.computeIfAbsent(new Key(bucket, channel, segment), k -> new Sums()).add(truth);
        }
      }
    }
    return rows;
  }

  /** Number of channel × segment rows per window: the window rows the job must write. */
  public long windowRows() {
    return rows(Grain.MINUTE).keySet().stream()
        .filter(k -> !k.channel().equals("all") && !k.segment().equals("all"))
        .count();
  }

  /** Asserts that {@code actual} (a view of {@code grain}) holds exactly the expected rows. */
  public void assertMatches(Grain grain, Map<Key, ViewRow> actual) {
    SortedMap<Key, Sums> expected = rows(grain);
    assertThat(actual.keySet()).as("%s rows", grain).containsExactlyElementsOf(expected.keySet());
    expected.forEach((key, sums) -> assertAgrees(grain + " " + key, sums, actual.get(key)));
  }

  /** Asserts every value of one view row against its sums. */
  public static void assertAgrees(String what, Sums sums, ViewRow actual) {
    assertThat(actual.started()).as("%s started", what).isEqualTo(sums.started);
    assertThat(actual.completed()).as("%s completed", what).isEqualTo(sums.completed);
    assertThat(actual.abandoned()).as("%s abandoned", what).isEqualTo(sums.abandoned);
    assertThat(actual.pending()).as("%s pending: every checkout decided", what).isZero();
    assertThat(actual.valueAtRisk()).as("%s value at risk", what).isEqualTo(sums.valueAtRisk);
    assertThat(actual.abandonedByStep()).as("%s by step", what).isEqualTo(sums.byStep);
    assertThat(actual.abandonedByReason()).as("%s by reason", what).isEqualTo(sums.byReason);
    assertThat(actual.buckets())
        .as("%s buckets", what)
        .containsExactly(sums.completionTimes.bucketIndexes());
    assertThat(actual.counts())
        .as("%s counts", what)
        .containsExactly(sums.completionTimes.bucketCounts());
    assertThat(actual.completionCount()).as("%s completion count", what).isEqualTo(sums.completed);
    assertThat(actual.completionSumMs())
        .as("%s completion sum", what)
        .isEqualTo(sums.completionTimes.sum());

    AbandonmentComponents abandonment =
        AbandonmentComponents.of(sums.started, sums.completed, sums.abandoned);
    assertClose(what + " abandonment_pct", actual.abandonmentPct(), abandonment.abandonmentRate());
    Optional<ConfidenceInterval> interval = abandonment.abandonmentInterval95();
    assertClose(
        what + " ci_low",
        actual.ciLow(),
        interval.map(i -> OptionalDouble.of(i.lower())).orElse(OptionalDouble.empty()));
    assertClose(
        what + " ci_high",
        actual.ciHigh(),
        interval.map(i -> OptionalDouble.of(i.upper())).orElse(OptionalDouble.empty()));
    assertClose(what + " conversion_pct", actual.conversionPct(), abandonment.conversionRate());

    Map<String, Double> dropOff = dropOff(sums.completed, sums.byStep);
    assertThat(actual.dropOffPct().keySet())
        .as("%s drop-off steps", what)
        .containsExactlyInAnyOrderElementsOf(dropOff.keySet());
    dropOff.forEach(
        (step, pct) ->
            assertThat(actual.dropOffPct().get(step))
                .as("%s drop-off %s", what, step)
                .isCloseTo(pct, within(TOLERANCE)));

    assertClose(what + " mean", actual.meanMs(), sums.completionTimes.mean());
    long[] sorted = sums.exactTimes.stream().mapToLong(Long::longValue).sorted().toArray();
    for (int i = 0; i < ViewRow.QUANTILES.length; i++) {
      double q = ViewRow.QUANTILES[i];
      OptionalDouble quantile = sums.completionTimes.quantile(q);
      Double value = actual.quantilesMs().get(i);
      if (quantile.isEmpty()) {
        assertThat(value).as("%s q%s", what, q).isNull();
        continue;
      }
      // pow in ClickHouse and Math.pow may differ in the last bit.
      double estimate = quantile.getAsDouble();
      assertThat(value)
          .as("%s q%s", what, q)
          .isNotNull()
          .isCloseTo(estimate, within(1e-12 * Math.max(1, estimate)));
      long exact = sorted[(int) LogHistogram.rank(q, sorted.length) - 1];
      if (exact > 0 && exact < LogHistogram.OVERFLOW_THRESHOLD_MILLIS) {
        assertThat(Math.abs(value - exact) / exact)
            .as("%s q%s %s against the exact %s", what, q, value, exact)
            .isLessThanOrEqualTo(LogHistogram.RELATIVE_ERROR_BOUND);
      }
    }
  }

  /**
   * Drop-off per funnel step as the view defines it: 100 × abandoned at the step ÷ checkouts that
   * reached it (completed + abandoned at that step or a later one), for steps someone reached.
   */
  public static Map<String, Double> dropOff(long completed, Map<String, Long> abandonedByStep) {
    Map<String, Double> dropOff = new LinkedHashMap<>();
    for (int i = 0; i < FUNNEL.size(); i++) {
      long lost = abandonedByStep.getOrDefault(FUNNEL.get(i), 0L);
      long reached = completed;
      for (int j = i; j < FUNNEL.size(); j++) {
        reached += abandonedByStep.getOrDefault(FUNNEL.get(j), 0L);
      }
      if (reached > 0) {
        dropOff.put(FUNNEL.get(i), 100.0 * lost / reached);
      }
    }
    return dropOff;
  }

  private static void assertClose(String what, Double actual, OptionalDouble expected) {
    if (expected.isEmpty()) {
      assertThat(actual).as(what).isNull();
    } else {
      assertThat(actual).as(what).isNotNull().isCloseTo(expected.getAsDouble(), within(TOLERANCE));
    }
  }

  /** A one-line summary for test logs. */
  public String summary() {
    Sums all = new Sums();
    checkouts.forEach(all::add);
    AbandonmentComponents a = AbandonmentComponents.of(all.started, all.completed, all.abandoned);
    return String.format(
        "%d checkouts, %d completed, %d abandoned (%.2f %%), value at risk %s, p50 %s ms",
        all.started,
        all.completed,
        all.abandoned,
        a.abandonmentRate().orElse(Double.NaN),
        all.valueAtRisk,
        all.completionTimes.quantile(0.5));
  }
}
