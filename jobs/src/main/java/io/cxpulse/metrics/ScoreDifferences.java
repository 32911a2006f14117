package io.cxpulse.metrics;

import java.util.Optional;

/**
 * The difference of a score between two independent groups (first − second) with a two-sided 95 %
 * confidence interval: CSAT, NPS and CES, as the driver split compares responses whose ticket met
 * its first-response SLA with those whose ticket breached it.
 *
 * <p>The view {@code cx_driver_split} (sql/migrations/V007) computes the same formulas in the same
 * order of operations; its integration test compares both.
 *
 * <ul>
 *   <li><b>CSAT</b>: 100 × (p₁ − p₂) ± 1.96 × 100 × √(p₁(1−p₁)/n₁ + p₂(1−p₂)/n₂), the unpooled
 *       <em>Wald</em> interval of a difference of two proportions, clipped to [−100, 100]. Wald
 *       rather than Newcombe's hybrid score interval because it is one line of SQL and the
 *       difference is only read over many responses (days × channel), where both agree; it
 *       degenerates to a point when both shares are 0 % or 100 %, and is too narrow on a handful of
 *       responses.
 *   <li><b>NPS</b>: (NPS₁ − NPS₂) ± 1.96 × √(Var₁ + Var₂), each Var the DESIGN.md formula ({@link
 *       NpsComponents#variance()}), clipped to [−200, 200]; the interval of {@link
 *       SignificanceTests#npsDifference}.
 *   <li><b>CES</b>: Welch: (m₁ − m₂) ± t(0.975, ⌊ν⌋) × √(s₁²/n₁ + s₂²/n₂), ν the
 *       Welch–Satterthwaite degrees of freedom (as in {@link SignificanceTests#welch}). The
 *       quantile is taken at ⌊ν⌋, a whole number, so that SQL can read it from the same table as
 *       the survey views; rounding down widens the interval slightly (conservative). When both
 *       sample variances are 0 the interval is the point estimate.
 * </ul>
 *
 * Each method is empty when a group lacks the data for an estimate: no response (CSAT, NPS), fewer
 * than two responses (CES).
 */
public final class ScoreDifferences {

  /** Added to ν before rounding down, so that ν = 5 computed as 4.9999999999 still reads 5. */
  static final double DEGREES_OF_FREEDOM_SLACK = 1e-9;

  /**
   * A difference and its interval.
   *
   * @param estimate first − second, in the score's unit (percent points, NPS points, CES points)
   * @param interval the 95 % interval of the difference
   */
  public record Difference(double estimate, ConfidenceInterval interval) {}

  private ScoreDifferences() {}

  /** CSAT % of {@code first} − CSAT % of {@code second}, Wald interval. */
  public static Optional<Difference> csat(CsatComponents first, CsatComponents second) {
    if (first.isEmpty() || second.isEmpty()) {
      return Optional.empty();
    }
    double n1 = first.total();
    double n2 = second.total();
    double p1 = first.satisfied() / n1;
    double p2 = second.satisfied() / n2;
    double estimate = 100 * (p1 - p2);
    double halfWidth = 100 * Intervals.Z_95 * Math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2);
    return Optional.of(clipped(estimate, halfWidth, 100));
  }

  /** NPS of {@code first} − NPS of {@code second}, normal interval with the DESIGN.md variance. */
  public static Optional<Difference> nps(NpsComponents first, NpsComponents second) {
    if (first.isEmpty() || second.isEmpty()) {
      return Optional.empty();
    }
    double estimate = first.nps().getAsDouble() - second.nps().getAsDouble();
    double halfWidth =
        Intervals.Z_95
            * Math.sqrt(first.variance().getAsDouble() + second.variance().getAsDouble());
    return Optional.of(clipped(estimate, halfWidth, 200));
  }

  /** Mean CES of {@code first} − mean CES of {@code second}, Welch interval. */
  public static Optional<Difference> ces(CesComponents first, CesComponents second) {
    if (first.count() < 2 || second.count() < 2) {
      return Optional.empty();
    }
    double estimate = first.mean().getAsDouble() - second.mean().getAsDouble();
    double share1 = first.sampleVariance().getAsDouble() / first.count();
    double share2 = second.sampleVariance().getAsDouble() / second.count();
    double squaredError = share1 + share2;
    if (squaredError == 0) {
      return Optional.of(new Difference(estimate, new ConfidenceInterval(estimate, estimate)));
    }
    double degreesOfFreedom =
        squaredError
            * squaredError
            / (share1 * share1 / (first.count() - 1) + share2 * share2 / (second.count() - 1));
    double halfWidth =
        Intervals.studentT975(wholeDegreesOfFreedom(degreesOfFreedom)) * Math.sqrt(squaredError);
    return Optional.of(
        new Difference(
            estimate, new ConfidenceInterval(estimate - halfWidth, estimate + halfWidth)));
  }

  /** ⌊ν⌋ (with {@link #DEGREES_OF_FREEDOM_SLACK}), at least 1. */
  static long wholeDegreesOfFreedom(double degreesOfFreedom) {
    return Math.max(1, (long) Math.floor(degreesOfFreedom + DEGREES_OF_FREEDOM_SLACK));
  }

  private static Difference clipped(double estimate, double halfWidth, double limit) {
    return new Difference(
        estimate,
        new ConfidenceInterval(
            Math.max(-limit, estimate - halfWidth), Math.min(limit, estimate + halfWidth)));
  }
}
