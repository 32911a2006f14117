package io.cxpulse.jobs.alerts;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/**
 * One version of one metric window row, as alerting reads it: a survey row gives three (CSAT, NPS,
 * CES), a checkout row one (abandonment), a ticket row two (first-response p90, SLA breach rate).
 *
 * <p>Rows are versioned like the ClickHouse tables they mirror: a late record re-emits its row with
 * a higher version, and the alert stage keeps the highest version of each {@link #getRowKey() row
 * key} and window, as {@code ReplacingMergeTree(version)} does, so a late record corrects the sums
 * instead of being counted twice.
 *
 * <p>A Flink POJO; {@link #getComponents()} is serialised as a generic type.
 */
public class MetricRow implements Serializable {

  private static final long serialVersionUID = 1L;

  private Metric metric;
  private long windowStartMillis;
  private long windowEndMillis;
  private String channel;
  private String segment;
  private String rowKey;
  private long version;
  private MetricWindow components;

  /** For Flink's POJO serializer. */
  public MetricRow() {}

  /**
   * A row of window [{@code windowStartMillis}, {@code windowEndMillis}).
   *
   * @param rowKey the row's dimensions beyond the window ({@code channel/segment}, plus the
   *     priority for tickets): rows with the same key and window replace each other
   */
  public static MetricRow of(
      long windowStartMillis,
      long windowEndMillis,
      String channel,
      String segment,
      String rowKey,
      long version,
      MetricWindow components) {
    MetricRow row = new MetricRow();
    row.metric = components.metric();
    row.windowStartMillis = windowStartMillis;
    row.windowEndMillis = windowEndMillis;
    row.channel = Objects.requireNonNull(channel, "channel");
    row.segment = Objects.requireNonNull(segment, "segment");
    row.rowKey = Objects.requireNonNull(rowKey, "rowKey");
    row.version = version;
    row.components = components;
    return row;
  }

  /** As {@link #of(long, long, String, String, String, long, MetricWindow)}, from instants. */
  public static MetricRow of(
      Instant windowStart,
      Instant windowEnd,
      String channel,
      String segment,
      String rowKey,
      long version,
      MetricWindow components) {
    return of(
        windowStart.toEpochMilli(),
        windowEnd.toEpochMilli(),
        channel,
        segment,
        rowKey,
        version,
        components);
  }

  public Metric getMetric() {
    return metric;
  }

  public void setMetric(Metric metric) {
    this.metric = metric;
  }

  public long getWindowStartMillis() {
    return windowStartMillis;
  }

  public void setWindowStartMillis(long windowStartMillis) {
    this.windowStartMillis = windowStartMillis;
  }

  public long getWindowEndMillis() {
    return windowEndMillis;
  }

  public void setWindowEndMillis(long windowEndMillis) {
    this.windowEndMillis = windowEndMillis;
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

  public String getRowKey() {
    return rowKey;
  }

  public void setRowKey(String rowKey) {
    this.rowKey = rowKey;
  }

  public long getVersion() {
    return version;
  }

  public void setVersion(long version) {
    this.version = version;
  }

  public MetricWindow getComponents() {
    return components;
  }

  public void setComponents(MetricWindow components) {
    this.components = components;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MetricRow other
        && metric == other.metric
        && windowStartMillis == other.windowStartMillis
        && windowEndMillis == other.windowEndMillis
        && Objects.equals(channel, other.channel)
        && Objects.equals(segment, other.segment)
        && Objects.equals(rowKey, other.rowKey)
        && version == other.version
        && Objects.equals(components, other.components);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        metric, windowStartMillis, windowEndMillis, channel, segment, rowKey, version, components);
  }

  @Override
  public String toString() {
    return "MetricRow{"
        + rowKey
        + " @"
        + windowStartMillis
        + " v"
        + version
        + " "
        + components
        + "}";
  }
}
