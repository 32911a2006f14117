package io.cxpulse.jobs.alerts;

import java.time.Instant;
import java.util.Objects;

/**
 * A change of an alert's state, as the evaluator emits it: {@link Status#FIRING} once when an
 * episode starts, {@link Status#RESOLVED} once when it ends, both with the same {@link #alertId}.
 *
 * <p>The fields are those of {@code schemas/alert.avsc} (the Kafka topic, the ClickHouse table and
 * the webhook), so the job maps one to the other field by field; nullable fields are null exactly
 * where the schema's are.
 *
 * @param alertId stable id of the episode, see {@link AlertEvaluator#alertId}
 * @param status FIRING or RESOLVED
 * @param ruleId id of the rule
 * @param metric the rule's metric
 * @param severity the rule's severity
 * @param scope the series
 * @param windowStart start of the evaluation window that changed the state
 * @param windowEnd end of that window (exclusive): the event time of the change
 * @param value the metric over that window (percent, NPS points, CES mean, ms)
 * @param baseline the baseline's value, for baseline conditions; else null
 * @param threshold the absolute threshold, or for baseline conditions the {@code by} (the least
 *     worsening that counts), in the metric's unit
 * @param pValue the one-sided p-value, for baseline conditions; else null
 * @param samples sample size of the window
 * @param baselineSamples sample size of the baseline, for baseline conditions; else null
 * @param summary one line for people, e.g. for chat and pager receivers
 */
public record Alert(
    String alertId,
    Status status,
    String ruleId,
    Metric metric,
    Severity severity,
    AlertScope scope,
    Instant windowStart,
    Instant windowEnd,
    double value,
    Double baseline,
    double threshold,
    Double pValue,
    long samples,
    Long baselineSamples,
    String summary) {

  /** The state an alert changed to. */
  public enum Status {
    /** The rule's condition started to hold for the series: an episode begins. */
    FIRING,
    /** The metric recovered: the episode ends. */
    RESOLVED
  }

  /** Rejects missing required fields. */
  public Alert {
    Objects.requireNonNull(alertId, "alertId");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(ruleId, "ruleId");
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(windowStart, "windowStart");
    Objects.requireNonNull(windowEnd, "windowEnd");
    Objects.requireNonNull(summary, "summary");
  }
}
