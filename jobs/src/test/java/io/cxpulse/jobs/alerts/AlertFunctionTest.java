package io.cxpulse.jobs.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.jobs.alerts.Alert.Status;
import io.cxpulse.jobs.pipeline.HarnessMetrics;
import io.cxpulse.metrics.CsatComponents;
import io.cxpulse.metrics.NpsComponents;
import io.cxpulse.metrics.SignificanceTests;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link AlertFunction} in Flink's keyed operator harness: real keyed state, real event-time timers
 * driven by watermarks the tests advance explicitly, snapshot and restore. The rules come from
 * inline YAML through {@link AlertRules#parse}, as in production.
 *
 * <p>Rows are 1-minute CSAT rows of one series (web, all segments). The baseline scenario is seven
 * days of baseline, then a drop, then recovery; every figure an alert carries is computed here from
 * the counts fed, independently of the function's sums, and ids come from {@link
 * AlertEvaluator#alertId}.
 */
class AlertFunctionTest {

  private static final Logger LOG = LoggerFactory.getLogger(AlertFunctionTest.class);

  private static final Duration ROW = Duration.ofMinutes(1);
  private static final Duration RETENTION = Duration.ofHours(1);
  private static final Duration NO_DELAY = Duration.ZERO;

  /** A Monday, midnight UTC: the first baseline hour. */
  private static final Instant T0 = Instant.parse("2025-03-03T00:00:00Z");

  /** Midnight after seven full days of baseline: the first hour whose baseline is complete. */
  private static final Instant DAY8 = T0.plus(Duration.ofDays(Baseline.DAYS));

  /** The drop starts half an hour into day 8 and lasts 30 minutes. */
  private static final Instant DROP = DAY8.plus(Duration.ofMinutes(30));

  private static final Instant RECOVERY = DROP.plus(Duration.ofMinutes(30));

  private static final AlertScope WEB = new AlertScope("web", AlertScope.ALL);
  private static final String ROW_KEY = "web/all";

  private static final String DROP_RULE = "csat-drop";
  private static final String THIN_DROP_RULE = "csat-drop-45";
  private static final String BELOW_RULE = "csat-below-80";

  private static final AlertRules RULES =
      AlertRules.parse(
          """
          rules:
            - id: csat-drop
              metric: csat
              scope: {channel: any, segment: all}
              window: 15m
              condition:
                drop_vs_baseline:
                  baseline: trailing_7d
                  by: 10
                  significance: 0.01
              min_samples: 50
              severity: warning
              cooldown: 30m
              hysteresis: 3
            # The same rule acting on 45 responses: the control of the min_samples test.
            - id: csat-drop-45
              metric: csat
              scope: {channel: any, segment: all}
              window: 15m
              condition:
                drop_vs_baseline:
                  baseline: trailing_7d
                  by: 10
                  significance: 0.01
              min_samples: 45
              severity: warning
              cooldown: 30m
              hysteresis: 3
            - id: csat-below-80
              metric: csat
              scope: {channel: any, segment: all}
              window: 15m
              condition:
                below: 80
              min_samples: 50
              severity: critical
              cooldown: 30m
              hysteresis: 5
          """,
          "test");

  // Baseline: one 1-minute row at the start of every hour of the 7 days, 100 responses, 80
  // satisfied. The baseline is kept as hourly sums anyway, so one row per hour is enough.
  private static final long BASELINE_TOTAL_PER_HOUR = 100;
  private static final long BASELINE_SATISFIED_PER_HOUR = 80;
  private static final long BASELINE_HOURS = 7 * 24;

  // Day 8 before the drop: 10 responses a minute at 80 %. The drop: 20 a minute at 55 %.
  private static final long QUIET_TOTAL = 10;
  private static final long QUIET_SATISFIED = 8;
  private static final long DROP_TOTAL = 20;
  private static final long DROP_SATISFIED = 11;

  // ---------------------------------------------------------------------------------------------
  // 1, 2: a real drop fires once and resolves once; the same drop on too few samples fires nothing.

  @Test
  void realDropWithEnoughSamplesFiresOnceAndResolvesOnceWithTheSameId() throws Exception {
    try (Harness harness = Harness.open(NO_DELAY, null)) {
      baselineHours(harness, DROP_RULE, 0, BASELINE_HOURS);
      minutes(harness, DROP_RULE, DAY8, DROP, QUIET_SATISFIED, QUIET_TOTAL);
      minutes(harness, DROP_RULE, DROP, RECOVERY, DROP_SATISFIED, DROP_TOTAL);

      // Still bad for the whole 30 minutes, yet one FIRING only.
      assertThat(harness.alerts()).hasSize(1);
      assertFiringOnTheDrop(harness.alerts().get(0));

      minutes(
          harness,
          DROP_RULE,
          RECOVERY,
          RECOVERY.plus(Duration.ofMinutes(30)),
          QUIET_SATISFIED,
          QUIET_TOTAL);
      harness.watermark(RECOVERY.plus(Duration.ofHours(3)));

      List<Alert> alerts = harness.alerts();
      assertThat(alerts).extracting(Alert::status).containsExactly(Status.FIRING, Status.RESOLVED);
      assertResolvedAfterRecovery(alerts.get(0), alerts.get(1));
      assertThat(harness.count(AlertFunction.ALERTS_FIRING)).isOne();
      assertThat(harness.count(AlertFunction.ALERTS_RESOLVED)).isOne();
      assertThat(harness.count(AlertFunction.ROWS_TOO_LATE)).isZero();
      // Every timer has run out: no rows left in any future window.
      assertThat(harness.harness.numEventTimeTimers()).isZero();
    }
  }

  /**
   * Checks the FIRING alert field by field. The drop starts at {@link #DROP}; the window ending k
   * minutes later holds 15 − k quiet minutes and k drop minutes: 8(15 − k) + 11k = 120 + 3k
   * satisfied of 150 + 10k. At k = 3 that is 129/180 = 71.7 %, 8.3 points below the baseline (not
   * enough); at k = 4 it is 132/190 = 69.5 %, 10.5 points below: the first BAD window is [DROP − 11
   * min, DROP + 4 min). Its hour starts at DAY8, so its baseline is exactly the 168 baseline hours:
   * 13,440 of 16,800 = 80 %.
   */
  private static void assertFiringOnTheDrop(Alert firing) {
    Instant windowStart = DROP.minus(Duration.ofMinutes(11));
    long satisfied = 11 * QUIET_SATISFIED + 4 * DROP_SATISFIED;
    long total = 11 * QUIET_TOTAL + 4 * DROP_TOTAL;
    long baselineSatisfied = BASELINE_HOURS * BASELINE_SATISFIED_PER_HOUR;
    long baselineTotal = BASELINE_HOURS * BASELINE_TOTAL_PER_HOUR;
    double pValue =
        SignificanceTests.twoProportions(
                satisfied, total, baselineSatisfied, baselineTotal, Metric.CSAT.worse())
            .orElseThrow()
            .pValue();

    assertThat(satisfied).isEqualTo(132);
    assertThat(total).isEqualTo(190);
    assertThat(firing.status()).isEqualTo(Status.FIRING);
    assertThat(firing.alertId()).isEqualTo(AlertEvaluator.alertId(DROP_RULE, WEB, windowStart));
    assertThat(firing.ruleId()).isEqualTo(DROP_RULE);
    assertThat(firing.metric()).isEqualTo(Metric.CSAT);
    assertThat(firing.severity()).isEqualTo(Severity.WARNING);
    assertThat(firing.scope()).isEqualTo(WEB);
    assertThat(firing.windowStart()).isEqualTo(windowStart);
    assertThat(firing.windowEnd()).isEqualTo(DROP.plus(Duration.ofMinutes(4)));
    assertThat(firing.value()).isEqualTo(100.0 * satisfied / total);
    assertThat(firing.baseline()).isEqualTo(100.0 * baselineSatisfied / baselineTotal);
    assertThat(firing.baseline()).isEqualTo(80.0);
    assertThat(firing.threshold()).isEqualTo(10.0);
    assertThat(firing.pValue()).isEqualTo(pValue).isLessThan(0.01);
    assertThat(firing.samples()).isEqualTo(total);
    assertThat(firing.baselineSamples()).isEqualTo(baselineTotal);
  }

  /**
   * Recovery starts at {@link #RECOVERY}: the window ending j minutes later holds 15 − j drop
   * minutes and j quiet ones, 165 − 3j satisfied of 300 − 10j. Resolving needs a worsening below by
   * − hysteresis = 7 points, CSAT above 73 %: j = 12 gives 129/180 = 71.7 % (8.3 points, inside the
   * band), j = 13 gives 126/170 = 74.1 % (5.9 points), so RESOLVED comes with the window ending 13
   * minutes into the recovery, still against the same 80 % baseline.
   */
  private static void assertResolvedAfterRecovery(Alert firing, Alert resolved) {
    long satisfied = 165 - 3 * 13;
    long total = 300 - 10 * 13;

    assertThat(resolved.alertId()).isEqualTo(firing.alertId());
    assertThat(resolved.windowEnd()).isEqualTo(RECOVERY.plus(Duration.ofMinutes(13)));
    assertThat(resolved.windowStart()).isEqualTo(RECOVERY.minus(Duration.ofMinutes(2)));
    assertThat(resolved.value()).isEqualTo(100.0 * satisfied / total);
    assertThat(resolved.baseline()).isEqualTo(80.0);
    assertThat(resolved.samples()).isEqualTo(total);
  }

  @Test
  void sameDropWithFewerThanMinSamplesPerWindowFiresNothing() throws Exception {
    // Both rules see the same rows: 3 responses a minute, 45 per 15-minute window, 1 of 3
    // satisfied (33 %, far worse than the 55 % drop above). The rule asking for 50 samples decides
    // nothing; the same rule asking for 45 fires, so the rows are a significant drop and only
    // min_samples keeps the first quiet.
    try (Harness harness = Harness.open(NO_DELAY, null)) {
      baselineHours(harness, List.of(DROP_RULE, THIN_DROP_RULE), 0, BASELINE_HOURS);
      long evaluationsBefore = harness.count(AlertFunction.EVALUATIONS);
      for (Instant start = DAY8; start.isBefore(RECOVERY); start = start.plus(ROW)) {
        for (String rule : List.of(DROP_RULE, THIN_DROP_RULE)) {
          harness.row(rule, start, 1, 3, 1);
        }
        harness.watermark(start.plus(ROW));
      }
      harness.watermark(RECOVERY.plus(Duration.ofHours(1)));

      assertThat(harness.alerts())
          .as("only the control rule fires")
          .singleElement()
          .satisfies(
              alert -> {
                assertThat(alert.ruleId()).isEqualTo(THIN_DROP_RULE);
                assertThat(alert.samples()).isEqualTo(45);
              });
      // Both rules were evaluated on every window holding a thin row: those ending 1 to 74
      // minutes after DAY8. The 50-sample rule just had too little to go on.
      assertThat(harness.count(AlertFunction.EVALUATIONS) - evaluationsBefore).isEqualTo(2 * 74);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // 3: quiet noise around the baseline.

  private static final double QUIET_CSAT = 0.8;
  private static final int NOISE_PER_MINUTE = 40;
  private static final int NOISE_WINDOWS = 1_000;
  private static final int NOISE_WINDOW_MINUTES = 15;

  @Test
  void noiseAroundTheBaselineFiresNothingOverAThousandWindows() throws Exception {
    // Every response satisfied with probability 0.8 throughout: a week of baseline, then 1,000
    // disjoint 15-minute windows (15,000 one-minute rows, evaluated every minute, so 15,000
    // overlapping windows) of 40 responses a minute, 600 per window.
    //
    // The week of baseline comes as one row of 2,400 responses in the last minute of each hour,
    // so that no window of the run is thin: the first 14 windows of the measured period also hold
    // the last of these rows, later ones hold exactly 600 responses.
    //
    // Why zero is the right assertion: FIRING needs a BAD window, which needs the window 10 points
    // below the baseline. The baseline then holds >= 168 h x 2,400 responses, so its standard
    // error is 0.06 points and it is within 0.5 points of 80 % except with probability < 1e-14.
    // A BAD window is thus at most 70.5 %, at most 423 of 600 satisfied, whose exact binomial
    // probability q is computed below (about 2e-8; a bigger window is less likely still to be
    // 10 points off). By the union bound the chance that any of the N evaluations is BAD is at
    // most N q, about 3e-4 (the warm-up windows, 2,400 responses or more on both sides, are 8
    // standard errors from a 10-point gap): a correct function fails this test for
    // fewer than 1 in 3,000 seeds. The test checks that bound too, so a change of the numbers
    // here that made zero a lucky outcome fails loudly instead of flaking.
    SplittableRandom random = new SplittableRandom(20250303);
    try (Harness harness = Harness.open(NO_DELAY, null)) {
      long hourTotal = NOISE_PER_MINUTE * 60L;
      for (int hour = 0; hour < BASELINE_HOURS; hour++) {
        Instant start = T0.plus(Duration.ofHours(hour + 1)).minus(ROW);
        harness.row(DROP_RULE, start, binomial(random, hourTotal, QUIET_CSAT), hourTotal, 1);
        harness.watermark(start.plus(ROW));
      }
      long evaluationsBefore = harness.count(AlertFunction.EVALUATIONS);
      int minutes = NOISE_WINDOWS * NOISE_WINDOW_MINUTES;
      for (int minute = 0; minute < minutes; minute++) {
        Instant start = DAY8.plus(ROW.multipliedBy(minute));
        harness.row(
            DROP_RULE, start, binomial(random, NOISE_PER_MINUTE, QUIET_CSAT), NOISE_PER_MINUTE, 1);
        harness.watermark(start.plus(ROW));
      }
      long evaluations = harness.count(AlertFunction.EVALUATIONS) - evaluationsBefore;
      long firing =
          harness.alerts().stream().filter(alert -> alert.status() == Status.FIRING).count();

      int windowSamples = NOISE_PER_MINUTE * NOISE_WINDOW_MINUTES;
      int mostSatisfiedOfABadWindow = (int) Math.floor(windowSamples * 0.705);
      double q = binomialCdf(mostSatisfiedOfABadWindow, windowSamples, QUIET_CSAT);
      double expectedBadAtMost = evaluations * q;
      LOG.info(
          String.format(
              Locale.ROOT,
              "False alarms of %s on quiet noise (CSAT 80 %%, %d responses per 15-min window,"
                  + " by 10, alpha 0.01): %d FIRING in %d evaluations (%d disjoint windows):"
                  + " rate %.4f %% per evaluation, 95 %% upper bound %.2f %% per disjoint window"
                  + " (rule of three); expected BAD evaluations at most N q = %d x %.2e = %.1e",
              DROP_RULE,
              windowSamples,
              firing,
              evaluations,
              NOISE_WINDOWS,
              100.0 * firing / evaluations,
              100.0 * 3 / NOISE_WINDOWS,
              evaluations,
              q,
              expectedBadAtMost));

      assertThat(evaluations).isEqualTo(minutes);
      assertThat(expectedBadAtMost).as("the bound that justifies asserting zero").isLessThan(1e-3);
      assertThat(firing).isZero();
      assertThat(harness.alerts()).isEmpty();
    }
  }

  /** Number of successes in {@code n} trials of probability {@code p}. */
  private static long binomial(SplittableRandom random, long n, double p) {
    long successes = 0;
    for (long i = 0; i < n; i++) {
      if (random.nextDouble() < p) {
        successes++;
      }
    }
    return successes;
  }

  /** P(X ≤ k) for X ~ Binomial(n, p), exactly, in log space (p^n underflows for n = 600). */
  private static double binomialCdf(int k, int n, double p) {
    double logChoose = 0; // log C(n, 0)
    double sum = 0;
    for (int i = 0; i <= k; i++) {
      if (i > 0) {
        logChoose += Math.log(n - i + 1) - Math.log(i);
      }
      sum += Math.exp(logChoose + i * Math.log(p) + (n - i) * Math.log1p(-p));
    }
    return sum;
  }

  // ---------------------------------------------------------------------------------------------
  // 4: threshold lifecycle, hysteresis and cooldown.

  @Test
  void everyEvaluationIsRecordedWithWhatItWaitsFor() throws Exception {
    // Below 80, min_samples 50: 30 responses at 70 % decide nothing; 60 at 70 % fire.
    Instant t = DAY8;
    try (Harness harness = Harness.open(NO_DELAY, null)) {
      harness.row(BELOW_RULE, t, 21, 30, 1);
      harness.watermark(t.plus(Duration.ofMinutes(15)));
      List<RuleEvaluation> thin = harness.evaluations();
      assertThat(thin).isNotEmpty();
      assertThat(thin)
          .allSatisfy(
              e -> {
                assertThat(e.ruleId()).isEqualTo(BELOW_RULE);
                assertThat(e.metric()).isEqualTo("csat");
                assertThat(e.channel()).isEqualTo("web");
                assertThat(e.segment()).isEqualTo("all");
                assertThat(e.verdict()).isEqualTo("INSUFFICIENT");
                assertThat(e.samples()).isEqualTo(30);
                assertThat(e.minSamples()).isEqualTo(50);
                assertThat(e.value()).isEqualTo(70.0);
                assertThat(e.firing()).isFalse();
              });
      assertThat(harness.alerts()).isEmpty();

      Instant enough = t.plus(Duration.ofMinutes(15));
      harness.row(BELOW_RULE, enough, 42, 60, 1);
      harness.watermark(enough.plus(Duration.ofMinutes(15)));
      RuleEvaluation fired =
          harness.evaluations().stream().filter(e -> e.samples() == 60).findFirst().orElseThrow();
      assertThat(fired.verdict()).isEqualTo("BAD");
      assertThat(fired.firing()).isTrue();
      assertThat(harness.alerts()).hasSize(1);
      assertThat(harness.count(AlertFunction.EVALUATIONS))
          .as("one record per evaluation")
          .isEqualTo(harness.evaluations().size());
    }
  }

  @Test
  void thresholdRuleFiresBelowHoldsInsideHysteresisResolvesPastItAndRespectsCooldown()
      throws Exception {
    // One row of 60 responses every 15 minutes: every sliding window then holds exactly one row,
    // and each row is evaluated on the 15 windows that contain it, so the value of every window
    // is exactly that row's CSAT. Rule: below 80, hysteresis 5, cooldown 30 min.
    Instant t = DAY8;
    try (Harness harness = Harness.open(NO_DELAY, null)) {
      harness.row(BELOW_RULE, t, 54, 60, 1); // 90 %: good
      harness.watermark(t.plus(Duration.ofMinutes(15)));
      assertThat(harness.alerts()).isEmpty();

      Instant bad = t.plus(Duration.ofMinutes(15));
      harness.row(BELOW_RULE, bad, 42, 60, 1); // 70 %: below 80, fires on its first window
      harness.watermark(bad.plus(Duration.ofMinutes(15)));
      Instant firstStart = bad.plus(ROW).minus(Duration.ofMinutes(15));
      String firstId = AlertEvaluator.alertId(BELOW_RULE, WEB, firstStart);
      assertThat(harness.alerts())
          .singleElement()
          .satisfies(
              alert -> {
                assertThat(alert.status()).isEqualTo(Status.FIRING);
                assertThat(alert.alertId()).isEqualTo(firstId);
                assertThat(alert.windowStart()).isEqualTo(firstStart);
                assertThat(alert.value()).isEqualTo(70.0);
                assertThat(alert.threshold()).isEqualTo(80.0);
                assertThat(alert.baseline()).isNull();
                assertThat(alert.pValue()).isNull();
                assertThat(alert.samples()).isEqualTo(60);
              });

      Instant borderline = bad.plus(Duration.ofMinutes(15));
      harness.row(BELOW_RULE, borderline, 49, 60, 1); // 81.7 %: above 80, below 80 + 5
      harness.watermark(borderline.plus(Duration.ofMinutes(15)));
      assertThat(harness.alerts()).as("inside the hysteresis band: still firing").hasSize(1);

      Instant good = borderline.plus(Duration.ofMinutes(15));
      harness.row(BELOW_RULE, good, 52, 60, 1); // 86.7 %: past 85, resolves on its first window
      harness.watermark(good.plus(Duration.ofMinutes(15)));
      Instant resolvedAt = good.plus(ROW);
      assertThat(harness.alerts()).hasSize(2);
      Alert resolved = harness.alerts().get(1);
      assertThat(resolved.status()).isEqualTo(Status.RESOLVED);
      assertThat(resolved.alertId()).isEqualTo(firstId);
      assertThat(resolved.windowEnd()).isEqualTo(resolvedAt);
      assertThat(resolved.value()).isEqualTo(100.0 * 52 / 60);

      // Bad again, on windows ending 15 to 29 minutes after the resolve: within the cooldown.
      Instant tooSoon = good.plus(Duration.ofMinutes(15));
      harness.row(BELOW_RULE, tooSoon, 42, 60, 1);
      harness.watermark(tooSoon.plus(Duration.ofMinutes(15)));
      assertThat(harness.alerts()).as("within the cooldown").hasSize(2);

      // Still bad; its first window ends exactly 30 minutes after the resolve: cooldown over.
      Instant afterCooldown = tooSoon.plus(Duration.ofMinutes(15));
      harness.row(BELOW_RULE, afterCooldown, 42, 60, 1);
      harness.watermark(afterCooldown.plus(Duration.ofMinutes(15)));
      Instant secondStart = afterCooldown.plus(ROW).minus(Duration.ofMinutes(15));
      assertThat(harness.alerts()).hasSize(3);
      Alert second = harness.alerts().get(2);
      assertThat(second.status()).isEqualTo(Status.FIRING);
      assertThat(Duration.between(resolvedAt, second.windowEnd()))
          .isEqualTo(Duration.ofMinutes(30));
      assertThat(second.alertId())
          .isEqualTo(AlertEvaluator.alertId(BELOW_RULE, WEB, secondStart))
          .isNotEqualTo(firstId);
      assertThat(harness.count(AlertFunction.ALERTS_FIRING)).isEqualTo(2);
      assertThat(harness.count(AlertFunction.ALERTS_RESOLVED)).isOne();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // 5: late data.

  @Test
  void newerVersionOfARowReplacesItAndAnOlderVersionIsIgnored() throws Exception {
    Instant t = DAY8;
    try (Harness harness = Harness.open(NO_DELAY, null)) {
      harness.row(BELOW_RULE, t, 57, 60, 1); // 95 %
      harness.watermark(t.plus(ROW));
      assertThat(harness.alerts()).isEmpty();

      // A late record re-emits the row with version 2: 50 %. Replaced, it fires at 30/60; added
      // to version 1 it would read 87/120 = 72.5 % on 120 samples.
      harness.row(BELOW_RULE, t, 30, 60, 2);
      harness.watermark(t.plus(Duration.ofMinutes(2)));
      assertThat(harness.alerts())
          .singleElement()
          .satisfies(
              alert -> {
                assertThat(alert.status()).isEqualTo(Status.FIRING);
                assertThat(alert.samples()).isEqualTo(60);
                assertThat(alert.value()).isEqualTo(50.0);
              });

      // Version 1 again (a replay): ignored. Taken, its 95 % would resolve the episode.
      harness.row(BELOW_RULE, t, 57, 60, 1);
      harness.watermark(t.plus(Duration.ofMinutes(30)));
      assertThat(harness.alerts()).hasSize(1);
      // All 15 windows holding the row were evaluated, the last 13 of them after the replay.
      assertThat(harness.count(AlertFunction.EVALUATIONS)).isEqualTo(15);
      assertThat(harness.count(AlertFunction.ROWS_TOO_LATE)).isZero();
    }
  }

  @Test
  void lateFirstRowOfAQuietSeriesIsEvaluatedOnTheWindowsStillAhead() throws Exception {
    // A window that got its first record late: the metric job emits its row only now, with the
    // watermark already 3 minutes past the row's end. The windows ending up to the watermark are
    // behind, but those ending 4 to 14 minutes after the row's end still hold it, and no other
    // row of this quiet series will set a timer for them.
    Instant t = DAY8;
    try (Harness harness = Harness.open(NO_DELAY, null)) {
      harness.watermark(t.plus(Duration.ofMinutes(4)));
      harness.row(BELOW_RULE, t, 30, 60, 1); // 50 %
      harness.watermark(t.plus(Duration.ofMinutes(30)));

      Instant firstWindowAhead = t.plus(Duration.ofMinutes(5));
      assertThat(harness.alerts())
          .singleElement()
          .satisfies(
              alert -> {
                assertThat(alert.status()).isEqualTo(Status.FIRING);
                assertThat(alert.windowEnd()).isEqualTo(firstWindowAhead);
                assertThat(alert.value()).isEqualTo(50.0);
              });
      // Windows ending 5, 6, ..., 15 minutes after the row's start.
      assertThat(harness.count(AlertFunction.EVALUATIONS)).isEqualTo(11);
    }
  }

  @Test
  void lateRowOutsideEveryWindowStillAheadSetsNoTimer() throws Exception {
    Instant t = DAY8;
    try (Harness harness = Harness.open(NO_DELAY, null)) {
      harness.watermark(t.plus(Duration.ofMinutes(20)));
      harness.row(BELOW_RULE, t, 30, 60, 1);

      assertThat(harness.harness.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void rowForAnHourAlreadyFoldedIntoTheBaselineIsCountedTooLate() throws Exception {
    // Three hours of rows, evaluated up to the window [T0 + 2h45m, T0 + 3h) (the last row's end,
    // rows are not re-armed past the watermark). Rows ending before that window's start minus
    // the retention (1 h) can no longer change: whole hours before T0 + 1h45m, i.e. before
    // T0 + 1h, are folded into hourly sums.
    try (Harness harness = Harness.open(NO_DELAY, null)) {
      minutes(harness, DROP_RULE, T0, T0.plus(Duration.ofHours(3)), 8, 10);
      assertThat(harness.count(AlertFunction.ROWS_TOO_LATE)).isZero();

      harness.row(DROP_RULE, T0.plus(Duration.ofMinutes(59)), 0, 10, 2);
      assertThat(harness.count(AlertFunction.ROWS_TOO_LATE)).isOne();

      // The first unfolded minute may still change.
      harness.row(DROP_RULE, T0.plus(Duration.ofHours(1)), 0, 10, 2);
      assertThat(harness.count(AlertFunction.ROWS_TOO_LATE)).isOne();
      assertThat(harness.alerts()).isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // 6: evaluation delay.

  @Test
  void withADelayAWindowIsEvaluatedOnlyWhenTheWatermarkPassesItsEndPlusTheDelay() throws Exception {
    Duration delay = Duration.ofMinutes(30);
    Instant t = DAY8;
    Instant end = t.plus(ROW);
    try (Harness harness = Harness.open(delay, null)) {
      harness.row(BELOW_RULE, t, 30, 60, 1); // 50 %
      harness.watermark(end);
      assertThat(harness.count(AlertFunction.EVALUATIONS)).isZero();

      // During the delay the row fills in (as abandonment rows do while checkouts are decided):
      // the evaluation must see the newer version, 40 %.
      harness.watermark(end.plus(Duration.ofMinutes(20)));
      harness.row(BELOW_RULE, t, 24, 60, 2);
      harness.watermark(end.plus(delay).minusMillis(1));
      assertThat(harness.count(AlertFunction.EVALUATIONS)).isZero();
      assertThat(harness.alerts()).isEmpty();

      harness.watermark(end.plus(delay));
      assertThat(harness.count(AlertFunction.EVALUATIONS)).isOne();
      assertThat(harness.alerts())
          .singleElement()
          .satisfies(
              alert -> {
                assertThat(alert.status()).isEqualTo(Status.FIRING);
                assertThat(alert.windowEnd()).isEqualTo(end);
                assertThat(alert.windowStart()).isEqualTo(end.minus(Duration.ofMinutes(15)));
                assertThat(alert.value()).isEqualTo(40.0);
                assertThat(alert.alertId())
                    .isEqualTo(
                        AlertEvaluator.alertId(BELOW_RULE, WEB, end.minus(Duration.ofMinutes(15))));
              });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // 7: restore.

  @Test
  void baselineAndTimersSurviveASnapshotAndRestore() throws Exception {
    OperatorSubtaskState snapshot;
    long halfway = BASELINE_HOURS / 2;
    Instant halfwayRow = T0.plus(Duration.ofHours(halfway));
    try (Harness first = Harness.open(NO_DELAY, null)) {
      baselineHours(first, DROP_RULE, 0, halfway);
      first.row(DROP_RULE, halfwayRow, BASELINE_SATISFIED_PER_HOUR, BASELINE_TOTAL_PER_HOUR, 1);
      // Taken with the halfway row evaluated on its first 5 windows, 10 still on timers.
      first.watermark(halfwayRow.plus(Duration.ofMinutes(5)));
      snapshot = first.harness.snapshot(1, halfwayRow.plus(Duration.ofMinutes(5)).toEpochMilli());
    }
    try (Harness restored = Harness.open(NO_DELAY, snapshot)) {
      restored.watermark(halfwayRow.plus(Duration.ofHours(1)));
      assertThat(restored.count(AlertFunction.EVALUATIONS)).as("restored timers").isEqualTo(10);
      baselineHours(restored, DROP_RULE, halfway + 1, BASELINE_HOURS);
      minutes(restored, DROP_RULE, DAY8, DROP, QUIET_SATISFIED, QUIET_TOTAL);
      minutes(restored, DROP_RULE, DROP, RECOVERY, DROP_SATISFIED, DROP_TOTAL);

      // Same single FIRING as without the restore: same id, same 80 % on all 16,800 responses of
      // the week, half of which only the snapshot knew.
      assertThat(restored.alerts()).hasSize(1);
      assertFiringOnTheDrop(restored.alerts().get(0));
    }
  }

  @Test
  void ruleRemovedFromTheRulesFileBeforeARestoreDropsItsSeriesInsteadOfFailingTheJob()
      throws Exception {
    // Rules are an operational file that changes without a release. A savepoint taken while a
    // series of a rule has timers pending holds those timers; restored with a file that no longer
    // has the rule, they must not throw on every restart (a crash loop only a state reset ends).
    OperatorSubtaskState snapshot;
    Instant t = DAY8;
    try (Harness before = Harness.open(NO_DELAY, null)) {
      before.row(BELOW_RULE, t, 30, 60, 1);
      before.watermark(t.plus(Duration.ofMinutes(2)));
      assertThat(before.alerts())
          .singleElement()
          .extracting(Alert::status)
          .isEqualTo(Status.FIRING);
      snapshot = before.harness.snapshot(1, t.plus(Duration.ofMinutes(2)).toEpochMilli());
    }
    AlertRules withoutIt =
        AlertRules.parse(
            """
            rules:
              - id: csat-drop
                metric: csat
                scope: {channel: any, segment: all}
                window: 15m
                condition:
                  drop_vs_baseline:
                    baseline: trailing_7d
                    by: 10
                    significance: 0.01
                min_samples: 50
                severity: warning
                cooldown: 30m
            """,
            "test");
    try (Harness after = Harness.open(withoutIt, NO_DELAY, snapshot)) {
      after.watermark(t.plus(Duration.ofHours(1)));

      assertThat(after.alerts()).isEmpty();
      assertThat(after.count(AlertFunction.EVALUATIONS)).isZero();
      assertThat(after.harness.numKeyedStateEntries()).isZero();
      assertThat(after.harness.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void ruleThatNowWatchesAnotherMetricStartsItsSeriesAfreshAfterARestore() throws Exception {
    // The same id with another metric: the restored CSAT rows cannot be added to NPS components.
    OperatorSubtaskState snapshot;
    Instant t = DAY8;
    try (Harness before = Harness.open(NO_DELAY, null)) {
      before.row(BELOW_RULE, t, 30, 60, 1);
      before.watermark(t.plus(Duration.ofMinutes(2)));
      assertThat(before.alerts())
          .singleElement()
          .extracting(Alert::status)
          .isEqualTo(Status.FIRING);
      snapshot = before.harness.snapshot(1, t.plus(Duration.ofMinutes(2)).toEpochMilli());
    }
    AlertRules npsNow =
        AlertRules.parse(
            """
            rules:
              - id: csat-below-80
                metric: nps
                scope: {channel: any, segment: all}
                window: 15m
                condition:
                  below: 0
                min_samples: 50
                severity: critical
                cooldown: 30m
            """,
            "test");
    try (Harness after = Harness.open(npsNow, NO_DELAY, snapshot)) {
      Instant next = t.plus(Duration.ofMinutes(5));
      MetricRow nps =
          MetricRow.of(
              next,
              next.plus(ROW),
              "web",
              "all",
              ROW_KEY,
              1,
              MetricWindow.nps(NpsComponents.of(10, 10, 40)));
      after.harness.processElement(SeriesRow.of(BELOW_RULE, WEB, nps), nps.getWindowStartMillis());
      after.watermark(next.plus(Duration.ofMinutes(2)));

      // No exception; the old CSAT episode is gone, and the NPS of −50 on 60 responses fires a
      // new one.
      assertThat(after.alerts())
          .singleElement()
          .satisfies(
              alert -> {
                assertThat(alert.status()).isEqualTo(Status.FIRING);
                assertThat(alert.metric()).isEqualTo(Metric.NPS);
                assertThat(alert.value()).isEqualTo(-50.0);
                assertThat(alert.samples()).isEqualTo(60);
              });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // 8: routing.

  @Test
  void routingEmitsARowOncePerRuleWhoseScopeItCountsIn() throws Exception {
    AlertRules rules =
        AlertRules.parse(
            """
            rules:
              - id: per-channel
                metric: csat
                scope: {channel: any, segment: all}
                window: 15m
                condition: {below: 50}
                min_samples: 1
                severity: info
                cooldown: 0m
              - id: everything
                metric: csat
                scope: all
                window: 15m
                condition: {below: 50}
                min_samples: 1
                severity: info
                cooldown: 0m
              - id: web-by-segment
                metric: csat
                scope: {channel: web, segment: any}
                window: 15m
                condition: {below: 50}
                min_samples: 1
                severity: info
                cooldown: 0m
              - id: nps-by-segment
                metric: nps
                scope: {channel: all, segment: any}
                window: 15m
                condition: {below: 0}
                min_samples: 1
                severity: info
                cooldown: 0m
            """,
            "test");
    AlertStage.RouteToSeries route = new AlertStage.RouteToSeries(rules);
    long start = DAY8.toEpochMilli();
    long end = DAY8.plus(ROW).toEpochMilli();
    MetricRow webNew =
        MetricRow.of(
            start, end, "web", "new", "web/new", 1, MetricWindow.csat(CsatComponents.of(8, 10)));
    MetricRow chatVip =
        MetricRow.of(
            start, end, "chat", "vip", "chat/vip", 1, MetricWindow.csat(CsatComponents.of(8, 10)));
    MetricRow npsWebNew =
        MetricRow.of(
            start, end, "web", "new", "web/new", 1, MetricWindow.nps(NpsComponents.of(5, 3, 2)));
    MetricRow abandonment =
        MetricRow.of(
            start, end, "web", "new", "web/new", 1, MetricWindow.empty(Metric.ABANDONMENT_RATE));

    assertThat(route(route, webNew))
        .containsExactly(
            SeriesRow.of("per-channel", new AlertScope("web", "all"), webNew),
            SeriesRow.of("everything", AlertScope.EVERYTHING, webNew),
            SeriesRow.of("web-by-segment", new AlertScope("web", "new"), webNew));
    // Not web: the single-value scope leaves it out.
    assertThat(route(route, chatVip))
        .containsExactly(
            SeriesRow.of("per-channel", new AlertScope("chat", "all"), chatVip),
            SeriesRow.of("everything", AlertScope.EVERYTHING, chatVip));
    assertThat(route(route, npsWebNew))
        .containsExactly(SeriesRow.of("nps-by-segment", new AlertScope("all", "new"), npsWebNew));
    // No rule watches abandonment.
    assertThat(route(route, abandonment)).isEmpty();
    // Rows of one series of one rule meet under one key; rules never share a key.
    assertThat(route(route, webNew).get(1).key()).isEqualTo(route(route, chatVip).get(1).key());
    assertThat(route(route, webNew).get(0).key()).isNotEqualTo(route(route, chatVip).get(0).key());
  }

  private static List<SeriesRow> route(AlertStage.RouteToSeries route, MetricRow row) {
    List<SeriesRow> out = new ArrayList<>();
    route.flatMap(row, new ListCollector<>(out));
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Feeding.

  /** Hours [from, to) of the baseline: one row at the start of each hour, then its hour passes. */
  private static void baselineHours(Harness harness, String rule, long from, long to)
      throws Exception {
    baselineHours(harness, List.of(rule), from, to);
  }

  /** {@link #baselineHours(Harness, String, long, long)} for several rules at once. */
  private static void baselineHours(Harness harness, List<String> rules, long from, long to)
      throws Exception {
    for (long hour = from; hour < to; hour++) {
      Instant start = T0.plus(Duration.ofHours(hour));
      for (String rule : rules) {
        harness.row(rule, start, BASELINE_SATISFIED_PER_HOUR, BASELINE_TOTAL_PER_HOUR, 1);
      }
      harness.watermark(start.plus(Duration.ofHours(1)));
    }
  }

  /** One row per minute over [from, to), each followed by the watermark at its end. */
  private static void minutes(
      Harness harness, String rule, Instant from, Instant to, long satisfied, long total)
      throws Exception {
    for (Instant start = from; start.isBefore(to); start = start.plus(ROW)) {
      harness.row(rule, start, satisfied, total, 1);
      harness.watermark(start.plus(ROW));
    }
  }

  /** The operator under test in its harness, with readable counters. */
  private static final class Harness implements AutoCloseable {

    final KeyedOneInputStreamOperatorTestHarness<String, SeriesRow, Alert> harness;
    private final HarnessMetrics metrics;

    private Harness(
        KeyedOneInputStreamOperatorTestHarness<String, SeriesRow, Alert> harness,
        HarnessMetrics metrics) {
      this.harness = harness;
      this.metrics = metrics;
    }

    /** An opened harness, restored from {@code snapshot} unless it is null. */
    static Harness open(Duration delay, OperatorSubtaskState snapshot) throws Exception {
      return open(RULES, delay, snapshot);
    }

    /** {@link #open(Duration, OperatorSubtaskState)} with other rules. */
    static Harness open(AlertRules rules, Duration delay, OperatorSubtaskState snapshot)
        throws Exception {
      HarnessMetrics metrics = new HarnessMetrics();
      KeyedOneInputStreamOperatorTestHarness<String, SeriesRow, Alert> harness =
          new KeyedOneInputStreamOperatorTestHarness<>(
              new KeyedProcessOperator<>(new AlertFunction(rules, ROW, delay, RETENTION)),
              SeriesRow::key,
              Types.STRING,
              metrics.environment());
      if (snapshot != null) {
        harness.initializeState(snapshot);
      }
      harness.open();
      return new Harness(harness, metrics);
    }

    /** A CSAT row of the web series starting at {@code start}, routed to {@code rule}. */
    void row(String rule, Instant start, long satisfied, long total, long version)
        throws Exception {
      MetricRow row =
          MetricRow.of(
              start.toEpochMilli(),
              start.plus(ROW).toEpochMilli(),
              "web",
              "all",
              ROW_KEY,
              version,
              MetricWindow.csat(CsatComponents.of(satisfied, total)));
      // Rows carry their window start as timestamp, as the window operator emits them.
      harness.processElement(SeriesRow.of(rule, WEB, row), row.getWindowStartMillis());
    }

    void watermark(Instant at) throws Exception {
      harness.processWatermark(at.toEpochMilli());
    }

    List<Alert> alerts() {
      return harness.extractOutputValues();
    }

    List<RuleEvaluation> evaluations() {
      var records = harness.getSideOutput(AlertFunction.EVALUATION_RECORDS);
      return records == null
          ? List.of()
          : records.stream().map(record -> record.getValue()).toList();
    }

    long count(String counter) {
      return metrics.count(counter);
    }

    @Override
    public void close() throws Exception {
      harness.close();
    }
  }
}
