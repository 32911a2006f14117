package io.cxpulse.jobs.alerts;

import io.cxpulse.jobs.alerts.Alert.Status;
import io.cxpulse.jobs.alerts.AlertRule.Bound;
import io.cxpulse.jobs.alerts.AlertRule.DropVsBaseline;
import io.cxpulse.jobs.alerts.AlertRule.Threshold;
import io.cxpulse.metrics.SignificanceTests;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The alert lifecycle of one rule: from a sequence of evaluations of a series, decides when an
 * episode starts (FIRING) and ends (RESOLVED). Plain Java, so the rules are unit-tested here and
 * the Flink function that calls it only keys, times and stores.
 *
 * <h2>Each evaluation gets a verdict ({@link #check})</h2>
 *
 * <ul>
 *   <li>{@link Verdict#INSUFFICIENT}: fewer than {@code min_samples} in the window, or for a
 *       baseline rule no baseline, a baseline with fewer than {@code min_samples}, or no test
 *       result. Decides nothing: does not fire and does not resolve. Five responses neither page
 *       anyone nor tell anyone the incident is over.
 *   <li>{@link Verdict#BAD}: the condition holds. Threshold {@code below: x}: value &lt; x ({@code
 *       above}: value &gt; x). Baseline: worsening ≥ {@code by} <em>and</em> the one-sided test
 *       gives p ≤ α.
 *   <li>{@link Verdict#GOOD}: the metric has recovered past the hysteresis margin h. Threshold
 *       {@code below: x}: value ≥ x + h ({@code above}: value ≤ x − h). Baseline: worsening &lt;
 *       {@code by} − h.
 *   <li>{@link Verdict#BORDERLINE}: neither; the state stays as it is.
 * </ul>
 *
 * <p>Recovery of a baseline rule is judged on the point estimate alone, not on the test: a drop
 * that stops being significant only because the window got thinner is lack of evidence, not
 * recovery. So firing needs evidence that it is bad (big enough and significant), resolving needs
 * the value itself to be back; in between (big but not significant, or inside the hysteresis band)
 * nothing changes. The hysteresis keeps a value that hovers at the boundary from flapping between
 * FIRING and RESOLVED; the cooldown limits how often a series can page even when it does.
 *
 * <h2>Lifecycle ({@link #evaluate})</h2>
 *
 * <ul>
 *   <li>Quiet and BAD: FIRING, unless within {@code cooldown} of the last RESOLVED (measured from
 *       that evaluation's window end to this one's). The episode's id is {@link #alertId}(rule,
 *       series, this window's start).
 *   <li>Firing and GOOD: RESOLVED with the same id; the cooldown starts at this window's end.
 *   <li>Anything else: no alert. In particular no repeat FIRING while an episode is open, however
 *       long it lasts, and no RESOLVED while the data is too thin to tell; an episode on a series
 *       that stops getting data stays open until data shows recovery.
 *   <li>An evaluation whose window ends at or before the last one taken is ignored, so a replayed
 *       or late evaluation cannot emit an alert twice or out of order.
 * </ul>
 *
 * <p>Everything depends on event time only, so a replay after a restore from a snapshot reaches the
 * same decisions and the same ids. Holds the rule only; all per-series memory is in the {@link
 * AlertState} passed in. Immutable and {@link Serializable}.
 */
public final class AlertEvaluator implements Serializable {

  private static final long serialVersionUID = 1L;

  /** What one evaluation says, before the lifecycle is applied. */
  public enum Verdict {
    /** Too little data to decide anything. */
    INSUFFICIENT,
    /** The condition holds: fires if quiet. */
    BAD,
    /** Recovered past the hysteresis margin: resolves if firing. */
    GOOD,
    /** Neither: the state stays. */
    BORDERLINE
  }

  /**
   * The verdict of one evaluation and the figures it was based on.
   *
   * @param verdict the verdict
   * @param value the window's value; NaN when it has none
   * @param baseline the baseline's value for baseline rules, else null (also when unknown)
   * @param pValue the test's one-sided p-value for baseline rules, else null (also when untested)
   * @param samples the window's sample size
   * @param baselineSamples the baseline's sample size for baseline rules, else null
   */
  public record Check(
      Verdict verdict,
      double value,
      Double baseline,
      Double pValue,
      long samples,
      Long baselineSamples) {}

  private final AlertRule rule;

  /** An evaluator of {@code rule}. */
  public AlertEvaluator(AlertRule rule) {
    this.rule = Objects.requireNonNull(rule, "rule");
  }

  /** The rule evaluated. */
  public AlertRule rule() {
    return rule;
  }

  /**
   * The stable id of an episode: a name-based (type 3) UUID of the rule id, the series and the
   * start of the window the episode began in. The same inputs give the same id in every JVM and
   * after every replay, so receivers can deduplicate on (id, status); a later episode of the same
   * rule and series starts in a later window and so gets another id.
   */
  public static String alertId(String ruleId, AlertScope scope, Instant episodeStart) {
    String name =
        "cx-pulse-alert\n"
            + ruleId
            + "\n"
            + scope.channel()
            + "\n"
            + scope.segment()
            + "\n"
            + episodeStart.toEpochMilli();
    return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
  }

  /**
   * The verdict on one evaluation, without the lifecycle; see the class comment.
   *
   * @throws IllegalArgumentException if the evaluation is of another metric or window length
   */
  public Check check(Evaluation evaluation) {
    MetricWindow current = evaluation.current();
    if (current.metric() != rule.metric()) {
      throw new IllegalArgumentException(
          rule.id() + " watches " + rule.metric().key() + ", got " + current.metric().key());
    }
    Duration length = Duration.between(evaluation.windowStart(), evaluation.windowEnd());
    if (!length.equals(rule.window())) {
      throw new IllegalArgumentException(
          rule.id() + " evaluates " + rule.window() + " windows, got one of " + length);
    }
    long samples = current.samples();
    double value = current.value().orElse(Double.NaN);
    if (rule.condition() instanceof Threshold threshold) {
      return new Check(
          thresholdVerdict(threshold, samples, value), value, null, null, samples, null);
    }
    DropVsBaseline drop = (DropVsBaseline) rule.condition();
    MetricWindow baselineWindow = evaluation.baseline();
    if (baselineWindow == null) {
      return new Check(Verdict.INSUFFICIENT, value, null, null, samples, null);
    }
    long baselineSamples = baselineWindow.samples();
    double baseline = baselineWindow.value().orElse(Double.NaN);
    Double baselineOrNull = Double.isNaN(baseline) ? null : baseline;
    if (samples < rule.minSamples()
        || baselineSamples < rule.minSamples()
        || Double.isNaN(value)
        || Double.isNaN(baseline)) {
      return new Check(Verdict.INSUFFICIENT, value, baselineOrNull, null, samples, baselineSamples);
    }
    Optional<SignificanceTests.Result> test = current.testAgainst(baselineWindow);
    if (test.isEmpty()) {
      return new Check(Verdict.INSUFFICIENT, value, baseline, null, samples, baselineSamples);
    }
    double pValue = test.get().pValue();
    double worsening = rule.metric().worsening(value, baseline);
    Verdict verdict;
    if (worsening >= drop.by() && test.get().rejectsAt(drop.significance())) {
      verdict = Verdict.BAD;
    } else if (worsening < drop.by() - rule.hysteresis()) {
      verdict = Verdict.GOOD;
    } else {
      verdict = Verdict.BORDERLINE;
    }
    return new Check(verdict, value, baseline, pValue, samples, baselineSamples);
  }

  private Verdict thresholdVerdict(Threshold threshold, long samples, double value) {
    if (samples < rule.minSamples() || Double.isNaN(value)) {
      return Verdict.INSUFFICIENT;
    }
    double limit = threshold.value();
    double margin = rule.hysteresis();
    if (threshold.bound() == Bound.BELOW) {
      return value < limit
          ? Verdict.BAD
          : value >= limit + margin ? Verdict.GOOD : Verdict.BORDERLINE;
    }
    return value > limit
        ? Verdict.BAD
        : value <= limit - margin ? Verdict.GOOD : Verdict.BORDERLINE;
  }

  /**
   * Applies one evaluation to the series' state, and returns the alert it causes, if any. Changes
   * {@code state} in place (the caller writes it back to its state store).
   *
   * @throws IllegalArgumentException as {@link #check}
   */
  public Optional<Alert> evaluate(AlertState state, Evaluation evaluation) {
    return evaluate(state, evaluation, check(evaluation));
  }

  /**
   * {@link #evaluate(AlertState, Evaluation)} with its {@link #check} already made, for a caller
   * that records the check as well: the significance test then runs once.
   */
  Optional<Alert> evaluate(AlertState state, Evaluation evaluation, Check check) {
    long windowEnd = evaluation.windowEnd().toEpochMilli();
    if (state.getLastWindowEndMillis() != AlertState.NEVER
        && windowEnd <= state.getLastWindowEndMillis()) {
      return Optional.empty();
    }
    state.setLastWindowEndMillis(windowEnd);
    if (!state.isFiring()) {
      if (check.verdict() != Verdict.BAD || coolingDown(state, windowEnd)) {
        return Optional.empty();
      }
      String id = alertId(rule.id(), evaluation.scope(), evaluation.windowStart());
      state.setFiring(true);
      state.setAlertId(id);
      state.setEpisodeStartMillis(evaluation.windowStart().toEpochMilli());
      return Optional.of(alert(Status.FIRING, id, evaluation, check));
    }
    if (check.verdict() != Verdict.GOOD) {
      return Optional.empty();
    }
    state.setFiring(false);
    state.setResolvedAtMillis(windowEnd);
    return Optional.of(alert(Status.RESOLVED, state.getAlertId(), evaluation, check));
  }

  private boolean coolingDown(AlertState state, long windowEnd) {
    long resolvedAt = state.getResolvedAtMillis();
    // Subtracting rather than adding the cooldown cannot overflow for any real event time.
    return resolvedAt != AlertState.NEVER && windowEnd - resolvedAt < rule.cooldown().toMillis();
  }

  private Alert alert(Status status, String id, Evaluation evaluation, Check check) {
    return new Alert(
        id,
        status,
        rule.id(),
        rule.metric(),
        rule.severity(),
        evaluation.scope(),
        evaluation.windowStart(),
        evaluation.windowEnd(),
        check.value(),
        check.baseline(),
        thresholdValue(),
        check.pValue(),
        check.samples(),
        check.baselineSamples(),
        summary(status, evaluation.scope(), check));
  }

  private double thresholdValue() {
    return rule.condition() instanceof Threshold threshold
        ? threshold.value()
        : ((DropVsBaseline) rule.condition()).by();
  }

  // E.g. "CSAT 71.2 % on web / all segments over 15m, below 80.0 % (n=312)"; the first word says
  // whether it fired or resolved, for receivers that show only the summary.
  private String summary(Status status, AlertScope scope, Check check) {
    Metric metric = rule.metric();
    StringBuilder text =
        new StringBuilder(status == Status.FIRING ? "Firing: " : "Resolved: ")
            .append(metric.label())
            .append(' ')
            .append(metric.format(check.value()))
            .append(" on ")
            .append(scope.describe())
            .append(" over ")
            .append(formatDuration(rule.window()))
            .append(", ");
    if (rule.condition() instanceof Threshold threshold) {
      String bound = threshold.bound() == Bound.BELOW ? "below " : "above ";
      text.append(status == Status.FIRING ? bound : "no longer " + bound)
          .append(metric.format(threshold.value()))
          .append(" (n=")
          .append(check.samples())
          .append(')');
      return text.toString();
    }
    DropVsBaseline drop = (DropVsBaseline) rule.condition();
    double difference = check.value() - check.baseline();
    text.append(metric.formatChange(Math.abs(difference)))
        .append(difference < 0 ? " below" : " above")
        .append(" its ")
        .append(drop.baseline().describe())
        .append(" baseline ")
        .append(metric.format(check.baseline()))
        .append(" (p")
        .append(formatPValue(check.pValue()))
        .append(", n=")
        .append(check.samples())
        .append(" vs ")
        .append(check.baselineSamples())
        .append(')');
    return text.toString();
  }

  private static String formatPValue(double p) {
    return p < 1e-4 ? "<0.0001" : String.format(Locale.ROOT, "=%.4f", p);
  }

  /** {@code 15m}, {@code 1h}, {@code 1h30m}, {@code 1d}: as the rules file writes durations. */
  static String formatDuration(Duration duration) {
    if (duration.isZero()) {
      return "0m";
    }
    StringBuilder text = new StringBuilder();
    long days = duration.toDays();
    int hours = duration.toHoursPart();
    int minutes = duration.toMinutesPart();
    int seconds = duration.toSecondsPart();
    if (days > 0) {
      text.append(days).append('d');
    }
    if (hours > 0) {
      text.append(hours).append('h');
    }
    if (minutes > 0) {
      text.append(minutes).append('m');
    }
    if (seconds > 0 || text.length() == 0) {
      text.append(seconds).append('s');
    }
    return text.toString();
  }
}
