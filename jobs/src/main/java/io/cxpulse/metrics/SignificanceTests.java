package io.cxpulse.metrics;

import java.util.Objects;
import java.util.Optional;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * One-sided two-sample tests of "the current window is no different from its baseline", one per
 * kind of CX metric: a pooled two-proportion z-test for CSAT, checkout abandonment and SLA breach
 * rate, a z-test on the NPS variance formula for NPS, and Welch's t-test for the CES mean.
 *
 * <p>Why tests at all: a 15-minute window of one channel often holds a few dozen responses, and the
 * score of a few dozen responses swings by 10 points or more from window to window with nothing
 * wrong. An alert on a baseline drop fires only when the drop is unlikely under "no change", so the
 * on-call person is paged for drops the data supports, not for noise.
 *
 * <p>Why one-sided: an alert asks "is it <em>worse</em>", and which direction is worse depends on
 * the metric (lower CSAT and NPS, higher CES, abandonment and breach rate). The caller says which
 * with {@link Alternative}; a two-sided test would spend half its false-alarm budget on
 * improvements nobody is paged for.
 *
 * <p>All are large-sample tests: the z-tests use the normal approximation and Welch's test assumes
 * roughly normal means. With the minimum sample sizes the alert rules require (tens to hundreds)
 * they hold their level approximately, not exactly; the alert tests measure the resulting
 * false-alarm rate by simulation. The normal and Student t distributions come from commons-math3
 * (declared in jobs/pom.xml for {@link Intervals} already) rather than hand-written approximations:
 * its CDFs go through erfc and the regularised incomplete beta function, accurate far into the
 * tails where p-values of real incidents live.
 *
 * <p>Every test returns empty when a side has too little data for the test to be defined (no
 * observation, or fewer than two for a variance); that is "no evidence either way", not an error.
 * Invalid counts (negative, or more successes than trials) are programming errors and throw.
 */
public final class SignificanceTests {

  /**
   * The alternative hypothesis: in which direction the current value must differ from the baseline
   * for the test to count it as evidence.
   */
  public enum Alternative {
    /** The current value is lower than the baseline: worse for CSAT and NPS. */
    LESS,
    /** The current value is higher than the baseline: worse for CES, abandonment, breach rate. */
    GREATER
  }

  /**
   * The outcome of a test.
   *
   * @param statistic the z or t statistic, (current − baseline) ÷ standard error; ±∞ when both
   *     samples have no spread but different values, 0 when they have no spread and equal values
   * @param degreesOfFreedom Welch–Satterthwaite degrees of freedom for the t-test; ∞ for the
   *     z-tests (the normal distribution is the t distribution with infinitely many); NaN when
   *     undefined (both samples without spread)
   * @param pValue one-sided p-value in [0, 1] for the chosen {@link Alternative}
   */
  public record Result(double statistic, double degreesOfFreedom, double pValue) {

    /** Whether the test rejects "no change" at level {@code alpha}: p ≤ α. */
    public boolean rejectsAt(double alpha) {
      return pValue <= alpha;
    }
  }

  // A null random generator: only CDFs are used, never sampling, and the default generator
  // would seed a Well19937c per instance.
  private static final NormalDistribution STANDARD_NORMAL = new NormalDistribution(null, 0, 1);

  private SignificanceTests() {}

