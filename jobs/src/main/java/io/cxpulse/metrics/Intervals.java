package io.cxpulse.metrics;

import org.apache.commons.math3.distribution.TDistribution;

/**
 * The interval estimators shared by the metric components.
 *
 * <p>They are public because other rates in the pipeline (checkout abandonment, SLA breach rate)
 * are proportions too and should get the same interval as CSAT.
 */
public final class Intervals {

  /**
   * Two-sided 95 % normal quantile. The rounded 1.96 rather than 1.959964 because that is the
   * constant the published NPS formula uses; it widens an interval by less than 0.002 %.
   */
  public static final double Z_95 = 1.96;

  private Intervals() {}

  /**
   * Wilson score interval for a binomial proportion, as a fraction in [0, 1].
   *
   * <p>Wilson rather than the textbook normal (Wald) interval because Wald collapses to a
   * zero-width interval at 0 % and 100 % and overshoots [0, 1] on small samples, both common for a
   * single channel and segment in a short window.
   *
   * @param successes number of successes, 0 ≤ successes ≤ trials
   * @param trials number of trials, greater than 0
   * @param z the normal quantile for the wanted confidence, e.g. {@link #Z_95}
   */
  public static ConfidenceInterval wilson(long successes, long trials, double z) {
    if (trials <= 0 || successes < 0 || successes > trials) {
      throw new IllegalArgumentException(
          "need 0 <= successes <= trials and trials > 0, got " + successes + "/" + trials);
    }
    double n = trials;
    double p = successes / n;
    double z2 = z * z;
    double denominator = 1 + z2 / n;
    double centre = (p + z2 / (2 * n)) / denominator;
    double halfWidth = z * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator;
    // Rounding can push a bound a few ulps outside [0, 1] when p is 0 or 1.
    return new ConfidenceInterval(
        Math.max(0.0, centre - halfWidth), Math.min(1.0, centre + halfWidth));
  }

  /**
   * The 0.975 quantile of Student's t distribution, the multiplier of a two-sided 95 % interval for
   * a mean estimated from {@code degreesOfFreedom + 1} observations.
   *
   * <p>Taken from commons-math3 (already on the classpath through Flink) instead of a hand-written
   * approximation: its inverse CDF is accurate to 1e-9, which a short series expansion is not for
   * the few degrees of freedom a thin window has.
   */
  public static double studentT975(long degreesOfFreedom) {
    if (degreesOfFreedom < 1) {
      throw new IllegalArgumentException("degrees of freedom must be >= 1: " + degreesOfFreedom);
    }
    // A null random generator: only the quantile function is used, never sampling, and the
    // default generator would cost a seeded Well19937c per call.
    return new TDistribution(null, degreesOfFreedom).inverseCumulativeProbability(0.975);
  }
}
