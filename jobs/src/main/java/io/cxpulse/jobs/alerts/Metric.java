package io.cxpulse.jobs.alerts;

import io.cxpulse.metrics.SignificanceTests.Alternative;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A metric an alert rule can watch, with what the rules file and the evaluator need to know about
 * it: its key in the rules file, which direction is worse, its range, and whether a significance
 * test exists for it.
 *
 * <p>How each value is computed from window components is not here but in {@link MetricWindow},
 * which delegates to the metric classes of {@code io.cxpulse.metrics}.
 */
public enum Metric {
  /** CSAT in percent, 0..100; lower is worse. */
  CSAT("csat", "CSAT", Alternative.LESS, 0, 100, true),
  /** NPS in points, −100..100; lower is worse. */
  NPS("nps", "NPS", Alternative.LESS, -100, 100, true),
  /** Mean CES, 1..7 (1 = extremely easy); higher is worse. */
  CES("ces", "CES", Alternative.GREATER, 1, 7, true),
  /** Checkout abandonment rate in percent, 0..100; higher is worse. */
  ABANDONMENT_RATE("abandonment_rate", "Abandonment rate", Alternative.GREATER, 0, 100, true),
  /**
   * 90th percentile of first-response time in milliseconds; higher is worse. Thresholds only: a
   * percentile of a log histogram has no test here, so baseline conditions are refused for it.
   */
  FRT_P90("frt_p90", "First-response p90", Alternative.GREATER, 0, Double.POSITIVE_INFINITY, false),
  /** SLA breach rate in percent of tickets with an SLA outcome, 0..100; higher is worse. */
  SLA_BREACH_RATE("sla_breach_rate", "SLA breach rate", Alternative.GREATER, 0, 100, true);

  /** The keys of all metrics, comma-separated, for error messages. */
  static final String KEYS =
      Arrays.stream(values()).map(Metric::key).collect(Collectors.joining(", "));

  private final String key;
  private final String label;
  private final Alternative worse;
  private final double min;
  private final double max;
  private final boolean testable;

  Metric(String key, String label, Alternative worse, double min, double max, boolean testable) {
    this.key = key;
    this.label = label;
    this.worse = worse;
    this.min = min;
    this.max = max;
    this.testable = testable;
  }

  /** The metric whose key is {@code key}, in any case. */
  public static Optional<Metric> fromKey(String key) {
    String lower = key.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(m -> m.key.equals(lower)).findFirst();
  }

  /** The key in the rules file and in alert records, e.g. {@code abandonment_rate}. */
  public String key() {
    return key;
  }

  /** The name people read in an alert, e.g. {@code Abandonment rate}. */
  public String label() {
    return label;
  }

  /** The direction of change that is worse: the one-sided alternative of its significance test. */
  public Alternative worse() {
    return worse;
  }

  /**
   * How much worse {@code current} is than {@code baseline}, in the metric's unit: positive when
   * worse, negative when better (baseline − current for CSAT and NPS, current − baseline for the
   * others).
   */
  public double worsening(double current, double baseline) {
    return worse == Alternative.LESS ? baseline - current : current - baseline;
  }

  /** Smallest value the metric can take. */
  public double min() {
    return min;
  }

  /** Largest value the metric can take; infinite for response times. */
  public double max() {
    return max;
  }

  /** Whether a two-sample significance test exists, so baseline conditions are allowed. */
  public boolean testable() {
    return testable;
  }

  /** Whether values are response times in milliseconds, written as durations in the rules file. */
  public boolean isDuration() {
    return this == FRT_P90;
  }

  /** Whether values are percentages (rates and CSAT), shown with a % sign. */
  public boolean isPercentage() {
    return this == CSAT || this == ABANDONMENT_RATE || this == SLA_BREACH_RATE;
  }

  /** {@code value} the way an alert summary shows it, e.g. {@code 71.2 %}, {@code 47.5 min}. */
  public String format(double value) {
    if (isDuration()) {
      double seconds = value / 1000;
      if (seconds >= 3600) {
        return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
      }
      if (seconds >= 60) {
        return String.format(Locale.ROOT, "%.1f min", seconds / 60);
      }
      return String.format(Locale.ROOT, "%.1f s", seconds);
    }
    if (isPercentage()) {
      return String.format(Locale.ROOT, "%.1f %%", value);
    }
    return String.format(Locale.ROOT, this == CES ? "%.2f" : "%.1f", value);
  }

  /** A change of {@code points} in the metric's unit, e.g. {@code 10.0 points}, {@code 5.0 min}. */
  public String formatChange(double points) {
    if (isDuration()) {
      return format(points);
    }
    return String.format(Locale.ROOT, this == CES ? "%.2f points" : "%.1f points", points);
  }
}