  /**
   * Pooled two-proportion z-test: z = (p̂₁ − p̂₂) ÷ √(p̄(1 − p̄)(1/n₁ + 1/n₂)), with p̄ = (x₁ + x₂)
   * ÷ (n₁ + n₂) the proportion of both samples together.
   *
   * <p>Pooled because the standard error is computed under the null hypothesis being tested (the
   * two proportions are equal); that keeps the level closer to nominal than the unpooled form when
   * the current window is small. No continuity correction, so that results match the textbook form
   * analysts reproduce by hand.
   *
   * <p>When p̄ is 0 or 1 (no successes, or only successes, on both sides) both proportions are
   * equal and there is no spread at all: the result is statistic 0 and p-value 1, since nothing in
   * such data can be evidence of a change.
   *
   * @param currentSuccesses e.g. satisfied responses, abandoned checkouts, breached tickets
   * @param currentTrials e.g. all responses, started checkouts, tickets with an SLA outcome
   * @return empty when either side has no trials
   * @throws IllegalArgumentException unless 0 ≤ successes ≤ trials on both sides
   */
  public static Optional<Result> twoProportions(
      long currentSuccesses,
      long currentTrials,
      long baselineSuccesses,
      long baselineTrials,
      Alternative alternative) {
    checkProportion("current", currentSuccesses, currentTrials);
    checkProportion("baseline", baselineSuccesses, baselineTrials);
    Objects.requireNonNull(alternative, "alternative");
    if (currentTrials == 0 || baselineTrials == 0) {
      return Optional.empty();
    }
    double current = (double) currentSuccesses / currentTrials;
    double baseline = (double) baselineSuccesses / baselineTrials;
    double pooled =
        ((double) currentSuccesses + baselineSuccesses) / ((double) currentTrials + baselineTrials);
    double standardError =
        Math.sqrt(pooled * (1 - pooled) * (1.0 / currentTrials + 1.0 / baselineTrials));
    return Optional.of(zTest(current - baseline, standardError, alternative));
  }

  /**
   * NPS difference z-test: z = (NPS₁ − NPS₂) ÷ √(Var(NPS₁) + Var(NPS₂)), with each variance from
   * {@link NpsComponents#variance()} (the DESIGN.md formula 100² × (p(1−p) + d(1−d) + 2pd) ÷ n).
   *
   * <p>Unpooled, unlike the proportion test, because NPS is a difference of two shares of one
   * multinomial and its variance depends on promoters and detractors separately; the published
   * formula is the unpooled one. When both variances are 0 (each side all promoters, all passives
   * or all detractors) the statistic is 0 for equal scores and ±∞ otherwise.
   *
   * @return empty when either side has no responses
   */
  public static Optional<Result> npsDifference(
      NpsComponents current, NpsComponents baseline, Alternative alternative) {
    Objects.requireNonNull(alternative, "alternative");
    if (current.isEmpty() || baseline.isEmpty()) {
      return Optional.empty();
    }
    double difference = current.nps().getAsDouble() - baseline.nps().getAsDouble();
    double standardError =
        Math.sqrt(current.variance().getAsDouble() + baseline.variance().getAsDouble());
    return Optional.of(zTest(difference, standardError, alternative));
  }

  /**
   * Welch's t-test of the CES means, from the count, sum and sum of squares the components hold
   * (mean and sample variance as {@link CesComponents} derives them).
   *
   * @return empty when either side has fewer than two responses (no sample variance)
   * @see #welch(long, double, double, long, double, double, Alternative)
   */
  public static Optional<Result> cesMeans(
      CesComponents current, CesComponents baseline, Alternative alternative) {
    Objects.requireNonNull(alternative, "alternative");
    if (current.count() < 2 || baseline.count() < 2) {
      return Optional.empty();
    }
    return welch(
        current.count(),
        current.mean().getAsDouble(),
        current.sampleVariance().getAsDouble(),
        baseline.count(),
        baseline.mean().getAsDouble(),
        baseline.sampleVariance().getAsDouble(),
        alternative);
  }

