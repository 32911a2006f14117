package io.cxpulse.jobs.tickets;

import io.cxpulse.jobs.aggregate.WindowKey;
import io.cxpulse.jobs.alerts.MetricRow;
import io.cxpulse.jobs.alerts.MetricWindow;
import io.cxpulse.jobs.pipeline.ClickHouseTable;
import io.cxpulse.metrics.LogHistogram;
import java.io.Serializable;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * One row of {@code cx_ticket_window}: the additive support components ({@link TicketComponents})
 * of one window × channel × segment × priority, with the row's version.
 *
 * <p>Key: (window_start, channel, segment, priority). The version is the number of facts the row
 * absorbed, retractions included ({@link TicketComponents#records()}): it grows with every change,
 * a replay writes the same versions again, and {@code ReplacingMergeTree(version)} keeps the
 * newest.
 *
 * <p>Histograms are stored sparse, as {@link LogHistogram} bucket indexes and signed counts, so
 * ClickHouse rolls them up with {@code sumMap}. The columns hold every component; the views derive
 * percentiles, averages and rates.
 *
 * <p>A Flink POJO; fields in the table's column order ({@link #TABLE}).
 */
public class TicketWindowRow implements Serializable {

  private static final long serialVersionUID = 1L;

  /** What the job writes into {@code cx_ticket_window}: the table's columns, in bind order. */
  public static final ClickHouseTable<TicketWindowRow> TABLE =
      ClickHouseTable.<TicketWindowRow>named("cx_ticket_window")
          .dateTime("window_start", TicketWindowRow::getWindowStart)
          .dateTime("window_end", TicketWindowRow::getWindowEnd)
          .string("channel", TicketWindowRow::getChannel)
          .string("segment", TicketWindowRow::getSegment)
          .string("priority", TicketWindowRow::getPriority)
          .int64("tickets_opened", TicketWindowRow::getTicketsOpened)
          .int64("tickets_reopened", TicketWindowRow::getTicketsReopened)
          .int64("first_responses", TicketWindowRow::getFirstResponses)
          .int64("first_response_sum_ms", TicketWindowRow::getFirstResponseSumMillis)
          .intArray("first_response_buckets", "UInt16", TicketWindowRow::getFirstResponseBuckets)
          .longArray("first_response_counts", "Int64", TicketWindowRow::getFirstResponseCounts)
          .int64("sla_met", TicketWindowRow::getSlaMet)
          .int64("sla_breached", TicketWindowRow::getSlaBreached)
          .int64("sla_breached_unanswered", TicketWindowRow::getSlaBreachedUnanswered)
          .int64("resolved", TicketWindowRow::getResolved)
          .int64("resolution_sum_ms", TicketWindowRow::getResolutionSumMillis)
          .intArray("resolution_buckets", "UInt16", TicketWindowRow::getResolutionBuckets)
          .longArray("resolution_counts", "Int64", TicketWindowRow::getResolutionCounts)
          .int64("backlog_delta", TicketWindowRow::getBacklogDelta)
          .int64("awaiting_first_response_delta", TicketWindowRow::getAwaitingFirstResponseDelta)
          .int64("version", TicketWindowRow::getVersion)
          .binaryRows()
          .build();

  private Instant windowStart;
  private Instant windowEnd;
  private String channel;
  private String segment;
  private String priority;
  private long ticketsOpened;
  private long ticketsReopened;
  private long firstResponses;
  private long firstResponseSumMillis;
  private int[] firstResponseBuckets;
  private long[] firstResponseCounts;
  private long slaMet;
  private long slaBreached;
  private long slaBreachedUnanswered;
  private long resolved;
  private long resolutionSumMillis;
  private int[] resolutionBuckets;
  private long[] resolutionCounts;
  private long backlogDelta;
  private long awaitingFirstResponseDelta;
  private long version;

  /** For Flink's POJO serializer. */
  public TicketWindowRow() {}

  /**
   * The row of window [{@code key.windowStart}, {@code windowEndMillis}) with {@code components};
   * the window aggregation's row factory ({@code TicketWindowRow::of}).
   */
  public static TicketWindowRow of(WindowKey key, long windowEndMillis, TicketComponents c) {
    TicketWindowRow row = new TicketWindowRow();
    row.windowStart = Instant.ofEpochMilli(key.getWindowStart());
    row.windowEnd = Instant.ofEpochMilli(windowEndMillis);
    row.channel = key.getChannel();
    row.segment = key.getSegment();
    row.priority = key.getPriority();
    row.ticketsOpened = c.getOpened();
    row.ticketsReopened = c.getReopened();
    row.firstResponses = c.firstResponses();
    row.firstResponseSumMillis = c.getFirstResponseTimes().getSumMillis();
    row.firstResponseBuckets = c.getFirstResponseTimes().getBucketIndexes().clone();
    row.firstResponseCounts = c.getFirstResponseTimes().getBucketCounts().clone();
    row.slaMet = c.getSlaMet();
    row.slaBreached = c.getSlaBreached();
    row.slaBreachedUnanswered = c.getSlaBreachedUnanswered();
    row.resolved = c.getResolved();
    row.resolutionSumMillis = c.getResolutionTimes().getSumMillis();
    row.resolutionBuckets = c.getResolutionTimes().getBucketIndexes().clone();
    row.resolutionCounts = c.getResolutionTimes().getBucketCounts().clone();
    row.backlogDelta = c.backlogDelta();
    row.awaitingFirstResponseDelta = c.getAwaitingFirstResponseDelta();
    row.version = c.records();
    return row;
  }

  /** The first-response histogram of this row (a total: counts are never negative). */
  public LogHistogram firstResponseHistogram() {
    return LogHistogram.of(firstResponseSumMillis, firstResponseBuckets, firstResponseCounts);
  }

  /** The resolution-time histogram of this row. */
  public LogHistogram resolutionHistogram() {
    return LogHistogram.of(resolutionSumMillis, resolutionBuckets, resolutionCounts);
  }

  /** This row as alerting reads it: first-response times and SLA outcomes. */
  public List<MetricRow> metricRows() {
    String rowKey = channel + "/" + segment + "/" + priority;
    return Stream.of(
            MetricWindow.firstResponseTimes(firstResponseHistogram()),
            MetricWindow.slaBreaches(slaMet, slaBreached))
        .map(c -> MetricRow.of(windowStart, windowEnd, channel, segment, rowKey, version, c))
        .toList();
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

  /** Lower-case channel of the ticket's opening, e.g. {@code chat}. */
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

  /** Lower-case priority of the ticket's opening, e.g. {@code high}. */
  public String getPriority() {
    return priority;
  }

  public void setPriority(String priority) {
    this.priority = priority;
  }

  public long getTicketsOpened() {
    return ticketsOpened;
  }

  public void setTicketsOpened(long ticketsOpened) {
    this.ticketsOpened = ticketsOpened;
  }

  public long getTicketsReopened() {
    return ticketsReopened;
  }

  public void setTicketsReopened(long ticketsReopened) {
    this.ticketsReopened = ticketsReopened;
  }

  public long getFirstResponses() {
    return firstResponses;
  }

  public void setFirstResponses(long firstResponses) {
    this.firstResponses = firstResponses;
  }

  public long getFirstResponseSumMillis() {
    return firstResponseSumMillis;
  }

  public void setFirstResponseSumMillis(long firstResponseSumMillis) {
    this.firstResponseSumMillis = firstResponseSumMillis;
  }

  /** {@link LogHistogram} bucket indexes of first-response times, ascending. */
  public int[] getFirstResponseBuckets() {
    return firstResponseBuckets;
  }

  public void setFirstResponseBuckets(int[] firstResponseBuckets) {
    this.firstResponseBuckets = firstResponseBuckets;
  }

  /** Counts of {@link #getFirstResponseBuckets()}. */
  public long[] getFirstResponseCounts() {
    return firstResponseCounts;
  }

  public void setFirstResponseCounts(long[] firstResponseCounts) {
    this.firstResponseCounts = firstResponseCounts;
  }

  public long getSlaMet() {
    return slaMet;
  }

  public void setSlaMet(long slaMet) {
    this.slaMet = slaMet;
  }

  public long getSlaBreached() {
    return slaBreached;
  }

  public void setSlaBreached(long slaBreached) {
    this.slaBreached = slaBreached;
  }

  public long getSlaBreachedUnanswered() {
    return slaBreachedUnanswered;
  }

  public void setSlaBreachedUnanswered(long slaBreachedUnanswered) {
    this.slaBreachedUnanswered = slaBreachedUnanswered;
  }

  public long getResolved() {
    return resolved;
  }

  public void setResolved(long resolved) {
    this.resolved = resolved;
  }

  public long getResolutionSumMillis() {
    return resolutionSumMillis;
  }

  public void setResolutionSumMillis(long resolutionSumMillis) {
    this.resolutionSumMillis = resolutionSumMillis;
  }

  /** {@link LogHistogram} bucket indexes of resolution times, ascending. */
  public int[] getResolutionBuckets() {
    return resolutionBuckets;
  }

  public void setResolutionBuckets(int[] resolutionBuckets) {
    this.resolutionBuckets = resolutionBuckets;
  }

  /** Counts of {@link #getResolutionBuckets()}. */
  public long[] getResolutionCounts() {
    return resolutionCounts;
  }

  public void setResolutionCounts(long[] resolutionCounts) {
    this.resolutionCounts = resolutionCounts;
  }

  /** Episodes opened (new and reopened) minus episodes resolved in this window. */
  public long getBacklogDelta() {
    return backlogDelta;
  }

  public void setBacklogDelta(long backlogDelta) {
    this.backlogDelta = backlogDelta;
  }

  /** Tickets opened minus tickets whose wait for a first response within their SLA ended. */
  public long getAwaitingFirstResponseDelta() {
    return awaitingFirstResponseDelta;
  }

  public void setAwaitingFirstResponseDelta(long awaitingFirstResponseDelta) {
    this.awaitingFirstResponseDelta = awaitingFirstResponseDelta;
  }

  public long getVersion() {
    return version;
  }

  public void setVersion(long version) {
    this.version = version;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TicketWindowRow other
        && Objects.equals(windowStart, other.windowStart)
        && Objects.equals(windowEnd, other.windowEnd)
        && Objects.equals(channel, other.channel)
        && Objects.equals(segment, other.segment)
        && Objects.equals(priority, other.priority)
        && ticketsOpened == other.ticketsOpened
        && ticketsReopened == other.ticketsReopened
        && firstResponses == other.firstResponses
        && firstResponseSumMillis == other.firstResponseSumMillis
        && Arrays.equals(firstResponseBuckets, other.firstResponseBuckets)
        && Arrays.equals(firstResponseCounts, other.firstResponseCounts)
        && slaMet == other.slaMet
        && slaBreached == other.slaBreached
        && slaBreachedUnanswered == other.slaBreachedUnanswered
        && resolved == other.resolved
        && resolutionSumMillis == other.resolutionSumMillis
        && Arrays.equals(resolutionBuckets, other.resolutionBuckets)
        && Arrays.equals(resolutionCounts, other.resolutionCounts)
        && backlogDelta == other.backlogDelta
        && awaitingFirstResponseDelta == other.awaitingFirstResponseDelta
        && version == other.version;
  }

  @Override
  public int hashCode() {
    return Objects.hash(windowStart, channel, segment, priority, version);
  }

  @Override
  public String toString() {
    return "TicketWindowRow{"
        + windowStart
        + ".."
        + windowEnd
        + " "
        + channel
        + "/"
        + segment
        + "/"
        + priority
        + ", opened="
        + ticketsOpened
        + "+"
        + ticketsReopened
        + ", firstResponses="
        + firstResponses
        + " sum="
        + firstResponseSumMillis
        + " "
        + Arrays.toString(firstResponseBuckets)
        + Arrays.toString(firstResponseCounts)
        + ", sla met/breached="
        + slaMet
        + "/"
        + slaBreached
        + " (unanswered "
        + slaBreachedUnanswered
        + "), resolved="
        + resolved
        + " sum="
        + resolutionSumMillis
        + " "
        + Arrays.toString(resolutionBuckets)
        + Arrays.toString(resolutionCounts)
        + ", backlogDelta="
        + backlogDelta
        + ", awaitingFirstResponseDelta="
        + awaitingFirstResponseDelta
        + ", version="
        + version
        + "}";
  }
}
