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
 * <p>One type per metric, each with its own components and its own sum, sample size, value and
 * test: the evaluator treats the six metrics alike through this interface, and a new metric is one
 * more record here (and its line in {@link #empty}). The values and tests themselves are computed
 * by the metric classes ({@link CsatComponents#csat()}, {@link NpsComponents#nps()}, {@link
 * SignificanceTests}, ...) so that a dashboard and an alert cannot disagree on a definition.
 *
 * <p>Immutable: the factories copy the components they are given, and the accessors of the
 * components return copies. It is the value of the alert stage's {@code alert-hours} state and
 * travels inside {@link MetricRow}, so Flink serialises it with {@link MetricWindowTypeInfo}: a tag
 * for the metric, then that metric's record field by field — never Kryo.
 */
@TypeInfo(MetricWindowTypeInfo.Factory.class)
public sealed interface MetricWindow extends Serializable {

  /** The quantile {@link Metric#FRT_P90} reads off the first-response histogram. */
  double P90 = 0.9;

  /** The metric these components are of. */
  Metric metric();

  /** The sample size: responses, started checkouts, first responses or tickets with an outcome. */
  long samples();

  /** The metric's value (percent, NPS points, mean score or ms); empty without samples. */
  OptionalDouble value();

  /**
   * The components of both spans together: how an evaluation window is summed from its 1-minute
   * rows and a baseline from its hours. Exact, because components are additive; neither operand
   * changes.
   *
   * @throws IllegalArgumentException if {@code other} is of another metric
   */
  MetricWindow plus(MetricWindow other);

  /**
   * The one-sided test of "this window is no worse than {@code baseline}", in the direction that is
   * worse for the metric ({@link Metric#worse()}): pooled two-proportion z-test for CSAT,
   * abandonment and breach rate, NPS variance z-test for NPS, Welch's t-test for CES.
   *
   * @return empty when a side has too little data for the test, see {@link SignificanceTests}
   * @throws IllegalArgumentException if {@code baseline} is of another metric
   * @throws UnsupportedOperationException for {@link Metric#FRT_P90}, which has no test
   */
  Optional<SignificanceTests.Result> testAgainst(MetricWindow baseline);

  /** CSAT: value {@link CsatComponents#csat()}, sample size all responses. */
  static MetricWindow csat(CsatComponents components) {
    return new Csat(components.copy());
  }

  /** NPS: value {@link NpsComponents#nps()}, sample size all responses. */
  static MetricWindow nps(NpsComponents components) {
    return new Nps(components.copy());
  }

  /** CES: value {@link CesComponents#mean()}, sample size all responses. */
  static MetricWindow ces(CesComponents components) {
    return new Ces(components.copy());
  }

  /**
   * Checkout abandonment: value {@link AbandonmentComponents#abandonmentRate()}, sample size the
   * started checkouts. Pending checkouts count as not abandoned (see that method), so a window
   * whose checkouts are still inside their inactivity timeout reads low; evaluate windows once
   * their checkouts are final.
   */
  static MetricWindow abandonment(AbandonmentComponents components) {
    return new Abandonment(components.copy());
  }

  /**
   * First-response time p90: value {@link LogHistogram#quantile}(0.9) in ms, sample size the first
   * responses.
   */
  static MetricWindow firstResponseTimes(LogHistogram histogram) {
    return new FirstResponseTimes(histogram.copy());
  }

  /**
   * SLA breach rate: value 100 × breached ÷ (met + breached), as the {@code breach_rate_pct} of the
   * ticket views (V005); sample size met + breached, the tickets with an SLA outcome.
   *
   * @param met first responses within the SLA target ({@code sla_met})
   * @param breached breached tickets, each once ({@code sla_breached})
   * @throws IllegalArgumentException if a count is negative
   */
  static MetricWindow slaBreaches(long met, long breached) {
    return new SlaBreaches(met, breached);
  }

  /**
   * No samples of {@code metric}: the start of a sum over rows. The one place that says which type
   * holds which metric; {@link MetricWindowTypeInfo} reads it too.
   */
  static MetricWindow empty(Metric metric) {
    return switch (metric) {
      case CSAT -> new Csat(new CsatComponents());
      case NPS -> new Nps(new NpsComponents());
      case CES -> new Ces(new CesComponents());
      case ABANDONMENT_RATE -> new Abandonment(new AbandonmentComponents());
      case FRT_P90 -> new FirstResponseTimes(new LogHistogram());
      case SLA_BREACH_RATE -> new SlaBreaches(0, 0);
    };
  }

  /** CSAT components: satisfied of all responses. */
  record Csat(@TypeInfo(FieldByFieldTypeInfo.class) CsatComponents components)
      implements MetricWindow {

    public Csat {
      Objects.requireNonNull(components, "components");
    }

    @Override
    public CsatComponents components() {
      return components.copy();
    }

    @Override
    public Metric metric() {
      return Metric.CSAT;
    }

    @Override
    public long samples() {
      return components.total();
    }

    @Override
    public OptionalDouble value() {
      return components.csat();
    }

    @Override
    public MetricWindow plus(MetricWindow other) {
      return new Csat(components.copy().merge(Same.toAdd(this, other, Csat.class).components));
    }

    @Override
    public Optional<SignificanceTests.Result> testAgainst(MetricWindow baseline) {
      CsatComponents before = Same.toTest(this, baseline, Csat.class).components;
      return SignificanceTests.twoProportions(
          components.satisfied(),
          components.total(),
          before.satisfied(),
          before.total(),
          metric().worse());
    }
  }

  /** NPS components: promoters, passives and detractors. */
  record Nps(@TypeInfo(FieldByFieldTypeInfo.class) NpsComponents components)
      implements MetricWindow {

    public Nps {
      Objects.requireNonNull(components, "components");
    }

    @Override
    public NpsComponents components() {
      return components.copy();
    }

    @Override
    public Metric metric() {
      return Metric.NPS;
    }

    @Override
    public long samples() {
      return components.total();
    }

    @Override
    public OptionalDouble value() {
      return components.nps();
    }

    @Override
    public MetricWindow plus(MetricWindow other) {
      return new Nps(components.copy().merge(Same.toAdd(this, other, Nps.class).components));
    }

    @Override
    public Optional<SignificanceTests.Result> testAgainst(MetricWindow baseline) {
      return SignificanceTests.npsDifference(
          components, Same.toTest(this, baseline, Nps.class).components, metric().worse());
    }
  }

  /** CES components: count, sums and the score histogram. */
  record Ces(@TypeInfo(FieldByFieldTypeInfo.class) CesComponents components)
      implements MetricWindow {

    public Ces {
      Objects.requireNonNull(components, "components");
    }

    @Override
    public CesComponents components() {
      return components.copy();
    }

    @Override
    public Metric metric() {
      return Metric.CES;
    }

    @Override
    public long samples() {
      return components.count();
    }

    @Override
    public OptionalDouble value() {
      return components.mean();
    }

    @Override
    public MetricWindow plus(MetricWindow other) {
      return new Ces(components.copy().merge(Same.toAdd(this, other, Ces.class).components));
    }

    @Override
    public Optional<SignificanceTests.Result> testAgainst(MetricWindow baseline) {
      return SignificanceTests.cesMeans(
          components, Same.toTest(this, baseline, Ces.class).components, metric().worse());
    }
  }

  /** Checkout abandonment components: started, completed and abandoned checkouts. */
  record Abandonment(@TypeInfo(FieldByFieldTypeInfo.class) AbandonmentComponents components)
      implements MetricWindow {

    public Abandonment {
      Objects.requireNonNull(components, "components");
    }

    @Override
    public AbandonmentComponents components() {
      return components.copy();
    }

    @Override
    public Metric metric() {
      return Metric.ABANDONMENT_RATE;
    }

    @Override
    public long samples() {
      return components.started();
    }

    @Override
    public OptionalDouble value() {
      return components.abandonmentRate();
    }

    @Override
    public MetricWindow plus(MetricWindow other) {
      return new Abandonment(
          components.copy().merge(Same.toAdd(this, other, Abandonment.class).components));
    }

    @Override
    public Optional<SignificanceTests.Result> testAgainst(MetricWindow baseline) {
      AbandonmentComponents before = Same.toTest(this, baseline, Abandonment.class).components;
      return SignificanceTests.twoProportions(
          components.abandoned(),
          components.started(),
          before.abandoned(),
          before.started(),
          metric().worse());
    }
  }

  /** The first-response time histogram; thresholds only, no significance test. */
  record FirstResponseTimes(@TypeInfo(FieldByFieldTypeInfo.class) LogHistogram histogram)
      implements MetricWindow {

    public FirstResponseTimes {
      Objects.requireNonNull(histogram, "histogram");
    }

    @Override
    public LogHistogram histogram() {
      return histogram.copy();
    }

    @Override
    public Metric metric() {
      return Metric.FRT_P90;
    }

    @Override
    public long samples() {
      return histogram.count();
    }

    @Override
    public OptionalDouble value() {
      return histogram.quantile(P90);
    }

    @Override
    public MetricWindow plus(MetricWindow other) {
      return new FirstResponseTimes(
          histogram.copy().merge(Same.toAdd(this, other, FirstResponseTimes.class).histogram));
    }

    @Override
    public Optional<SignificanceTests.Result> testAgainst(MetricWindow baseline) {
      Same.toTest(this, baseline, FirstResponseTimes.class);
      throw new UnsupportedOperationException(
          "no significance test for " + metric().key() + "; rules use thresholds for it");
    }
  }

  /**
   * SLA outcomes.
   *
   * @param met first responses within the SLA target ({@code sla_met})
   * @param breached breached tickets, each once ({@code sla_breached})
   */
  record SlaBreaches(long met, long breached) implements MetricWindow {

    public SlaBreaches {
      if (met < 0 || breached < 0) {
        throw new IllegalArgumentException(
            "SLA counts must not be negative: met " + met + ", breached " + breached);
      }
    }

    @Override
    public Metric metric() {
      return Metric.SLA_BREACH_RATE;
    }

    @Override
    public long samples() {
      return met + breached;
    }

    @Override
    public OptionalDouble value() {
      return samples() == 0
          ? OptionalDouble.empty()
          : OptionalDouble.of(100.0 * breached / samples());
    }

    @Override
    public MetricWindow plus(MetricWindow other) {
      SlaBreaches more = Same.toAdd(this, other, SlaBreaches.class);
      return new SlaBreaches(met + more.met, breached + more.breached);
    }

    @Override
    public Optional<SignificanceTests.Result> testAgainst(MetricWindow baseline) {
      SlaBreaches before = Same.toTest(this, baseline, SlaBreaches.class);
      return SignificanceTests.twoProportions(
          breached, samples(), before.breached, before.samples(), metric().worse());
    }
  }

  /** The other operand as this window's own type, or the error that names both metrics. */
  final class Same {
    private Same() {}

    static <W extends MetricWindow> W toAdd(MetricWindow self, MetricWindow other, Class<W> type) {
      Objects.requireNonNull(other, "other");
      if (!type.isInstance(other)) {
        throw new IllegalArgumentException(
            "cannot add " + other.metric().key() + " components to " + self.metric().key());
      }
      return type.cast(other);
    }

    static <W extends MetricWindow> W toTest(
        MetricWindow self, MetricWindow baseline, Class<W> type) {
      Objects.requireNonNull(baseline, "baseline");
      if (!type.isInstance(baseline)) {
        throw new IllegalArgumentException(
            "cannot test "
                + self.metric().key()
                + " against a "
                + baseline.metric().key()
                + " baseline");
      }
      return type.cast(baseline);
    }
  }
}
