package io.cxpulse.jobs.survey;

import io.cxpulse.jobs.aggregate.WindowAggregation;
import io.cxpulse.jobs.aggregate.WindowKey;
import io.cxpulse.jobs.alerts.MetricRow;
import io.cxpulse.jobs.alerts.MetricWindow;
import io.cxpulse.jobs.pipeline.ClickHouseTable;
import io.cxpulse.metrics.CesComponents;
import io.cxpulse.metrics.CsatComponents;
import io.cxpulse.metrics.NpsComponents;
import java.io.Serializable;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * One row of {@code cx_survey_window}: the additive CSAT, NPS and CES components of the survey
 * responses of one window, channel and segment, with the row's version.
 *
 * <p>Key: (window_start, channel, segment). The version is the number of responses aggregated into
 * the row: a late response re-emits the row with the next version, a replay re-emits the same
 * versions, and {@code ReplacingMergeTree(version)} keeps the row with the most data (see {@link
 * WindowAggregation}).
 *
 * <p>A Flink POJO; fields in the table's column order ({@link #TABLE}).
 */
public class SurveyWindowRow implements Serializable {

  private static final long serialVersionUID = 1L;

  /** What the job writes into {@code cx_survey_window}: the table's columns, in bind order. */
  public static final ClickHouseTable<SurveyWindowRow> TABLE =
      ClickHouseTable.<SurveyWindowRow>named("cx_survey_window")
          .dateTime("window_start", SurveyWindowRow::getWindowStart)
          .dateTime("window_end", SurveyWindowRow::getWindowEnd)
          .string("channel", SurveyWindowRow::getChannel)
          .string("segment", SurveyWindowRow::getSegment)
          .int64("csat_total", SurveyWindowRow::getCsatTotal)
          .int64("csat_satisfied", SurveyWindowRow::getCsatSatisfied)
          .int64("nps_total", SurveyWindowRow::getNpsTotal)
          .int64("nps_promoters", SurveyWindowRow::getNpsPromoters)
          .int64("nps_passives", SurveyWindowRow::getNpsPassives)
          .int64("nps_detractors", SurveyWindowRow::getNpsDetractors)
          .int64("ces_count", SurveyWindowRow::getCesCount)
          .int64("ces_sum", SurveyWindowRow::getCesSum)
          .int64("ces_sum_squares", SurveyWindowRow::getCesSumSquares)
          .longArray("ces_histogram", "UInt64", SurveyWindowRow::getCesHistogram)
          .int64("version", SurveyWindowRow::getVersion)
          .binaryRows()
          .build();

  private Instant windowStart;
  private Instant windowEnd;
  private String channel;
  private String segment;
  private long csatTotal;
  private long csatSatisfied;
  private long npsTotal;
  private long npsPromoters;
  private long npsPassives;
  private long npsDetractors;
  private long cesCount;
  private long cesSum;
  private long cesSumSquares;
  private long[] cesHistogram;
  private long version;

  /** For Flink's POJO serializer. */
  public SurveyWindowRow() {}

  /**
   * The row of {@code key}'s window, ending at {@code windowEndMillis}, versioned by its response
   * count: the same responses give the same version in any replay, and each response added later
   * raises it, so {@code ReplacingMergeTree(version)} keeps the row with every accepted response.
   */
  public static SurveyWindowRow of(
      WindowKey key, long windowEndMillis, SurveyAccumulator accumulator) {
    return of(
        Instant.ofEpochMilli(key.getWindowStart()),
        Instant.ofEpochMilli(windowEndMillis),
        key.getChannel(),
        key.getSegment(),
        accumulator.csat(),
        accumulator.nps(),
        accumulator.ces(),
        accumulator.records());
  }

  /** The row for window [{@code windowStart}, {@code windowEnd}) with the given components. */
  public static SurveyWindowRow of(
      Instant windowStart,
      Instant windowEnd,
      String channel,
      String segment,
      CsatComponents csat,
      NpsComponents nps,
      CesComponents ces,
      long version) {
    SurveyWindowRow row = new SurveyWindowRow();
    row.windowStart = windowStart;
    row.windowEnd = windowEnd;
    row.channel = channel;
    row.segment = segment;
    row.csatTotal = csat.total();
    row.csatSatisfied = csat.satisfied();
    row.npsTotal = nps.total();
    row.npsPromoters = nps.promoters();
    row.npsPassives = nps.passives();
    row.npsDetractors = nps.detractors();
    row.cesCount = ces.count();
    row.cesSum = ces.sum();
    row.cesSumSquares = ces.sumOfSquares();
    row.cesHistogram = ces.histogram();
    row.version = version;
    return row;
  }

