package io.cxpulse.jobs.alerts;

import java.time.Duration;
import java.util.Objects;

/**
 * The alert stage of a metric job: which rules it evaluates, how long after a row's end it
 * evaluates it, and where its alerts go. A job without one raises no alerts.
 *
 * @param rules the rules; each job evaluates those of the metrics it produces
 * @param evaluationDelay how long after a row's end its window is evaluated: 0 where rows are
 *     complete when their window closes, the inactivity timeout for checkout abandonment
 * @param sinks the alert outputs
 */
public record Alerting(AlertRules rules, Duration evaluationDelay, AlertSinks sinks) {

  /** Rejects missing parts and a negative delay. */
  public Alerting {
    Objects.requireNonNull(rules, "rules");
    Objects.requireNonNull(evaluationDelay, "evaluationDelay");
    Objects.requireNonNull(sinks, "sinks");
    if (evaluationDelay.isNegative()) {
      throw new IllegalArgumentException("negative evaluation delay " + evaluationDelay);
    }
  }
}
