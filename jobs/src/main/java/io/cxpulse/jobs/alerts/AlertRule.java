package io.cxpulse.jobs.alerts;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One alert rule of the rules file (see {@link AlertRules} for the file format): which metric to
 * watch over which series and window, when it is bad, how much data that takes, and how urgent it
 * is.
 *
 * <p>Values are checked by {@link AlertRules} when the file is read, where the line of a mistake is
 * known; the constructor only rejects what no caller may pass (nulls, non-positive window, a
 * condition the metric cannot have), so rules built in code cannot be nonsense either.
 *
 * @param id unique name, used in alert ids and records
 * @param metric the metric watched
 * @param scope the series the rule is evaluated on
 * @param window length of the evaluation window (sliding over the 1-minute rows)
 * @param condition when the metric is bad
 * @param minSamples the least sample size of a window (and of its baseline) on which the rule fires
 *     or resolves; thinner windows decide nothing
 * @param severity urgency of its alerts
 * @param cooldown how long after an episode resolves before the same series may fire again
 * @param hysteresis how far past the firing boundary the metric must recover to resolve, in the
 *     unit of the condition (points, or ms for {@link Metric#FRT_P90}); 0 for none
 */
public record AlertRule(
    String id,
    Metric metric,
    Scope scope,
    Duration window,
    Condition condition,
    long minSamples,
    Severity severity,
    Duration cooldown,
    double hysteresis)
    implements Serializable {

  /** Rejects what no rule may have; see the class comment. */
  public AlertRule {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(condition, "condition");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(cooldown, "cooldown");
    if (window.isNegative() || window.isZero() || cooldown.isNegative()) {
      throw new IllegalArgumentException(
          id + ": window must be positive and cooldown not negative");
    }
    if (minSamples < 1) {
      throw new IllegalArgumentException(id + ": min samples must be at least 1: " + minSamples);
    }
    if (!(hysteresis >= 0) || Double.isInfinite(hysteresis)) {
      throw new IllegalArgumentException(
          id + ": hysteresis must be finite and >= 0: " + hysteresis);
    }
    if (condition instanceof DropVsBaseline drop) {
      if (!metric.testable()) {
        throw new IllegalArgumentException(
            id + ": " + metric.key() + " has no significance test, so no baseline condition");
      }
      // Beyond `by`, resolving would need the metric to beat its baseline; see AlertEvaluator.
      if (hysteresis > drop.by()) {
        throw new IllegalArgumentException(
            id + ": hysteresis " + hysteresis + " is larger than by " + drop.by());
      }
    }
  }

  /** The metric's value is beyond an absolute threshold. */
  public enum Bound {
    /** Bad when the value is below the threshold, e.g. CSAT below 80 %. */
    BELOW,
    /** Bad when the value is above the threshold, e.g. first-response p90 above 15 min. */
    ABOVE
  }

  /** When a rule's metric is bad. */
  public sealed interface Condition extends Serializable permits Threshold, DropVsBaseline {}

  /**
   * Bad when the window's value is strictly beyond {@code value} ({@code below: 80}: bad at 79.9,
   * not at 80).
   *
   * @param value in the metric's unit (percent, NPS points, CES score, ms for response times)
   */
  public record Threshold(Bound bound, double value) implements Condition {

    /** Rejects a missing bound or a value that is not a number. */
    public Threshold {
      Objects.requireNonNull(bound, "bound");
      if (!Double.isFinite(value)) {
        throw new IllegalArgumentException("threshold must be finite: " + value);
      }
    }
  }

  /**
   * Bad when the window is worse than its baseline by at least {@code by} and a one-sided
   * significance test rejects "no change" at level {@code significance}: both, so that a drop must
   * be big enough to matter and unlikely to be noise.
   *
   * @param by smallest worsening that counts, in the metric's unit (points), ≥ 0
   * @param significance the test's level α, in (0, 0.5]
   */
  public record DropVsBaseline(Baseline baseline, double by, double significance)
      implements Condition {

    /** Rejects values the test cannot work with. */
    public DropVsBaseline {
      Objects.requireNonNull(baseline, "baseline");
      if (!(by >= 0) || Double.isInfinite(by)) {
        throw new IllegalArgumentException("by must be finite and >= 0: " + by);
      }
      if (!(significance > 0 && significance <= 0.5)) {
        throw new IllegalArgumentException("significance must be in (0, 0.5]: " + significance);
      }
    }
  }

  /**
   * Which series a rule is evaluated on, per dimension: {@value #ANY} (one series per value seen),
   * {@value AlertScope#ALL} (one series summed over all values) or a single value.
   *
   * @param channel {@value #ANY}, {@value AlertScope#ALL} or a channel as stored (lower case)
   * @param segment {@value #ANY}, {@value AlertScope#ALL} or a segment value
   */
  public record Scope(String channel, String segment) implements Serializable {

    /** One series per value seen. */
    public static final String ANY = "any";

    /** Rejects missing or blank values. */
    public Scope {
      Objects.requireNonNull(channel, "channel");
      Objects.requireNonNull(segment, "segment");
      if (channel.isBlank() || segment.isBlank()) {
        throw new IllegalArgumentException("blank scope value");
      }
    }

    /**
     * The series of this scope a metric row of {@code channel} and {@code segment} counts in, or
     * empty if it counts in none: with {@value #ANY} the row's own value, with {@value
     * AlertScope#ALL} "all", with a single value the row's value if it is that one.
     */
    public Optional<AlertScope> seriesFor(String channel, String segment) {
      Optional<String> seriesChannel = select(this.channel, channel);
      Optional<String> seriesSegment = select(this.segment, segment);
      if (seriesChannel.isEmpty() || seriesSegment.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new AlertScope(seriesChannel.get(), seriesSegment.get()));
    }

    private static Optional<String> select(String selector, String value) {
      if (selector.equals(ANY)) {
        return Optional.of(value);
      }
      if (selector.equals(AlertScope.ALL)) {
        return Optional.of(AlertScope.ALL);
      }
      return selector.equals(value) ? Optional.of(value) : Optional.empty();
    }
  }
}
