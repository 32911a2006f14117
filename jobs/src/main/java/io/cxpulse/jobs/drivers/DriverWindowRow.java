package io.cxpulse.jobs.drivers;

import io.cxpulse.jobs.aggregate.WindowKey;
import io.cxpulse.jobs.pipeline.ClickHouseTable;
import io.cxpulse.jobs.survey.SurveyAccumulator;
import io.cxpulse.jobs.survey.SurveyWindowRow;
import java.util.Objects;

/**
 * One emission of a {@code cx_driver_window} row: the survey components ({@link SurveyWindowRow}:
 * window, channel, segment, CSAT/NPS/CES components, version) of the joined responses of one SLA
 * outcome and first-response bucket. A Flink POJO.
 *
 * <p>The window aggregation knows one extra dimension besides channel and segment, {@link
 * WindowKey#getPriority()}; the driver split puts {@code sla_outcome|frt_bucket} there ({@link
 * #dimension}) and splits it again here.
 */
public class DriverWindowRow {

  private static final String SEPARATOR = "|";

  /**
   * What the job writes into {@code cx_driver_window}: the columns of {@code cx_survey_window}
   * ({@link SurveyWindowRow#TABLE}, bound from {@link #getScores}), then the two dimensions.
   */
  public static final ClickHouseTable<DriverWindowRow> TABLE =
      ClickHouseTable.<DriverWindowRow>named("cx_driver_window")
          .columnsOf(SurveyWindowRow.TABLE, DriverWindowRow::getScores)
          .string("sla_outcome", DriverWindowRow::getSlaOutcome)
          .string("frt_bucket", DriverWindowRow::getFrtBucket)
          .build();

  private SurveyWindowRow scores;
  private String slaOutcome;
  private String frtBucket;

  /** For Flink's POJO serializer. */
  public DriverWindowRow() {}

  /** The aggregation dimension of an outcome: {@code sla_outcome|frt_bucket}. */
  public static String dimension(DriverOutcome outcome) {
    return outcome.getSlaOutcome().label() + SEPARATOR + outcome.getFrtBucket().label();
  }

  /** The row of {@code key}'s window, versioned like the survey rows (responses absorbed). */
  public static DriverWindowRow of(
      WindowKey key, long windowEndMillis, SurveyAccumulator accumulator) {
    String dimension = key.getPriority();
    int separator = dimension.indexOf(SEPARATOR);
    if (separator < 0) {
      throw new IllegalArgumentException("not a driver dimension: " + dimension);
    }
    DriverWindowRow row = new DriverWindowRow();
    row.scores = SurveyWindowRow.of(key, windowEndMillis, accumulator);
    row.slaOutcome = dimension.substring(0, separator);
    row.frtBucket = dimension.substring(separator + 1);
    return row;
  }

  public SurveyWindowRow getScores() {
    return scores;
  }

  public void setScores(SurveyWindowRow scores) {
    this.scores = scores;
  }

  /** {@code met} or {@code breached}. */
  public String getSlaOutcome() {
    return slaOutcome;
  }

  public void setSlaOutcome(String slaOutcome) {
    this.slaOutcome = slaOutcome;
  }

  /** A {@link FirstResponseBucket#label()}. */
  public String getFrtBucket() {
    return frtBucket;
  }

  public void setFrtBucket(String frtBucket) {
    this.frtBucket = frtBucket;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DriverWindowRow other
        && Objects.equals(scores, other.scores)
        && Objects.equals(slaOutcome, other.slaOutcome)
        && Objects.equals(frtBucket, other.frtBucket);
  }

  @Override
  public int hashCode() {
    return Objects.hash(scores, slaOutcome, frtBucket);
  }

  @Override
  public String toString() {
    return "DriverWindowRow{" + slaOutcome + "/" + frtBucket + " " + scores + "}";
  }
}
