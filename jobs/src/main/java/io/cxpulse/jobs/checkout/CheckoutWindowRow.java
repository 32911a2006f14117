package io.cxpulse.jobs.checkout;

import io.cxpulse.jobs.aggregate.WindowKey;
import io.cxpulse.jobs.alerts.MetricRow;
import io.cxpulse.jobs.alerts.MetricWindow;
import io.cxpulse.jobs.pipeline.ClickHouseTable;
import io.cxpulse.metrics.AbandonmentComponents;
import java.io.Serializable;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One row of {@code cx_checkout_window}: the additive checkout-abandonment components ({@link
 * CheckoutComponents}) of the checkouts that started in one window, channel and segment, with the
 * row's version.
 *
 * <p>Key: (window_start, channel, segment). The version is the number of outcome records the row
 * absorbed, retractions included ({@link CheckoutComponents#records()}): every outcome or
 * correction that reaches the row raises it, a replay of the same input gives the same versions,
 * and {@code ReplacingMergeTree(version)} keeps the row that absorbed the most.
 *
 * <p>Maps are stored as parallel arrays sorted by key (the ClickHouse columns are key and value
 * arrays that {@code sumMap} adds up), so a row's representation does not depend on hash order.
 *
 * <p>A Flink POJO; fields in the table's column order ({@link #TABLE}).
 */
public class CheckoutWindowRow implements Serializable {

  private static final long serialVersionUID = 1L;

  /** What the job writes into {@code cx_checkout_window}: the table's columns, in bind order. */
  public static final ClickHouseTable<CheckoutWindowRow> TABLE =
      ClickHouseTable.<CheckoutWindowRow>named("cx_checkout_window")
          .dateTime("window_start", CheckoutWindowRow::getWindowStart)
          .dateTime("window_end", CheckoutWindowRow::getWindowEnd)
          .string("channel", CheckoutWindowRow::getChannel)
          .string("segment", CheckoutWindowRow::getSegment)
          .int64("started", CheckoutWindowRow::getStarted)
          .int64("completed", CheckoutWindowRow::getCompleted)
          .int64("abandoned", CheckoutWindowRow::getAbandoned)
          .int64("pending", CheckoutWindowRow::getPending)
          .stringArray("abandoned_value_currencies", CheckoutWindowRow::getAbandonedValueCurrencies)
          .longArray("abandoned_value_minor", "Int64", CheckoutWindowRow::getAbandonedValueMinor)
          .stringArray("abandoned_steps", CheckoutWindowRow::getAbandonedSteps)
          .longArray("abandoned_step_counts", "Int64", CheckoutWindowRow::getAbandonedStepCounts)
          .stringArray("abandoned_reasons", CheckoutWindowRow::getAbandonedReasons)
          .longArray(
              "abandoned_reason_counts", "Int64", CheckoutWindowRow::getAbandonedReasonCounts)
          .intArray(
              "completion_time_buckets", "UInt16", CheckoutWindowRow::getCompletionTimeBuckets)
          .longArray("completion_time_counts", "Int64", CheckoutWindowRow::getCompletionTimeCounts)
          .int64("completion_time_sum_ms", CheckoutWindowRow::getCompletionTimeSumMillis)
          .int64("version", CheckoutWindowRow::getVersion)
          .binaryRows()
          .build();

  private Instant windowStart;
  private Instant windowEnd;
  private String channel;
  private String segment;
  private long started;
  private long completed;
  private long abandoned;
  private long pending;
  private String[] abandonedValueCurrencies;
  private long[] abandonedValueMinor;
  private String[] abandonedSteps;
  private long[] abandonedStepCounts;
  private String[] abandonedReasons;
  private long[] abandonedReasonCounts;
  private int[] completionTimeBuckets;
  private long[] completionTimeCounts;
  private long completionTimeSumMillis;
  private long version;

  /** For Flink's POJO serializer. */
  public CheckoutWindowRow() {}

  /** The row of {@code key}'s window ending at {@code windowEndMillis}; the window row factory. */
  public static CheckoutWindowRow of(
      WindowKey key, long windowEndMillis, CheckoutComponents components) {
    return of(
        Instant.ofEpochMilli(key.getWindowStart()),
        Instant.ofEpochMilli(windowEndMillis),
        key.getChannel(),
        key.getSegment(),
        components);
  }

  /**
   * The row for window [{@code windowStart}, {@code windowEnd}) holding {@code components}, version
   * {@code components.records()}.
   */
  public static CheckoutWindowRow of(
      Instant windowStart,
      Instant windowEnd,
      String channel,
      String segment,
      CheckoutComponents components) {
    CheckoutWindowRow row = new CheckoutWindowRow();
    row.windowStart = Objects.requireNonNull(windowStart, "windowStart");
    row.windowEnd = Objects.requireNonNull(windowEnd, "windowEnd");
    row.channel = Objects.requireNonNull(channel, "channel");
    row.segment = Objects.requireNonNull(segment, "segment");
    row.started = components.getStarted();
    row.completed = components.getCompleted();
    row.abandoned = components.getAbandoned();
    row.pending = components.getPending();
    SortedMap<String, Long> value = components.abandonedValueByCurrency();
    row.abandonedValueCurrencies = keys(value);
    row.abandonedValueMinor = values(value);
    SortedMap<String, Long> steps = components.abandonedCountByStep();
    row.abandonedSteps = keys(steps);
    row.abandonedStepCounts = values(steps);
    SortedMap<String, Long> reasons = components.abandonedCountByReason();
    row.abandonedReasons = keys(reasons);
    row.abandonedReasonCounts = values(reasons);
    row.completionTimeBuckets = components.getCompletionBuckets().clone();
    row.completionTimeCounts = components.getCompletionCounts().clone();
    row.completionTimeSumMillis = components.getCompletionTimeSumMillis();
    row.version = components.records();
    return row;
  }

  private static String[] keys(SortedMap<String, Long> map) {
    return map.keySet().toArray(String[]::new);
  }

  private static long[] values(SortedMap<String, Long> map) {
    return map.values().stream().mapToLong(Long::longValue).toArray();
  }

  private static SortedMap<String, Long> zip(String[] keys, long[] values) {
    SortedMap<String, Long> map = new TreeMap<>();
    for (int i = 0; i < keys.length; i++) {
      map.put(keys[i], values[i]);
    }
    return map;
  }

  /** {@link #getAbandonedValueCurrencies()} with {@link #getAbandonedValueMinor()}. */
  public SortedMap<String, Long> abandonedValueByCurrency() {
    return zip(abandonedValueCurrencies, abandonedValueMinor);
  }

  /** {@link #getAbandonedSteps()} with {@link #getAbandonedStepCounts()}. */
  public SortedMap<String, Long> abandonedCountByStep() {
    return zip(abandonedSteps, abandonedStepCounts);
  }

  /** {@link #getAbandonedReasons()} with {@link #getAbandonedReasonCounts()}. */
  public SortedMap<String, Long> abandonedCountByReason() {
    return zip(abandonedReasons, abandonedReasonCounts);
  }

  /** This row as alerting reads it: its abandonment components. */
  public List<MetricRow> metricRows() {
    return List.of(
        MetricRow.of(
            windowStart,
            windowEnd,
            channel,
            segment,
            channel + "/" + segment,
            version,
            MetricWindow.abandonment(AbandonmentComponents.of(started, completed, abandoned))));
  }

  public Instant getWindowStart() {
    return windowStart;
  }

  public void setWindowStart(Instant windowStart) {
    this.windowStart = windowStart;
  }

  public Instant getWindowEnd() {
    return windowEnd;
  }

  public void setWindowEnd(Instant windowEnd) {
    this.windowEnd = windowEnd;
  }

  public String getChannel() {
    return channel;
  }

  public void setChannel(String channel) {
    this.channel = channel;
  }

  public String getSegment() {
    return segment;
  }

  public void setSegment(String segment) {
    this.segment = segment;
  }

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

  /** Checkouts started in the window whose outcome is not known yet; not in the rate. */
  public long getPending() {
    return pending;
  }

  public void setPending(long pending) {
    this.pending = pending;
  }

  /** Currencies of {@link #getAbandonedValueMinor()}, ascending. */
  public String[] getAbandonedValueCurrencies() {
    return abandonedValueCurrencies;
  }

  public void setAbandonedValueCurrencies(String[] abandonedValueCurrencies) {
    this.abandonedValueCurrencies = abandonedValueCurrencies;
  }

  /** Abandoned cart value in minor units, per currency of the same index. */
  public long[] getAbandonedValueMinor() {
    return abandonedValueMinor;
  }

  public void setAbandonedValueMinor(long[] abandonedValueMinor) {
    this.abandonedValueMinor = abandonedValueMinor;
  }

  /** Highest funnel steps reached by abandoned checkouts (lower case), ascending. */
  public String[] getAbandonedSteps() {
    return abandonedSteps;
  }

  public void setAbandonedSteps(String[] abandonedSteps) {
    this.abandonedSteps = abandonedSteps;
  }

  public long[] getAbandonedStepCounts() {
    return abandonedStepCounts;
  }

  public void setAbandonedStepCounts(long[] abandonedStepCounts) {
    this.abandonedStepCounts = abandonedStepCounts;
  }

  /** Last payment-failure reasons of abandoned checkouts, ascending. */
  public String[] getAbandonedReasons() {
    return abandonedReasons;
  }

  public void setAbandonedReasons(String[] abandonedReasons) {
    this.abandonedReasons = abandonedReasons;
  }

  public long[] getAbandonedReasonCounts() {
    return abandonedReasonCounts;
  }

  public void setAbandonedReasonCounts(long[] abandonedReasonCounts) {
    this.abandonedReasonCounts = abandonedReasonCounts;
  }

  /** {@code LogHistogram} bucket indexes of completion times, ascending. */
  public int[] getCompletionTimeBuckets() {
    return completionTimeBuckets;
  }

  public void setCompletionTimeBuckets(int[] completionTimeBuckets) {
    this.completionTimeBuckets = completionTimeBuckets;
  }

  public long[] getCompletionTimeCounts() {
    return completionTimeCounts;
  }

  public void setCompletionTimeCounts(long[] completionTimeCounts) {
    this.completionTimeCounts = completionTimeCounts;
  }

  public long getCompletionTimeSumMillis() {
    return completionTimeSumMillis;
  }

  public void setCompletionTimeSumMillis(long completionTimeSumMillis) {
    this.completionTimeSumMillis = completionTimeSumMillis;
  }

  public long getVersion() {
    return version;
  }

  public void setVersion(long version) {
    this.version = version;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CheckoutWindowRow other
        && Objects.equals(windowStart, other.windowStart)
        && Objects.equals(windowEnd, other.windowEnd)
        && Objects.equals(channel, other.channel)
        && Objects.equals(segment, other.segment)
        && started == other.started
        && completed == other.completed
        && abandoned == other.abandoned
        && pending == other.pending
        && Arrays.equals(abandonedValueCurrencies, other.abandonedValueCurrencies)
        && Arrays.equals(abandonedValueMinor, other.abandonedValueMinor)
        && Arrays.equals(abandonedSteps, other.abandonedSteps)
        && Arrays.equals(abandonedStepCounts, other.abandonedStepCounts)
        && Arrays.equals(abandonedReasons, other.abandonedReasons)
        && Arrays.equals(abandonedReasonCounts, other.abandonedReasonCounts)
        && Arrays.equals(completionTimeBuckets, other.completionTimeBuckets)
        && Arrays.equals(completionTimeCounts, other.completionTimeCounts)
        && completionTimeSumMillis == other.completionTimeSumMillis
        && version == other.version;
  }

  @Override
  public int hashCode() {
    return Objects.hash(windowStart, channel, segment, started, completed, abandoned, version);
  }

  @Override
  public String toString() {
    Map<String, Long> value = abandonedValueByCurrency();
    return "CheckoutWindowRow{"
        + windowStart
        + " "
        + channel
        + "/"
        + segment
        + " v"
        + version
        + " started="
        + started
        + " completed="
        + completed
        + " abandoned="
        + abandoned
        + " pending="
        + pending
        + " value="
        + value
        + " steps="
        + abandonedCountByStep()
        + " reasons="
        + abandonedCountByReason()
        + " completionBuckets="
        + Arrays.toString(completionTimeBuckets)
        + " counts="
        + Arrays.toString(completionTimeCounts)
        + " completionSumMs="
        + completionTimeSumMillis
        + "}";
  }
}
