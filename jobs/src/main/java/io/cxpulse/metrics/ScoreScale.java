package io.cxpulse.metrics;

/**
 * The answer scale of each survey metric.
 *
 * <p>Validation (rejecting out-of-range scores) and the metric components (classifying scores) must
 * agree on the scales; keeping them in one place means a scale cannot change in one and not the
 * other.
 */
public enum ScoreScale {
  /** Customer satisfaction, 1 (very dissatisfied) to 5 (very satisfied). */
  CSAT(1, 5),
  /** Net Promoter Score likelihood to recommend, 0 to 10. */
  NPS(0, 10),
  /** Customer effort, 1 (extremely easy) to 7 (extremely difficult). */
  CES(1, 7);

  private final int min;
  private final int max;

  ScoreScale(int min, int max) {
    this.min = min;
    this.max = max;
  }

  /** Lowest valid score, inclusive. */
  public int min() {
    return min;
  }

  /** Highest valid score, inclusive. */
  public int max() {
    return max;
  }

  /** Whether {@code score} lies on this scale. */
  public boolean contains(int score) {
    return score >= min && score <= max;
  }

  /**
   * Returns {@code score} if it lies on this scale.
   *
   * @throws IllegalArgumentException if it does not; by the time a score reaches a metric it has
   *     been validated, so this is a programming error, not bad input
   */
  public int require(int score) {
    if (!contains(score)) {
      throw new IllegalArgumentException(
          "score " + score + " outside " + name() + " scale " + min + ".." + max);
    }
    return score;
  }
}