  /** The CSAT components of this row. */
  public CsatComponents csat() {
    return CsatComponents.of(csatSatisfied, csatTotal);
  }

  /** The NPS components of this row. */
  public NpsComponents nps() {
    return NpsComponents.of(npsPromoters, npsPassives, npsDetractors);
  }

  /** The CES components of this row. */
  public CesComponents ces() {
    return CesComponents.of(cesCount, cesSum, cesSumSquares, cesHistogram);
  }

  /** Responses in this row, of all survey types. */
  public long responses() {
    return csatTotal + npsTotal + cesCount;
  }

  /** This row as alerting reads it: its CSAT, NPS and CES components. */
  public List<MetricRow> metricRows() {
    String rowKey = channel + "/" + segment;
    return Stream.of(
            MetricWindow.csat(CsatComponents.of(csatSatisfied, csatTotal)),
            MetricWindow.nps(NpsComponents.of(npsPromoters, npsPassives, npsDetractors)),
            MetricWindow.ces(CesComponents.of(cesCount, cesSum, cesSumSquares, cesHistogram)))
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

  /** Lower-case channel, e.g. {@code mobile_app}. */
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

  public long getCsatTotal() {
    return csatTotal;
  }

  public void setCsatTotal(long csatTotal) {
    this.csatTotal = csatTotal;
  }

  public long getCsatSatisfied() {
    return csatSatisfied;
  }

  public void setCsatSatisfied(long csatSatisfied) {
    this.csatSatisfied = csatSatisfied;
  }

  public long getNpsTotal() {
    return npsTotal;
  }

  public void setNpsTotal(long npsTotal) {
    this.npsTotal = npsTotal;
  }

  public long getNpsPromoters() {
    return npsPromoters;
  }

  public void setNpsPromoters(long npsPromoters) {
    this.npsPromoters = npsPromoters;
  }

  public long getNpsPassives() {
    return npsPassives;
  }

  public void setNpsPassives(long npsPassives) {
    this.npsPassives = npsPassives;
  }

  public long getNpsDetractors() {
    return npsDetractors;
  }

  public void setNpsDetractors(long npsDetractors) {
    this.npsDetractors = npsDetractors;
  }

  public long getCesCount() {
    return cesCount;
  }

  public void setCesCount(long cesCount) {
    this.cesCount = cesCount;
  }

  public long getCesSum() {
    return cesSum;
  }

  public void setCesSum(long cesSum) {
    this.cesSum = cesSum;
  }

  public long getCesSumSquares() {
    return cesSumSquares;
  }

  public void setCesSumSquares(long cesSumSquares) {
    this.cesSumSquares = cesSumSquares;
  }

  /** Seven buckets; element i counts CES score i + 1. */
  public long[] getCesHistogram() {
    return cesHistogram;
  }

  public void setCesHistogram(long[] cesHistogram) {
    this.cesHistogram = cesHistogram;
  }

  public long getVersion() {
    return version;
  }

  public void setVersion(long version) {
    this.version = version;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SurveyWindowRow other
        && Objects.equals(windowStart, other.windowStart)
        && Objects.equals(windowEnd, other.windowEnd)
        && Objects.equals(channel, other.channel)
        && Objects.equals(segment, other.segment)
        && csatTotal == other.csatTotal
        && csatSatisfied == other.csatSatisfied
        && npsTotal == other.npsTotal
        && npsPromoters == other.npsPromoters
        && npsPassives == other.npsPassives
        && npsDetractors == other.npsDetractors
        && cesCount == other.cesCount
        && cesSum == other.cesSum
        && cesSumSquares == other.cesSumSquares
        && Arrays.equals(cesHistogram, other.cesHistogram)
        && version == other.version;
  }

  @Override
  public int hashCode() {
    return Objects.hash(windowStart, channel, segment, version);
  }

  @Override
  public String toString() {
    return "SurveyWindowRow{"
        + windowStart
        + ".."
        + windowEnd
        + " "
        + channel
        + "/"
        + segment
        + ", csat="
        + csatSatisfied
        + "/"
        + csatTotal
        + ", nps="
        + npsPromoters
        + "/"
        + npsPassives
        + "/"
        + npsDetractors
        + ", ces="
        + cesCount
        + "/"
        + cesSum
        + "/"
        + cesSumSquares
        + " "
        + Arrays.toString(cesHistogram)
        + ", version="
        + version
        + "}";
  }
}
