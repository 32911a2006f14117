package io.cxpulse.jobs.alerts;

import io.cxpulse.jobs.alerts.Alert.Status;
import java.time.Instant;

/**
 * Alerts for the output tests: one episode of a baseline rule (every field set) and one of a
 * threshold rule (the baseline fields null), as the evaluator would emit them.
 */
final class TestAlerts {

  static final Instant WINDOW_START = Instant.parse("2025-06-01T12:00:00Z");
  static final Instant WINDOW_END = Instant.parse("2025-06-01T12:15:00Z");

  /** An NPS drop against the baseline on web, all segments: every nullable field set. */
  static final Alert NPS_FIRING =
      new Alert(
          "0b7c2e1a-1111-3abc-9def-000000000001",
          Status.FIRING,
          "nps-drop",
          Metric.NPS,
          Severity.CRITICAL,
          new AlertScope("web", AlertScope.ALL),
          WINDOW_START,
          WINDOW_END,
          21.5,
          34.25,
          10.0,
          0.0042,
          312,
          4_870L,
          "Firing: NPS 21.5 on web / all segments over 15m, 12.8 points below its 7d baseline"
              + " 34.3 (p=0.0042, n=312 vs 4870)");

  /** The end of {@link #NPS_FIRING}'s episode, two windows later. */
  static final Alert NPS_RESOLVED =
      new Alert(
          NPS_FIRING.alertId(),
          Status.RESOLVED,
          "nps-drop",
          Metric.NPS,
          Severity.CRITICAL,
          new AlertScope("web", AlertScope.ALL),
          WINDOW_START.plusSeconds(1800),
          WINDOW_END.plusSeconds(1800),
          33.0,
          34.0,
          10.0,
          0.41,
          298,
          4_902L,
          "Resolved: NPS 33.0 on web / all segments over 15m, 1.0 points below its 7d baseline"
              + " 34.0 (p=0.41, n=298 vs 4902)");

  /** An abandonment threshold alert for mobile_app, segment new: no baseline, p-value. */
  static final Alert ABANDONMENT_FIRING =
      new Alert(
          "0b7c2e1a-2222-3abc-9def-000000000002",
          Status.FIRING,
          "abandonment-high",
          Metric.ABANDONMENT_RATE,
          Severity.WARNING,
          new AlertScope("mobile_app", "new"),
          WINDOW_START,
          WINDOW_END,
          61.25,
          null,
          55.0,
          null,
          80,
          null,
          "Firing: Abandonment rate 61.3 % on mobile_app / segment new over 15m, above 55.0 %"
              + " (n=80)");

  private TestAlerts() {}

  /** {@code alert} with another value (e.g. NaN, for a window whose metric is undefined). */
  static Alert withValue(Alert alert, double value) {
    return new Alert(
        alert.alertId(),
        alert.status(),
        alert.ruleId(),
        alert.metric(),
        alert.severity(),
        alert.scope(),
        alert.windowStart(),
        alert.windowEnd(),
        value,
        alert.baseline(),
        alert.threshold(),
        alert.pValue(),
        alert.samples(),
        alert.baselineSamples(),
        alert.summary());
  }
}
