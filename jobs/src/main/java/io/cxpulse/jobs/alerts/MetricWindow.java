package io.cxpulse.jobs.alerts;

import io.cxpulse.jobs.pipeline.FieldByFieldTypeInfo;
import io.cxpulse.metrics.AbandonmentComponents;
import io.cxpulse.metrics.CesComponents;
import io.cxpulse.metrics.CsatComponents;
import io.cxpulse.metrics.LogHistogram;
import io.cxpulse.metrics.NpsComponents;
import io.cxpulse.metrics.SignificanceTests;
import java.io.Serializable;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * The additive components of one metric over one span of event time (an evaluation window, or a
 * baseline), and the three things alerting reads off them: the metric's value, the sample size, and
 * the significance test against another such span.
 *
 * <p>Why a wrapper: the evaluator treats six metrics alike, but their components are different
 * classes. This class is the one place that says which component class, which count is the sample
 * size and which test belongs to which metric; the values and tests themselves are computed by the
 * metric classes ({@link CsatComponents#csat()}, {@link NpsComponents#nps()}, {@link
 * SignificanceTests}, ...) so that a dashboard and an alert cannot disagree on a definition.
 *
 * <p>Immutable: the factories copy the components they are given, and the accessors of the
 * components return copies. A record whose component classes Flink serialises field by field
 * ({@link FieldByFieldTypeInfo}): it is the value of the alert stage's {@code alert-hours} state
 * and travels inside {@link MetricRow}, so it must not fall back to Kryo.
 *
 * @param metric the metric these components are of
 * @param csat the CSAT components, for {@link Metric#CSAT} only
 * @param nps the NPS components, for {@link Metric#NPS} only
 * @param ces the CES components, for {@link Metric#CES} only
 * @param abandonment the abandonment components, for {@link Metric#ABANDONMENT_RATE} only
 * @param firstResponseTimes the first-response histogram, for {@link Metric#FRT_P90} only
 * @param slaMet first responses within the SLA target, for {@link Metric#SLA_BREACH_RATE}
 * @param slaBreached breached tickets, for {@link Metric#SLA_BREACH_RATE}
 */
public record MetricWindow(
    Metric metric,
    @TypeInfo(FieldByFieldTypeInfo.class) CsatComponents csat,
    @TypeInfo(FieldByFieldTypeInfo.class) NpsComponents nps,
    @TypeInfo(FieldByFieldTypeInfo.class) CesComponents ces,
    @TypeInfo(FieldByFieldTypeInfo.class) AbandonmentComponents abandonment,
    @TypeInfo(FieldByFieldTypeInfo.class) LogHistogram firstResponseTimes,
    long slaMet,
    long slaBreached)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The quantile {@link Metric#FRT_P90} reads off the first-response histogram. */
  public static final double P90 = 0.9;

  /**
   * Requires exactly the components of {@code metric}: a window of one metric carrying another's
   * components would be added and tested as if it were empty.
   *
   * @throws IllegalArgumentException if a component of {@code metric} is missing, another metric's
   *     is present, or an SLA count is negative
   */
  public MetricWindow {
    Objects.requireNonNull(metric, "metric");
    boolean sla = metric == Metric.SLA_BREACH_RATE;
    if ((csat != null) != (metric == Metric.CSAT)
        || (nps != null) != (metric == Metric.NPS)
        || (ces != null) != (metric == Metric.CES)
        || (abandonment != null) != (metric == Metric.ABANDONMENT_RATE)
        || (firstResponseTimes != null) != (metric == Metric.FRT_P90)
        || (!sla && (slaMet != 0 || slaBreached != 0))) {
      throw new IllegalArgumentException("components of another metric in a " + metric.key());
    }
    if (slaMet < 0 || slaBreached < 0) {
      throw new IllegalArgumentException(
          "SLA counts must not be negative: met " + slaMet + ", breached " + slaBreached);
    }
  }

  /** CSAT: value {@link CsatComponents#csat()}, sample size all responses. */
  public static MetricWindow csat(CsatComponents components) {
    return new MetricWindow(Metric.CSAT, components.copy(), null, null, null, null, 0, 0);
  }

  /** NPS: value {@link NpsComponents#nps()}, sample size all responses. */
  public static MetricWindow nps(NpsComponents components) {
    return new MetricWindow(Metric.NPS, null, components.copy(), null, null, null, 0, 0);
  }

  /** CES: value {@link CesComponents#mean()}, sample size all responses. */
  public static MetricWindow ces(CesComponents components) {
    return new MetricWindow(Metric.CES, null, null, components.copy(), null, null, 0, 0);
  }

  /**
   * Checkout abandonment: value {@link AbandonmentComponents#abandonmentRate()}, sample size the
   * started checkouts. Pending checkouts count as not abandoned (see that method), so a window
   * whose checkouts are still inside their inactivity timeout reads low; evaluate windows once
   * their checkouts are final.
   */
  public static MetricWindow abandonment(AbandonmentComponents components) {
    return new MetricWindow(
        Metric.ABANDONMENT_RATE, null, null, null, components.copy(), null, 0, 0);
  }

  /**
   * First-response time p90: value {@link LogHistogram#quantile}(0.9) in ms, sample size the first
   * responses.
   */
  public static MetricWindow firstResponseTimes(LogHistogram histogram) {
    return new MetricWindow(Metric.FRT_P90, null, null, null, null, histogram.copy(), 0, 0);
  }

  /**
   * SLA breach rate: value 100 × breached ÷ (met + breached), as the {@code breach_rate_pct} of the
   * ticket views (V005); sample size met + breached, the tickets with an SLA outcome.
   *
   * @param met first responses within the SLA target ({@code sla_met})
   * @param breached breached tickets, each once ({@code sla_breached})
   * @throws IllegalArgumentException if a count is negative
   */
  public static MetricWindow slaBreaches(long met, long breached) {
    return new MetricWindow(Metric.SLA_BREACH_RATE, null, null, null, null, null, met, breached);
  }

  /** No samples of {@code metric}: the start of a sum over rows. */
  public static MetricWindow empty(Metric metric) {
    return switch (metric) {
      case CSAT -> csat(new CsatComponents());
      case NPS -> nps(new NpsComponents());
      case CES -> ces(new CesComponents());
      case ABANDONMENT_RATE -> abandonment(new AbandonmentComponents());
      case FRT_P90 -> firstResponseTimes(new LogHistogram());
      case SLA_BREACH_RATE -> slaBreaches(0, 0);
    };
  }

  /**
   * The components of both spans together: how an evaluation window is summed from its 1-minute
   * rows and a baseline from its hours. Exact, because components are additive; neither operand
   * changes.
   *
   * @throws IllegalArgumentException if {@code other} is of another metric
   */
  public MetricWindow plus(MetricWindow other) {
    Objects.requireNonNull(other, "other");
    if (other.metric != metric) {
      throw new IllegalArgumentException(
          "cannot add " + other.metric.key() + " components to " + metric.key());
    }
    // The private constructor, not the factories: the merged copy is already this window's own,
    // and the factories would copy it once more on every row a window or baseline sums.
    return switch (metric) {
      case CSAT ->
          new MetricWindow(metric, csat.copy().merge(other.csat), null, null, null, null, 0, 0);
      case NPS ->
          new MetricWindow(metric, null, nps.copy().merge(other.nps), null, null, null, 0, 0);
      case CES ->
          new MetricWindow(metric, null, null, ces.copy().merge(other.ces), null, null, 0, 0);
      case ABANDONMENT_RATE ->
          new MetricWindow(
              metric, null, null, null, abandonment.copy().merge(other.abandonment), null, 0, 0);
      case FRT_P90 ->
          new MetricWindow(
              metric,
              null,
              null,
              null,
              null,
              firstResponseTimes.copy().merge(other.firstResponseTimes),
              0,
              0);
      case SLA_BREACH_RATE -> slaBreaches(slaMet + other.slaMet, slaBreached + other.slaBreached);
    };
  }

  /** A copy of the CSAT components, or null for another metric. */
  @Override
  public CsatComponents csat() {
    return csat == null ? null : csat.copy();
  }

  /** A copy of the NPS components, or null for another metric. */
  @Override
  public NpsComponents nps() {
    return nps == null ? null : nps.copy();
  }

  /** A copy of the CES components, or null for another metric. */
  @Override
  public CesComponents ces() {
    return ces == null ? null : ces.copy();
  }

  /** A copy of the abandonment components, or null for another metric. */
  @Override
  public AbandonmentComponents abandonment() {
    return abandonment == null ? null : abandonment.copy();
  }

  /** A copy of the first-response histogram, or null for another metric. */
  @Override
  public LogHistogram firstResponseTimes() {
    return firstResponseTimes == null ? null : firstResponseTimes.copy();
  }

  /** The sample size: responses, started checkouts, first responses or tickets with an outcome. */
  public long samples() {
    return switch (metric) {
      case CSAT -> csat.total();
      case NPS -> nps.total();
      case CES -> ces.count();
      case ABANDONMENT_RATE -> abandonment.started();
      case FRT_P90 -> firstResponseTimes.count();
      case SLA_BREACH_RATE -> slaMet + slaBreached;
    };
  }

  /** The metric's value (percent, NPS points, mean score or ms); empty without samples. */
  public OptionalDouble value() {
    return switch (metric) {
      case CSAT -> csat.csat();
      case NPS -> nps.nps();
      case CES -> ces.mean();
      case ABANDONMENT_RATE -> abandonment.abandonmentRate();
      case FRT_P90 -> firstResponseTimes.quantile(P90);
      case SLA_BREACH_RATE ->
          samples() == 0
              ? OptionalDouble.empty()
              : OptionalDouble.of(100.0 * slaBreached / samples());
    };
  }

  /**
   * The one-sided test of "this window is no worse than {@code baseline}", in the direction that is
   * worse for the metric ({@link Metric#worse()}): pooled two-proportion z-test for CSAT,
   * abandonment and breach rate, NPS variance z-test for NPS, Welch's t-test for CES.
   *
   * @return empty when a side has too little data for the test, see {@link SignificanceTests}
   * @throws IllegalArgumentException if {@code baseline} is of another metric
   * @throws UnsupportedOperationException for {@link Metric#FRT_P90}, which has no test
   */
  public Optional<SignificanceTests.Result> testAgainst(MetricWindow baseline) {
    Objects.requireNonNull(baseline, "baseline");
    if (baseline.metric != metric) {
      throw new IllegalArgumentException(
          "cannot test " + metric.key() + " against a " + baseline.metric.key() + " baseline");
    }
    return switch (metric) {
      case CSAT ->
          SignificanceTests.twoProportions(
              csat.satisfied(),
              csat.total(),
              baseline.csat.satisfied(),
              baseline.csat.total(),
              metric.worse());
      case NPS -> SignificanceTests.npsDifference(nps, baseline.nps, metric.worse());
      case CES -> SignificanceTests.cesMeans(ces, baseline.ces, metric.worse());
      case ABANDONMENT_RATE ->
          SignificanceTests.twoProportions(
              abandonment.abandoned(),
              abandonment.started(),
              baseline.abandonment.abandoned(),
              baseline.abandonment.started(),
              metric.worse());
      case SLA_BREACH_RATE ->
          SignificanceTests.twoProportions(
              slaBreached, samples(), baseline.slaBreached, baseline.samples(), metric.worse());
      case FRT_P90 ->
          throw new UnsupportedOperationException(
              "no significance test for " + metric.key() + "; rules use thresholds for it");
    };
  }

  @Override
  public String toString() {
    Object components =
        switch (metric) {
          case CSAT -> csat;
          case NPS -> nps;
          case CES -> ces;
          case ABANDONMENT_RATE -> abandonment;
          case FRT_P90 -> firstResponseTimes;
          case SLA_BREACH_RATE -> "{met=" + slaMet + ", breached=" + slaBreached + "}";
        };
    return "MetricWindow{" + metric.key() + " " + components + "}";
  }
}
