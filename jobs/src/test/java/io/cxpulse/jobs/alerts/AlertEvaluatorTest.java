package io.cxpulse.jobs.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.cxpulse.jobs.alerts.Alert.Status;
import io.cxpulse.jobs.alerts.AlertEvaluator.Verdict;
import io.cxpulse.jobs.alerts.AlertRule.Bound;
import io.cxpulse.jobs.alerts.AlertRule.DropVsBaseline;
import io.cxpulse.jobs.alerts.AlertRule.Scope;
import io.cxpulse.jobs.alerts.AlertRule.Threshold;
import io.cxpulse.metrics.AbandonmentComponents;
import io.cxpulse.metrics.CsatComponents;
import io.cxpulse.metrics.LogHistogram;
import io.cxpulse.metrics.NpsComponents;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AlertEvaluatorTest {

  private static final Instant T0 = Instant.parse("2025-03-10T12:00:00Z");
  private static final Duration WINDOW = Duration.ofMinutes(15);
  private static final AlertScope WEB = new AlertScope("web", "all");

  /** NPS 10 points below the trailing week, significant at 1 %, 50 responses, hysteresis 5. */
  private static final AlertRule NPS_RULE =
      new AlertRule(
          "nps-drop",
          Metric.NPS,
          new Scope("any", "all"),
          WINDOW,
          new DropVsBaseline(Baseline.TRAILING_7D, 10, 0.01),
          50,
          Severity.CRITICAL,
          Duration.ofHours(1),
          5);

  // Baseline 500 promoters / 300 passives / 200 detractors: NPS 30 on 1,000 responses.
  private static final MetricWindow BASELINE = MetricWindow.nps(NpsComponents.of(500, 300, 200));
  // NPS 30 on 50: as usual.
  private static final MetricWindow QUIET = MetricWindow.nps(NpsComponents.of(25, 15, 10));
  // NPS -10 on 50: 40 points down, z = -3.332, p = 0.00043 (see SignificanceTestsTest).
  private static final MetricWindow DROP = MetricWindow.nps(NpsComponents.of(15, 15, 20));
  // The same shares on 20 responses: NPS -10, but below min_samples.
  private static final MetricWindow THIN_DROP = MetricWindow.nps(NpsComponents.of(6, 6, 8));
  // NPS 30 on 20 responses: looks recovered, but too thin to say so.
  private static final MetricWindow THIN_QUIET = MetricWindow.nps(NpsComponents.of(10, 6, 4));
  // NPS 10 on 50: 20 points down, but Var = 10000 * (0.24 + 0.21 + 0.24) / 50 = 138,
  // z = -20 / sqrt(138 + 6.1) = -1.666, p = 0.048 > 0.01: big, not significant.
  private static final MetricWindow UNPROVEN_DROP = MetricWindow.nps(NpsComponents.of(20, 15, 15));
  // NPS 24 on 50: 6 points down, between by - hysteresis = 5 and by = 10.
  private static final MetricWindow HALF_RECOVERED = MetricWindow.nps(NpsComponents.of(24, 14, 12));

  private static Evaluation at(int minute, MetricWindow current, MetricWindow baseline) {
    Instant start = T0.plus(Duration.ofMinutes(minute));
    return new Evaluation(WEB, start, start.plus(WINDOW), current, baseline);
  }

  /** Feeds {@code windows}, one per minute from {@code firstMinute}; returns the alerts. */
  private static List<Alert> run(
      AlertEvaluator evaluator, AlertState state, int firstMinute, MetricWindow... windows) {
    List<Alert> alerts = new ArrayList<>();
    for (int i = 0; i < windows.length; i++) {
      evaluator.evaluate(state, at(firstMinute + i, windows[i], BASELINE)).ifPresent(alerts::add);
    }
    return alerts;
  }

  private static MetricWindow[] repeat(MetricWindow window, int times) {
    MetricWindow[] windows = new MetricWindow[times];
    Arrays.fill(windows, window);
    return windows;
  }

  @Test
  void verdictsOfTheNpsRule() {
    AlertEvaluator evaluator = new AlertEvaluator(NPS_RULE);

    assertThat(evaluator.check(at(0, QUIET, BASELINE)).verdict()).isEqualTo(Verdict.GOOD);
    assertThat(evaluator.check(at(0, DROP, BASELINE)).verdict()).isEqualTo(Verdict.BAD);
    assertThat(evaluator.check(at(0, THIN_DROP, BASELINE)).verdict())
        .isEqualTo(Verdict.INSUFFICIENT);
    assertThat(evaluator.check(at(0, THIN_QUIET, BASELINE)).verdict())
        .isEqualTo(Verdict.INSUFFICIENT);
    assertThat(evaluator.check(at(0, UNPROVEN_DROP, BASELINE)).verdict())
        .isEqualTo(Verdict.BORDERLINE);
    assertThat(evaluator.check(at(0, UNPROVEN_DROP, BASELINE)).pValue())
        .isCloseTo(0.0479, within(1e-4));
    assertThat(evaluator.check(at(0, HALF_RECOVERED, BASELINE)).verdict())
        .isEqualTo(Verdict.BORDERLINE);
  }

  @Test
  void aRealDropWithEnoughSamplesFiresOnce() {
    AlertEvaluator evaluator = new AlertEvaluator(NPS_RULE);
    AlertState state = new AlertState();

    List<Alert> alerts = run(evaluator, state, 0, QUIET, QUIET, QUIET);
    alerts.addAll(run(evaluator, state, 3, repeat(DROP, 30)));

    Instant start = T0.plus(Duration.ofMinutes(3));
    assertThat(alerts)
        .containsExactly(
            new Alert(
                AlertEvaluator.alertId("nps-drop", WEB, start),
                Status.FIRING,
                "nps-drop",
                Metric.NPS,
                Severity.CRITICAL,
                WEB,
                start,
                start.plus(WINDOW),
                -10.0,
                30.0,
                10.0,
                alerts.get(0).pValue(),
                50,
                1000L,
                "Firing: NPS -10.0 on web / all segments over 15m, 40.0 points below its"
                    + " trailing 7-day baseline 30.0 (p=0.0004, n=50 vs 1000)"));
    assertThat(alerts.get(0).pValue()).isCloseTo(0.00043085, within(1e-8));
    assertThat(state.isFiring()).isTrue();
  }

  @Test
  void theSameDropWithFewerThanMinSamplesDoesNotFire() {
    AlertEvaluator evaluator = new AlertEvaluator(NPS_RULE);
    AlertState state = new AlertState();

    List<Alert> alerts = run(evaluator, state, 0, repeat(THIN_DROP, 30));

    assertThat(alerts).isEmpty();
    assertThat(state.isFiring()).isFalse();
  }

  @Test
  void aBigDropThatIsNotSignificantDoesNotFire() {
    AlertEvaluator evaluator = new AlertEvaluator(NPS_RULE);

    assertThat(run(evaluator, new AlertState(), 0, repeat(UNPROVEN_DROP, 30))).isEmpty();
  }

  @Test
  void resolvesOnlyOnRecoveryBackedByEnoughSamplesThenCoolsDown() {
    AlertEvaluator evaluator = new AlertEvaluator(NPS_RULE);
    AlertState state = new AlertState();

    List<Alert> firing = run(evaluator, state, 0, QUIET, QUIET, QUIET, DROP, DROP);
    // Inside the episode: a dip into the hysteresis band, a big but unproven drop (lack of
    // evidence is not recovery), a thin window that looks fine: none of them resolves.
    List<Alert> undecided = run(evaluator, state, 5, HALF_RECOVERED, UNPROVEN_DROP, THIN_QUIET);
    List<Alert> resolved = run(evaluator, state, 8, QUIET, QUIET);
    // Cooldown 1 h from the resolving window's end (minute 8 + 15): the drop returns at once but
    // may fire only from the window ending 60 minutes later, i.e. starting at minute 68.
    List<Alert> again = run(evaluator, state, 10, repeat(DROP, 70));

    assertThat(firing).singleElement().extracting(Alert::status).isEqualTo(Status.FIRING);
    assertThat(undecided).isEmpty();
    assertThat(resolved).hasSize(1);
    Alert resolve = resolved.get(0);
    assertThat(resolve.status()).isEqualTo(Status.RESOLVED);
    assertThat(resolve.alertId()).isEqualTo(firing.get(0).alertId());
    assertThat(resolve.windowStart()).isEqualTo(T0.plus(Duration.ofMinutes(8)));
    assertThat(resolve.value()).isCloseTo(30.0, within(1e-9));
    assertThat(resolve.summary())
        .isEqualTo(
            "Resolved: NPS 30.0 on web / all segments over 15m, 0.0 points above its trailing"
                + " 7-day baseline 30.0 (p=0.5000, n=50 vs 1000)");
    assertThat(state.getResolvedAtMillis())
        .isEqualTo(T0.plus(Duration.ofMinutes(8 + 15)).toEpochMilli());
    assertThat(again).singleElement().extracting(Alert::status).isEqualTo(Status.FIRING);
    assertThat(again.get(0).windowStart()).isEqualTo(T0.plus(Duration.ofMinutes(68)));
    assertThat(again.get(0).alertId()).isNotEqualTo(firing.get(0).alertId());
  }

  @Test
  void thresholdRuleWithHysteresisDoesNotFlap() {
    // CSAT below 80 %, resolve at 82 % or more, no cooldown.
    AlertRule rule =
        new AlertRule(
            "csat-floor",
            Metric.CSAT,
            new Scope("any", "all"),
            WINDOW,
            new Threshold(Bound.BELOW, 80),
            30,
            Severity.WARNING,
            Duration.ZERO,
            2);
    AlertEvaluator evaluator = new AlertEvaluator(rule);
    AlertState state = new AlertState();
    int[] percents = {85, 79, 81, 79, 80, 81, 82, 79, 80};
    List<Optional<Alert>> alerts = new ArrayList<>();
    for (int minute = 0; minute < percents.length; minute++) {
      MetricWindow csat = MetricWindow.csat(CsatComponents.of(percents[minute], 100));
      Instant start = T0.plus(Duration.ofMinutes(minute));
      alerts.add(evaluator.evaluate(state, Evaluation.of(WEB, start, start.plus(WINDOW), csat)));
    }

    assertThat(alerts)
        .extracting(alert -> alert.map(Alert::status).orElse(null))
        .containsExactly(
            null, Status.FIRING, null, null, null, null, Status.RESOLVED, Status.FIRING, null);
    Alert fired = alerts.get(1).orElseThrow();
    assertThat(fired.threshold()).isEqualTo(80.0);
    assertThat(fired.baseline()).isNull();
    assertThat(fired.pValue()).isNull();
    assertThat(fired.baselineSamples()).isNull();
    assertThat(fired.summary())
        .isEqualTo("Firing: CSAT 79.0 % on web / all segments over 15m, below 80.0 % (n=100)");
    assertThat(alerts.get(6).orElseThrow().summary())
        .isEqualTo(
            "Resolved: CSAT 82.0 % on web / all segments over 15m, no longer below 80.0 %"
                + " (n=100)");
    // With no cooldown, the next episode starts at once, with its own id.
    assertThat(alerts.get(7).orElseThrow().alertId()).isNotEqualTo(fired.alertId());
  }

  @Test
  void higherIsWorseForAbandonment() {
    // Abandonment 15 points above the same hour, significant at 1 %, 100 started.
    AlertRule rule =
        new AlertRule(
            "abandonment",
            Metric.ABANDONMENT_RATE,
            new Scope("any", "all"),
            WINDOW,
            new DropVsBaseline(Baseline.TRAILING_SAME_HOUR, 15, 0.01),
            100,
            Severity.CRITICAL,
            Duration.ofMinutes(30),
            5);
    AlertEvaluator evaluator = new AlertEvaluator(rule);
    MetricWindow baseline = MetricWindow.abandonment(AbandonmentComponents.of(1000, 553, 447));
    // 60 % against 44.7 %: 15.3 points up, p = 0.0017 (SignificanceTestsTest).
    MetricWindow up = MetricWindow.abandonment(AbandonmentComponents.of(100, 40, 60));
    // 58 % is 13.3 points up: significant (z = 2.6) but smaller than `by`.
    MetricWindow upALittle = MetricWindow.abandonment(AbandonmentComponents.of(100, 42, 58));
    // 30 %: better than usual.
    MetricWindow down = MetricWindow.abandonment(AbandonmentComponents.of(100, 70, 30));

    assertThat(evaluator.check(at(0, up, baseline)).verdict()).isEqualTo(Verdict.BAD);
    assertThat(evaluator.check(at(0, upALittle, baseline)).verdict()).isEqualTo(Verdict.BORDERLINE);
    assertThat(evaluator.check(at(0, down, baseline)).verdict()).isEqualTo(Verdict.GOOD);
    assertThat(evaluator.evaluate(new AlertState(), at(0, up, baseline)).orElseThrow().summary())
        .isEqualTo(
            "Firing: Abandonment rate 60.0 % on web / all segments over 15m, 15.3 points above"
                + " its trailing same-hour baseline 44.7 % (p=0.0017, n=100 vs 1000)");
  }

  @Test
  void responseTimeAboveAnAbsoluteThreshold() {
    AlertRule rule =
        new AlertRule(
            "frt-chat",
            Metric.FRT_P90,
            new Scope("chat", "all"),
            Duration.ofMinutes(30),
            new Threshold(Bound.ABOVE, Duration.ofMinutes(15).toMillis()),
            20,
            Severity.CRITICAL,
            Duration.ofMinutes(30),
            Duration.ofMinutes(3).toMillis());
    AlertEvaluator evaluator = new AlertEvaluator(rule);
    LogHistogram slow = new LogHistogram();
    LogHistogram fast = new LogHistogram();
    for (int i = 0; i < 20; i++) {
      slow.add(Duration.ofMinutes(20).toMillis());
      fast.add(Duration.ofMinutes(5).toMillis());
    }
    AlertScope chat = new AlertScope("chat", "all");
    AlertState state = new AlertState();

    Optional<Alert> fired =
        evaluator.evaluate(
            state,
            Evaluation.of(
                chat, T0, T0.plus(Duration.ofMinutes(30)), MetricWindow.firstResponseTimes(slow)));
    Optional<Alert> resolved =
        evaluator.evaluate(
            state,
            Evaluation.of(
                chat,
                T0.plus(Duration.ofMinutes(1)),
                T0.plus(Duration.ofMinutes(31)),
                MetricWindow.firstResponseTimes(fast)));

    assertThat(fired).map(Alert::status).hasValue(Status.FIRING);
    assertThat(fired.orElseThrow().value())
        .isCloseTo(1_200_000, within(1_200_000 * LogHistogram.RELATIVE_ERROR_BOUND));
    assertThat(fired.orElseThrow().summary())
        .startsWith("Firing: First-response p90 ")
        .endsWith(" min on chat / all segments over 30m, above 15.0 min (n=20)");
    assertThat(resolved).map(Alert::status).hasValue(Status.RESOLVED);
  }

  @Test
  void baselineRulesDecideNothingWithoutAUsableBaseline() {
    AlertEvaluator evaluator = new AlertEvaluator(NPS_RULE);
    MetricWindow thinBaseline = MetricWindow.nps(NpsComponents.of(20, 10, 10));

    assertThat(evaluator.check(at(0, DROP, null)).verdict()).isEqualTo(Verdict.INSUFFICIENT);
    assertThat(evaluator.check(at(0, DROP, thinBaseline)).verdict())
        .isEqualTo(Verdict.INSUFFICIENT);
    assertThat(evaluator.check(at(0, DROP, thinBaseline)).baselineSamples()).isEqualTo(40);
    assertThat(evaluator.evaluate(new AlertState(), at(0, DROP, null))).isEmpty();
  }

  @Test
  void replayedAndLateEvaluationsAreIgnored() throws Exception {
    AlertEvaluator evaluator = new AlertEvaluator(NPS_RULE);
    AlertState state = new AlertState();

    Optional<Alert> first = evaluator.evaluate(state, at(5, DROP, BASELINE));
    AlertState afterFirst = copy(state);
    Optional<Alert> replay = evaluator.evaluate(state, at(5, DROP, BASELINE));
    Optional<Alert> late = evaluator.evaluate(state, at(4, QUIET, BASELINE));

    assertThat(first).isPresent();
    assertThat(replay).isEmpty();
    assertThat(late).isEmpty();
    assertThat(state).isEqualTo(afterFirst);
  }

  @Test
  void stateRestoredFromASnapshotContinuesTheEpisode() throws Exception {
    AlertEvaluator evaluator = new AlertEvaluator(NPS_RULE);
    AlertState state = new AlertState();
    Alert fired = run(evaluator, state, 0, QUIET, DROP, DROP).get(0);

    AlertState restored = copy(state);
    List<Alert> fromOriginal = run(evaluator, state, 3, DROP, QUIET, DROP);
    List<Alert> fromRestored = run(new AlertEvaluator(NPS_RULE), restored, 3, DROP, QUIET, DROP);

    assertThat(fromRestored).isEqualTo(fromOriginal);
    assertThat(fromRestored)
        .singleElement()
        .satisfies(
            alert -> {
              assertThat(alert.status()).isEqualTo(Status.RESOLVED);
              assertThat(alert.alertId()).isEqualTo(fired.alertId());
            });
    assertThat(restored).isEqualTo(state);
  }

  @Test
  void alertIdsAreStableAndDistinct() {
    String id = AlertEvaluator.alertId("nps-drop", WEB, T0);

    assertThat(AlertEvaluator.alertId("nps-drop", new AlertScope("web", "all"), T0)).isEqualTo(id);
    assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-3[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}");
    assertThat(
            List.of(
                AlertEvaluator.alertId("nps-drop-2", WEB, T0),
                AlertEvaluator.alertId("nps-drop", new AlertScope("chat", "all"), T0),
                AlertEvaluator.alertId("nps-drop", new AlertScope("web", "vip"), T0),
                AlertEvaluator.alertId("nps-drop", WEB, T0.plusSeconds(60))))
        .doesNotContain(id)
        .doesNotHaveDuplicates();
  }

  @Test
  void evaluationsMustMatchTheRule() {
    AlertEvaluator evaluator = new AlertEvaluator(NPS_RULE);
    MetricWindow csat = MetricWindow.csat(CsatComponents.of(1, 2));

    assertThatThrownBy(() -> evaluator.check(Evaluation.of(WEB, T0, T0.plus(WINDOW), csat)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nps-drop watches nps");
    assertThatThrownBy(
            () -> evaluator.check(new Evaluation(WEB, T0, T0.plusSeconds(60), DROP, BASELINE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT15M");
    assertThatThrownBy(() -> new Evaluation(WEB, T0, T0.plus(WINDOW), DROP, csat))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rulesBuiltInCodeAreCheckedToo() {
    assertThatThrownBy(
            () ->
                new AlertRule(
                    "frt",
                    Metric.FRT_P90,
                    new Scope("all", "all"),
                    WINDOW,
                    new DropVsBaseline(Baseline.TRAILING_7D, 10, 0.01),
                    10,
                    Severity.INFO,
                    Duration.ZERO,
                    0))
        .hasMessageContaining("no significance test");
    assertThatThrownBy(() -> new DropVsBaseline(Baseline.TRAILING_7D, 10, 0.6))
        .hasMessageContaining("(0, 0.5]");
    assertThatThrownBy(
            () ->
                new AlertRule(
                    "nps",
                    Metric.NPS,
                    new Scope("all", "all"),
                    WINDOW,
                    new DropVsBaseline(Baseline.TRAILING_7D, 4, 0.01),
                    10,
                    Severity.INFO,
                    Duration.ZERO,
                    5))
        .hasMessageContaining("hysteresis 5.0 is larger than by 4.0");
  }

  @Test
  void formatsDurationsAsTheRulesFileWritesThem() {
    assertThat(AlertEvaluator.formatDuration(Duration.ofMinutes(15))).isEqualTo("15m");
    assertThat(AlertEvaluator.formatDuration(Duration.ofMinutes(90))).isEqualTo("1h30m");
    assertThat(AlertEvaluator.formatDuration(Duration.ofDays(1))).isEqualTo("1d");
    assertThat(AlertEvaluator.formatDuration(Duration.ofSeconds(30))).isEqualTo("30s");
  }

  private static AlertState copy(AlertState state) throws IOException, ClassNotFoundException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(state);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (AlertState) in.readObject();
    }
  }
}
