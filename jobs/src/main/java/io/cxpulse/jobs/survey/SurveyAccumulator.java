package io.cxpulse.jobs.survey;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.jobs.aggregate.WindowAggregation;
import io.cxpulse.jobs.aggregate.WindowComponents;
import io.cxpulse.metrics.CesComponents;
import io.cxpulse.metrics.CsatComponents;
import io.cxpulse.metrics.NpsComponents;
import io.cxpulse.metrics.ScoreScale;
import java.util.Arrays;

/**
 * The window components of the survey job's {@link WindowAggregation} (both its salted partials and
 * a row's merged total): the CSAT, NPS and CES components of the responses in one window, channel
 * and segment.
 *
 * <p>Stored as plain counts (a Flink POJO, so state is written by Flink's POJO serializer and can
 * evolve, not by Kryo); the classification of a score and the merge rules stay in {@link
 * CsatComponents}, {@link NpsComponents} and {@link CesComponents}, which {@link #add} and {@link
 * #merge} go through. CES is stored as its histogram alone, from which count, sum and sum of
 * squares follow exactly.
 */
public class SurveyAccumulator implements WindowComponents<SurveyAccumulator> {

  private static final int CES_BUCKETS = ScoreScale.CES.max() - ScoreScale.CES.min() + 1;

  private long csatSatisfied;
  private long csatTotal;
  private long npsPromoters;
  private long npsPassives;
  private long npsDetractors;
  private long[] cesHistogram = new long[CES_BUCKETS];

  /** Empty: no responses. */
  public SurveyAccumulator() {}

  /**
   * Counts one validated response in the components of its survey type.
   *
   * @throws IllegalArgumentException if the score is not on its type's scale or the type is
   *     UNKNOWN; validation rejects those before they get here
   */
  public SurveyAccumulator add(SurveyResponse response) {
    int score = response.getScore();
    switch (response.getSurveyType()) {
      case CSAT -> setCsat(csat().add(score));
      case NPS -> setNps(nps().add(score));
      case CES -> setCes(ces().add(score));
      default ->
          throw new IllegalArgumentException(
              "survey type " + response.getSurveyType() + " has no scale");
    }
    return this;
  }

  /** Adds {@code other}'s components to this one; {@code other} is left unchanged. */
  @Override
  public SurveyAccumulator merge(SurveyAccumulator other) {
    setCsat(csat().merge(other.csat()));
    setNps(nps().merge(other.nps()));
    setCes(ces().merge(other.ces()));
    return this;
  }

  /** The CSAT components (a copy). */
  public CsatComponents csat() {
    return CsatComponents.of(csatSatisfied, csatTotal);
  }

  /** The NPS components (a copy). */
  public NpsComponents nps() {
    return NpsComponents.of(npsPromoters, npsPassives, npsDetractors);
  }

  /** The CES components (a copy). */
  public CesComponents ces() {
    return CesComponents.fromHistogram(cesHistogram);
  }

  /** All responses counted, of every survey type: the window row's version. */
  @Override
  public long records() {
    return csatTotal
        + npsPromoters
        + npsPassives
        + npsDetractors
        + Arrays.stream(cesHistogram).sum();
  }

  private void setCsat(CsatComponents csat) {
    csatSatisfied = csat.satisfied();
    csatTotal = csat.total();
  }

  private void setNps(NpsComponents nps) {
    npsPromoters = nps.promoters();
    npsPassives = nps.passives();
    npsDetractors = nps.detractors();
  }

  private void setCes(CesComponents ces) {
    cesHistogram = ces.histogram();
  }

  // Getters and setters for Flink's POJO serializer.

  public long getCsatSatisfied() {
    return csatSatisfied;
  }

  public void setCsatSatisfied(long csatSatisfied) {
    this.csatSatisfied = csatSatisfied;
  }

  public long getCsatTotal() {
    return csatTotal;
  }

  public void setCsatTotal(long csatTotal) {
    this.csatTotal = csatTotal;
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

  public long[] getCesHistogram() {
    return cesHistogram;
  }

  public void setCesHistogram(long[] cesHistogram) {
    this.cesHistogram = cesHistogram;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SurveyAccumulator other
        && csatSatisfied == other.csatSatisfied
        && csatTotal == other.csatTotal
        && npsPromoters == other.npsPromoters
        && npsPassives == other.npsPassives
        && npsDetractors == other.npsDetractors
        && Arrays.equals(cesHistogram, other.cesHistogram);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(records());
  }

  @Override
  public String toString() {
    return "SurveyAccumulator{" + csat() + ", " + nps() + ", " + ces() + "}";
  }
}
