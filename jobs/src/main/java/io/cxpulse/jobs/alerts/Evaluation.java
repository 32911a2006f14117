package io.cxpulse.jobs.alerts;

import java.time.Instant;
import java.util.Objects;

/**
 * One evaluation of one rule on one series: the components of the evaluation window and, for
 * baseline conditions, of its baseline, as the job has summed them from the metric rows.
 *
 * @param scope the series
 * @param windowStart start of the evaluation window (event time, inclusive)
 * @param windowEnd end of the evaluation window (event time, exclusive); the event time of any
 *     state change this evaluation causes
 * @param current the window's components
 * @param baseline the baseline's components, or null when the rule has an absolute threshold or no
 *     baseline is known yet (a baseline rule then decides nothing)
 */
public record Evaluation(
    AlertScope scope,
    Instant windowStart,
    Instant windowEnd,
    MetricWindow current,
    MetricWindow baseline) {

  /** Rejects a missing part, an empty window or a baseline of another metric. */
  public Evaluation {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(windowStart, "windowStart");
    Objects.requireNonNull(windowEnd, "windowEnd");
    Objects.requireNonNull(current, "current");
    if (!windowStart.isBefore(windowEnd)) {
      throw new IllegalArgumentException("empty window [" + windowStart + ", " + windowEnd + ")");
    }
    if (baseline != null && baseline.metric() != current.metric()) {
      throw new IllegalArgumentException(
          "baseline of " + baseline.metric().key() + " for " + current.metric().key());
    }
  }

  /** An evaluation without a baseline, for absolute threshold rules. */
  public static Evaluation of(
      AlertScope scope, Instant windowStart, Instant windowEnd, MetricWindow current) {
    return new Evaluation(scope, windowStart, windowEnd, current, null);
  }
}
