package io.cxpulse.jobs.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.cxpulse.metrics.AbandonmentComponents;
import io.cxpulse.metrics.CesComponents;
import io.cxpulse.metrics.CsatComponents;
import io.cxpulse.metrics.LogHistogram;
import io.cxpulse.metrics.NpsComponents;
import io.cxpulse.metrics.SignificanceTests;
import io.cxpulse.metrics.SignificanceTests.Alternative;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MetricWindowTest {

  @Test
  void valuesAndSampleSizesComeFromTheMetricClasses() {
    // Published examples of DESIGN.md: CSAT 70 of 100 -> 70.0; NPS 100/30/80 -> 9.52;
    // abandonment 1,590 started, 879 completed, 711 abandoned -> 44.72 %.
    MetricWindow csat = MetricWindow.csat(CsatComponents.of(70, 100));
    MetricWindow nps = MetricWindow.nps(NpsComponents.of(100, 30, 80));
    MetricWindow ces = MetricWindow.ces(new CesComponents().add(1).add(2).add(6));
    MetricWindow abandonment = MetricWindow.abandonment(AbandonmentComponents.of(1590, 879, 711));
    MetricWindow sla = MetricWindow.slaBreaches(45, 5);
    LogHistogram times = new LogHistogram();
    for (int minute = 1; minute <= 10; minute++) {
      times.add(Duration.ofMinutes(minute).toMillis());
    }
    MetricWindow frt = MetricWindow.firstResponseTimes(times);

    assertThat(csat.value()).hasValue(70.0);
    assertThat(csat.samples()).isEqualTo(100);
    assertThat(nps.value().getAsDouble()).isCloseTo(9.5238, within(1e-4));
    assertThat(nps.samples()).isEqualTo(210);
    assertThat(ces.value().getAsDouble()).isCloseTo(3.0, within(1e-12));
    assertThat(ces.samples()).isEqualTo(3);
    assertThat(abandonment.value().getAsDouble()).isCloseTo(44.72, within(0.005));
    assertThat(abandonment.samples()).isEqualTo(1590);
    // SLA breach rate as the ticket view defines it: 100 * breached / (met + breached).
    assertThat(sla.value()).hasValue(10.0);
    assertThat(sla.samples()).isEqualTo(50);
    // p90 of 1..10 minutes by nearest rank is the 9th, 9 minutes, within the histogram's 2 %.
    assertThat(frt.value().getAsDouble())
        .isCloseTo(540_000, within(540_000 * LogHistogram.RELATIVE_ERROR_BOUND));
    assertThat(frt.samples()).isEqualTo(10);
    assertThat(frt.metric()).isEqualTo(Metric.FRT_P90);
  }

  @Test
  void emptyComponentsHaveNoValue() {
    assertThat(MetricWindow.csat(new CsatComponents()).value()).isEmpty();
    assertThat(MetricWindow.slaBreaches(0, 0).value()).isEmpty();
    assertThat(MetricWindow.firstResponseTimes(new LogHistogram()).value()).isEmpty();
  }

  @Test
  void eachMetricGetsItsTestInItsWorseDirection() {
    // Same numbers as SignificanceTestsTest, reached through the metric.
    assertThat(
            MetricWindow.csat(CsatComponents.of(80, 100))
                .testAgainst(MetricWindow.csat(CsatComponents.of(90, 100)))
                .orElseThrow()
                .pValue())
        .isCloseTo(0.023835, within(1e-6));
    assertThat(
            MetricWindow.abandonment(AbandonmentComponents.of(100, 40, 60))
                .testAgainst(MetricWindow.abandonment(AbandonmentComponents.of(1000, 553, 447)))
                .orElseThrow()
                .pValue())
        .isCloseTo(0.0017137, within(1e-7));
    assertThat(
            MetricWindow.nps(NpsComponents.of(15, 15, 20))
                .testAgainst(MetricWindow.nps(NpsComponents.of(500, 300, 200)))
                .orElseThrow()
                .pValue())
        .isCloseTo(0.00043085, within(1e-8));
    CesComponents current = new CesComponents().add(6).add(6).add(5).add(5).add(4).add(4);
    CesComponents baseline = CesComponents.fromHistogram(new long[] {0, 5, 3, 0, 2, 0, 0});
    assertThat(MetricWindow.ces(current).testAgainst(MetricWindow.ces(baseline)).orElseThrow())
        .isEqualTo(
            SignificanceTests.cesMeans(current, baseline, Alternative.GREATER).orElseThrow());
    // Breach rate 20 of 50 against 100 of 1000: higher is worse, so the upper tail.
    assertThat(
            MetricWindow.slaBreaches(30, 20)
                .testAgainst(MetricWindow.slaBreaches(900, 100))
                .orElseThrow())
        .isEqualTo(
            SignificanceTests.twoProportions(20, 50, 100, 1000, Alternative.GREATER).orElseThrow());
  }

  @Test
  void responseTimesHaveNoTestAndMetricsDoNotMix() {
    MetricWindow frt = MetricWindow.firstResponseTimes(new LogHistogram().add(1000));
    MetricWindow csat = MetricWindow.csat(CsatComponents.of(1, 2));

    assertThatThrownBy(() -> frt.testAgainst(frt))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> csat.testAgainst(MetricWindow.slaBreaches(1, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("csat")
        .hasMessageContaining("sla_breach_rate");
    assertThatThrownBy(() -> MetricWindow.slaBreaches(-1, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void factoriesCopyTheirComponents() {
    CsatComponents components = CsatComponents.of(8, 10);
    MetricWindow window = MetricWindow.csat(components);

    components.add(1).add(1);

    assertThat(window.samples()).isEqualTo(10);
    assertThat(window).isEqualTo(MetricWindow.csat(CsatComponents.of(8, 10)));
  }

  @Test
  void emptyHasNoSamplesAndNoValueForEveryMetric() {
    for (Metric metric : Metric.values()) {
      MetricWindow empty = MetricWindow.empty(metric);

      assertThat(empty.metric()).as(metric.key()).isEqualTo(metric);
      assertThat(empty.samples()).as(metric.key()).isZero();
      assertThat(empty.value()).as(metric.key()).isEmpty();
    }
  }

  @Test
  void emptyIsTheNeutralElementOfPlus() {
    // AlertFunction starts every window and baseline sum at empty(metric): it must add nothing.
    LogHistogram times = new LogHistogram().add(60_000).add(120_000);
    MetricWindow[] windows = {
      MetricWindow.csat(CsatComponents.of(70, 100)),
      MetricWindow.nps(NpsComponents.of(100, 30, 80)),
      MetricWindow.ces(CesComponents.fromHistogram(new long[] {1, 2, 3, 4, 5, 6, 7})),
      MetricWindow.abandonment(AbandonmentComponents.of(1590, 879, 711)),
      MetricWindow.firstResponseTimes(times),
      MetricWindow.slaBreaches(45, 5)
    };
    for (MetricWindow window : windows) {
      MetricWindow empty = MetricWindow.empty(window.metric());

      assertThat(empty.plus(window)).as(window.metric().key()).isEqualTo(window);
      assertThat(window.plus(empty)).as(window.metric().key()).isEqualTo(window);
    }
  }

  @Test
  void plusSumsComponentsSoTheValueOfTheSumIsExact() {
    // Each published DESIGN.md example split into two windows: the sum must give the example's
    // value, not the average of the two halves' values.
    MetricWindow csat =
        MetricWindow.csat(CsatComponents.of(45, 50))
            .plus(MetricWindow.csat(CsatComponents.of(25, 50)));
    MetricWindow nps =
        MetricWindow.nps(NpsComponents.of(60, 10, 30))
            .plus(MetricWindow.nps(NpsComponents.of(40, 20, 50)));
    MetricWindow abandonment =
        MetricWindow.abandonment(AbandonmentComponents.of(1000, 553, 447))
            .plus(MetricWindow.abandonment(AbandonmentComponents.of(590, 326, 264)));
    MetricWindow ces =
        MetricWindow.ces(CesComponents.fromHistogram(new long[] {1, 0, 0, 0, 0, 0, 0}))
            .plus(MetricWindow.ces(CesComponents.fromHistogram(new long[] {0, 0, 0, 0, 0, 3, 0})));
    MetricWindow sla = MetricWindow.slaBreaches(20, 2).plus(MetricWindow.slaBreaches(25, 3));
    MetricWindow frt =
        MetricWindow.firstResponseTimes(new LogHistogram().add(60_000))
            .plus(MetricWindow.firstResponseTimes(new LogHistogram().add(120_000).add(180_000)));

    assertThat(csat).isEqualTo(MetricWindow.csat(CsatComponents.of(70, 100)));
    assertThat(csat.value()).hasValue(70.0);
    assertThat(nps).isEqualTo(MetricWindow.nps(NpsComponents.of(100, 30, 80)));
    assertThat(nps.value().getAsDouble()).isCloseTo(9.5238, within(1e-4));
    assertThat(abandonment)
        .isEqualTo(MetricWindow.abandonment(AbandonmentComponents.of(1590, 879, 711)));
    assertThat(abandonment.samples()).isEqualTo(1590);
    // One response of 1 and three of 6: mean 19 / 4.
    assertThat(ces)
        .isEqualTo(MetricWindow.ces(CesComponents.fromHistogram(new long[] {1, 0, 0, 0, 0, 3, 0})));
    assertThat(ces.value()).hasValue(4.75);
    assertThat(sla).isEqualTo(MetricWindow.slaBreaches(45, 5));
    assertThat(sla.value()).hasValue(10.0);
    assertThat(frt)
        .isEqualTo(
            MetricWindow.firstResponseTimes(
                new LogHistogram().add(60_000).add(120_000).add(180_000)));
    assertThat(frt.samples()).isEqualTo(3);
  }

  @Test
  void plusChangesNeitherOperand() {
    // Windows and hourly sums in keyed state are shared by reference on the heap backend; a sum
    // that mutated an operand would corrupt them.
    MetricWindow left = MetricWindow.csat(CsatComponents.of(8, 10));
    MetricWindow right = MetricWindow.csat(CsatComponents.of(1, 10));
    LogHistogram times = new LogHistogram().add(1000);
    MetricWindow frt = MetricWindow.firstResponseTimes(times);

    left.plus(right);
    frt.plus(MetricWindow.firstResponseTimes(new LogHistogram().add(2000)));

    assertThat(left).isEqualTo(MetricWindow.csat(CsatComponents.of(8, 10)));
    assertThat(right).isEqualTo(MetricWindow.csat(CsatComponents.of(1, 10)));
    assertThat(frt.samples()).isOne();
  }

  @Test
  void plusRejectsAnotherMetric() {
    assertThatThrownBy(() -> MetricWindow.empty(Metric.CSAT).plus(MetricWindow.empty(Metric.NPS)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nps")
        .hasMessageContaining("csat");
  }
}