  /**
   * Welch's unequal-variance t-test: t = (m₁ − m₂) ÷ √(s₁²/n₁ + s₂²/n₂) against Student's t with
   * the Welch–Satterthwaite degrees of freedom ν = (s₁²/n₁ + s₂²/n₂)² ÷ ((s₁²/n₁)²/(n₁ − 1) +
   * (s₂²/n₂)²/(n₂ − 1)), which need not be whole.
   *
   * <p>Welch rather than Student's pooled t because a window and its baseline differ in size by
   * orders of magnitude and an incident changes the spread as well as the mean; the pooled test's
   * level is wrong exactly when the sizes and variances both differ. When both variances are 0 the
   * statistic is 0 for equal means (p-value 1) and ±∞ otherwise, with NaN degrees of freedom.
   *
   * @param currentVariance sample variance (n − 1 in the denominator) of the current window
   * @return empty when either side has fewer than two observations (the moments of such a side are
   *     then not looked at)
   * @throws IllegalArgumentException if a count is negative, or, with two or more observations on
   *     both sides, a mean or variance is not finite or a variance is negative
   */
  public static Optional<Result> welch(
      long currentCount,
      double currentMean,
      double currentVariance,
      long baselineCount,
      double baselineMean,
      double baselineVariance,
      Alternative alternative) {
    Objects.requireNonNull(alternative, "alternative");
    if (currentCount < 0 || baselineCount < 0) {
      throw new IllegalArgumentException(
          "counts must not be negative: " + currentCount + ", " + baselineCount);
    }
    // Before the moments are checked: with fewer than two observations a caller has no variance
    // (and with none no mean) to pass, and may pass NaN.
    if (currentCount < 2 || baselineCount < 2) {
      return Optional.empty();
    }
    checkMoments("current", currentMean, currentVariance);
    checkMoments("baseline", baselineMean, baselineVariance);
    double difference = currentMean - baselineMean;
    double currentShare = currentVariance / currentCount;
    double baselineShare = baselineVariance / baselineCount;
    double squaredError = currentShare + baselineShare;
    if (squaredError == 0) {
      return Optional.of(withoutSpread(difference, Double.NaN, alternative));
    }
    double degreesOfFreedom =
        squaredError
            * squaredError
            / (currentShare * currentShare / (currentCount - 1)
                + baselineShare * baselineShare / (baselineCount - 1));
    double t = difference / Math.sqrt(squaredError);
    TDistribution distribution = new TDistribution(null, degreesOfFreedom);
    // Each tail from the CDF at a non-positive argument (the t distribution is symmetric): 1 − F(t)
    // for a large t would cancel to 0 where F(−t) still has its digits.
    double pValue =
        alternative == Alternative.LESS
            ? distribution.cumulativeProbability(t)
            : distribution.cumulativeProbability(-t);
    return Optional.of(new Result(t, degreesOfFreedom, pValue));
  }

  /**
   * The standard normal CDF Φ(z) (commons-math3, through erfc). Public for callers that need a
   * one-sided normal tail of their own and should not re-derive it.
   */
  public static double standardNormalCdf(double z) {
    return STANDARD_NORMAL.cumulativeProbability(z);
  }

  private static Result zTest(double difference, double standardError, Alternative alternative) {
    if (standardError == 0) {
      return withoutSpread(difference, Double.POSITIVE_INFINITY, alternative);
    }
    double z = difference / standardError;
    // As in welch: the upper tail as Φ(−z), never as 1 − Φ(z).
    double pValue = alternative == Alternative.LESS ? standardNormalCdf(z) : standardNormalCdf(-z);
    return new Result(z, Double.POSITIVE_INFINITY, pValue);
  }

  // No sampling spread on either side: the statistic's null distribution is a point mass, so the
  // observed difference is either certainly a change (p 0 or 1 by direction) or certainly none.
  private static Result withoutSpread(
      double difference, double degreesOfFreedom, Alternative alternative) {
    if (difference == 0) {
      return new Result(0, degreesOfFreedom, 1);
    }
    boolean worse = alternative == Alternative.LESS ? difference < 0 : difference > 0;
    return new Result(
        difference < 0 ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY,
        degreesOfFreedom,
        worse ? 0 : 1);
  }

  private static void checkProportion(String side, long successes, long trials) {
    if (successes < 0 || successes > trials) {
      throw new IllegalArgumentException(
          side + ": need 0 <= successes <= trials, got " + successes + "/" + trials);
    }
  }

  private static void checkMoments(String side, double mean, double variance) {
    if (!Double.isFinite(mean) || !Double.isFinite(variance) || variance < 0) {
      throw new IllegalArgumentException(
          side + ": need a finite mean and a finite variance >= 0, got " + mean + "/" + variance);
    }
  }
}
