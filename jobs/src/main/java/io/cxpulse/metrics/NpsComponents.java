package io.cxpulse.metrics;

import java.io.Serializable;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Additive components of the Net Promoter Score (0–10 scale) for one window, channel and segment:
 * promoters (9–10), passives (7–8) and detractors (0–6).
 *
 * <p>Window rows store these counts, never the score, so that rollups are exact (see {@link
 * CsatComponents}). Passives are stored too although NPS only subtracts detractors from promoters,
 * because they count in the denominator and in the variance.
 *
 * <p>Mutable, like a Flink accumulator: {@link #add} and {@link #merge} change this instance and
 * return it. Not thread-safe.
 */
public final class NpsComponents implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Lowest score of a promoter. */
  public static final int PROMOTER_MIN_SCORE = 9;

  /** Highest score of a detractor. */
  public static final int DETRACTOR_MAX_SCORE = 6;

  private long promoters;
  private long passives;
  private long detractors;

  /** Empty components: no responses. */
  public NpsComponents() {}

  /**
   * Components read back from a stored window row.
   *
   * @throws IllegalArgumentException if any count is negative
   */
  public static NpsComponents of(long promoters, long passives, long detractors) {
    if (promoters < 0 || passives < 0 || detractors < 0) {
      throw new IllegalArgumentException(
          "counts must not be negative: " + promoters + "/" + passives + "/" + detractors);
    }
    NpsComponents components = new NpsComponents();
    components.promoters = promoters;
    components.passives = passives;
    components.detractors = detractors;
    return components;
  }

  /**
   * Counts one response.
   *
   * @throws IllegalArgumentException if the score is not on the 0–10 NPS scale
   */
  public NpsComponents add(int score) {
    ScoreScale.NPS.require(score);
    if (score >= PROMOTER_MIN_SCORE) {
      promoters++;
    } else if (score <= DETRACTOR_MAX_SCORE) {
      detractors++;
    } else {
      passives++;
    }
    return this;
  }

  /** Adds {@code other}'s counts to this one; {@code other} is left unchanged. */
  public NpsComponents merge(NpsComponents other) {
    promoters += other.promoters;
    passives += other.passives;
    detractors += other.detractors;
    return this;
  }

  /** An independent copy, so a merge does not change the original. */
  public NpsComponents copy() {
    return of(promoters, passives, detractors);
  }

  /** Responses scoring 9 or 10. */
  public long promoters() {
    return promoters;
  }

  /** Responses scoring 7 or 8. */
  public long passives() {
    return passives;
  }

  /** Responses scoring 0 to 6. */
  public long detractors() {
    return detractors;
  }

  /** All responses. */
  public long total() {
    return promoters + passives + detractors;
  }

  /** Whether no response has been counted. */
  public boolean isEmpty() {
    return total() == 0;
  }

  /** NPS, 100 × (promoters − detractors) ÷ all responses, in −100..100; empty without data. */
  public OptionalDouble nps() {
    long n = total();
    return n == 0
        ? OptionalDouble.empty()
        : OptionalDouble.of(100.0 * (promoters - detractors) / n);
  }

  /**
   * Sampling variance of the NPS estimate in squared NPS points: 100² × (p(1−p) + d(1−d) + 2pd) ÷
   * n, with p and d the promoter and detractor shares. The 2pd term is minus twice the multinomial
   * covariance of the two shares, which pull in opposite directions. Empty without data.
   */
  public OptionalDouble variance() {
    long n = total();
    if (n == 0) {
      return OptionalDouble.empty();
    }
    double p = (double) promoters / n;
    double d = (double) detractors / n;
    return OptionalDouble.of(100.0 * 100.0 * (p * (1 - p) + d * (1 - d) + 2 * p * d) / n);
  }

  /**
   * Normal-approximation 95 % interval, NPS ± 1.96 × √Var(NPS), clipped to [−100, 100]; empty
   * without data.
   *
   * <p>Clipped because the normal approximation is symmetric and, with few responses or a score
   * near ±100, reaches past the range NPS can take; a bound of 104 would mean nothing on a
   * dashboard. Clipping keeps the interval's coverage (no possible value is removed) but it is
   * still only approximate in exactly those thin cases; with every response a promoter (or a
   * detractor) the variance is 0 and the interval degenerates to a point.
   */
  public Optional<ConfidenceInterval> confidenceInterval95() {
    OptionalDouble nps = nps();
    if (nps.isEmpty()) {
      return Optional.empty();
    }
    double halfWidth = Intervals.Z_95 * Math.sqrt(variance().getAsDouble());
    return Optional.of(
        new ConfidenceInterval(
            Math.max(-100.0, nps.getAsDouble() - halfWidth),
            Math.min(100.0, nps.getAsDouble() + halfWidth)));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NpsComponents other
        && promoters == other.promoters
        && passives == other.passives
        && detractors == other.detractors;
  }

  @Override
  public int hashCode() {
    return Objects.hash(promoters, passives, detractors);
  }

  @Override
  public String toString() {
    return "NpsComponents{promoters="
        + promoters
        + ", passives="
        + passives
        + ", detractors="
        + detractors
        + "}";
  }
}
