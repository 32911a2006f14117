package io.cxpulse.jobs.alerts;

import java.time.Instant;

/**
 * What the latest evaluation of a rule on one series found, whether or not it changed anything: so
 * that a rule that has not fired shows why (too few samples for {@code min_samples}, no baseline
 * yet, a value inside the threshold), not only silence. Written to {@code cx_alert_evaluations},
 * one row per rule and series, the newest evaluation winning.
 *
 * @param ruleId the rule
 * @param metric the metric key, e.g. {@code csat}
 * @param channel the series' channel, or {@code all}
 * @param segment the series' segment, or {@code all}
 * @param windowStart start of the evaluated window
 * @param windowEnd end of the evaluated window
 * @param verdict INSUFFICIENT, BAD, GOOD or BORDERLINE ({@link AlertEvaluator.Verdict})
 * @param value the window's value, null when it has none
 * @param baseline the baseline's value (baseline rules), else null
 * @param pValue the test's p-value (baseline rules), else null
 * @param samples the window's sample size
 * @param baselineSamples the baseline's sample size (baseline rules), else null
 * @param minSamples the rule's {@code min_samples}
 * @param firing whether the rule is firing on the series after this evaluation
 */
public record RuleEvaluation(
    String ruleId,
    String metric,
    String channel,
    String segment,
    Instant windowStart,
    Instant windowEnd,
    String verdict,
    Double value,
    Double baseline,
    Double pValue,
    long samples,
    Long baselineSamples,
    long minSamples,
    boolean firing) {

  /** The record of {@code check}, the evaluation of {@code rule} on {@code evaluation}. */
  static RuleEvaluation of(
      AlertRule rule, Evaluation evaluation, AlertEvaluator.Check check, boolean firing) {
    return new RuleEvaluation(
        rule.id(),
        rule.metric().key(),
        evaluation.scope().channel(),
        evaluation.scope().segment(),
        evaluation.windowStart(),
        evaluation.windowEnd(),
        check.verdict().name(),
        Double.isFinite(check.value()) ? check.value() : null,
        check.baseline() == null || !Double.isFinite(check.baseline()) ? null : check.baseline(),
        check.pValue(),
        check.samples(),
        check.baselineSamples(),
        rule.minSamples(),
        firing);
  }
}
