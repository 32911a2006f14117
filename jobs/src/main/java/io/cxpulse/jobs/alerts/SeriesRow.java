package io.cxpulse.jobs.alerts;

import java.io.Serializable;
import java.util.Objects;

/**
 * A metric row routed to one rule and one of its series: the input of {@link AlertFunction}, keyed
 * by {@link #key()}. A row counts in one series per rule at most (a scope of {@code any} picks the
 * row's own channel or segment, {@code all} sums it in, a single value takes it or not).
 *
 * <p>A Flink POJO.
 */
public class SeriesRow implements Serializable {

  private static final long serialVersionUID = 1L;

  private String ruleId;
  private String seriesChannel;
  private String seriesSegment;
  private MetricRow row;

  /** For Flink's POJO serializer. */
  public SeriesRow() {}

  /** {@code row} as counted in {@code series} of rule {@code ruleId}. */
  public static SeriesRow of(String ruleId, AlertScope series, MetricRow row) {
    SeriesRow routed = new SeriesRow();
    routed.ruleId = Objects.requireNonNull(ruleId, "ruleId");
    routed.seriesChannel = series.channel();
    routed.seriesSegment = series.segment();
    routed.row = Objects.requireNonNull(row, "row");
    return routed;
  }

  /** The key of the rule and series: everything {@link AlertFunction} keeps is per key. */
  public String key() {
    // NUL cannot occur in a rule id (letters, digits, - _ .) nor in a validated channel/segment.
    return ruleId + '\u0000' + seriesChannel + '\u0000' + seriesSegment;
  }

  /** The series as a scope. */
  public AlertScope series() {
    return new AlertScope(seriesChannel, seriesSegment);
  }

  public String getRuleId() {
    return ruleId;
  }

  public void setRuleId(String ruleId) {
    this.ruleId = ruleId;
  }

  public String getSeriesChannel() {
    return seriesChannel;
  }

  public void setSeriesChannel(String seriesChannel) {
    this.seriesChannel = seriesChannel;
  }

  public String getSeriesSegment() {
    return seriesSegment;
  }

  public void setSeriesSegment(String seriesSegment) {
    this.seriesSegment = seriesSegment;
  }

  public MetricRow getRow() {
    return row;
  }

  public void setRow(MetricRow row) {
    this.row = row;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SeriesRow other
        && Objects.equals(ruleId, other.ruleId)
        && Objects.equals(seriesChannel, other.seriesChannel)
        && Objects.equals(seriesSegment, other.seriesSegment)
        && Objects.equals(row, other.row);
  }

  @Override
  public int hashCode() {
    return Objects.hash(ruleId, seriesChannel, seriesSegment, row);
  }

  @Override
  public String toString() {
    return "SeriesRow{" + ruleId + " " + seriesChannel + "/" + seriesSegment + " " + row + "}";
  }
}
