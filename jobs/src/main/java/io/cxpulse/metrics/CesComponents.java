package io.cxpulse.metrics;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Additive components of the Customer Effort Score (1–7 scale, 1 = extremely easy, lower is better)
 * for one window, channel and segment: count, sum and sum of squares of the scores and a histogram
 * with one bucket per score.
 *
 * <p>Count and the two sums give the mean and its confidence interval by plain addition in any
 * rollup; the histogram keeps the distribution (medians, top-2-box shares) available without
 * another schema change. The sums are exact integers, so the variance formula n·Σx² − (Σx)² does
 * not suffer the cancellation it has with floating-point sums.
 *
 * <p>Mutable, like a Flink accumulator: {@link #add} and {@link #merge} change this instance and
 * return it. Not thread-safe.
 */
public final class CesComponents implements Serializable {

  private static final long serialVersionUID = 1L;

  private static final int MIN = ScoreScale.CES.min();
  private static final int BUCKETS = ScoreScale.CES.max() - MIN + 1;

  private long count;
  private long sum;
  private long sumOfSquares;
  private final long[] histogram = new long[BUCKETS];

  /** Empty components: no responses. */
  public CesComponents() {}

  /**
   * Components read back from a stored window row.
   *
   * @param histogram responses per score, index 0 holding score 1 and index 6 score 7
   * @throws IllegalArgumentException if the histogram does not have 7 non-negative buckets or
   *     disagrees with count, sum or sum of squares (a corrupt row must not turn into a
   *     plausible-looking mean)
   */
  public static CesComponents of(long count, long sum, long sumOfSquares, long[] histogram) {
    CesComponents components = fromHistogram(histogram);
    if (components.count != count
        || components.sum != sum
        || components.sumOfSquares != sumOfSquares) {
      throw new IllegalArgumentException(
          "count/sum/sumOfSquares "
              + count
              + "/"
              + sum
              + "/"
              + sumOfSquares
              + " disagree with histogram "
              + Arrays.toString(histogram));
    }
    return components;
  }

  /**
   * Components derived from a histogram alone.
   *
   * @param histogram responses per score, index 0 holding score 1 and index 6 score 7
   */
  public static CesComponents fromHistogram(long[] histogram) {
    if (histogram.length != BUCKETS) {
      throw new IllegalArgumentException(
          "histogram needs " + BUCKETS + " buckets, got " + histogram.length);
    }
    CesComponents components = new CesComponents();
    for (int i = 0; i < BUCKETS; i++) {
      long responses = histogram[i];
      if (responses < 0) {
        throw new IllegalArgumentException("negative bucket: " + Arrays.toString(histogram));
      }
      long score = i + MIN;
      components.histogram[i] = responses;
      components.count += responses;
      components.sum += responses * score;
      components.sumOfSquares += responses * score * score;
    }
    return components;
  }

  /**
   * Counts one response.
   *
   * @throws IllegalArgumentException if the score is not on the 1–7 CES scale
   */
  public CesComponents add(int score) {
    ScoreScale.CES.require(score);
    count++;
    sum += score;
    sumOfSquares += (long) score * score;
    histogram[score - MIN]++;
    return this;
  }

  /** Adds {@code other}'s components to this one; {@code other} is left unchanged. */
  public CesComponents merge(CesComponents other) {
    count += other.count;
    sum += other.sum;
    sumOfSquares += other.sumOfSquares;
    for (int i = 0; i < BUCKETS; i++) {
      histogram[i] += other.histogram[i];
    }
    return this;
  }

  /** An independent copy, so a merge does not change the original. */
  public CesComponents copy() {
    return fromHistogram(histogram);
  }

  /** Number of responses. */
  public long count() {
    return count;
  }

  /** Sum of all scores. */
  public long sum() {
    return sum;
  }

  /** Sum of the squares of all scores. */
  public long sumOfSquares() {
    return sumOfSquares;
  }

  /** Responses per score, index 0 holding score 1; a copy. */
  public long[] histogram() {
    return histogram.clone();
  }

  /** Responses that gave {@code score}. */
  public long countOf(int score) {
    return histogram[ScoreScale.CES.require(score) - MIN];
  }

  /** Whether no response has been counted. */
  public boolean isEmpty() {
    return count == 0;
  }

  /** Mean score (lower is better); empty when there are no responses. */
  public OptionalDouble mean() {
    return isEmpty() ? OptionalDouble.empty() : OptionalDouble.of((double) sum / count);
  }

  /** Sample variance (n − 1 in the denominator); empty with fewer than two responses. */
  public OptionalDouble sampleVariance() {
    if (count < 2) {
      return OptionalDouble.empty();
    }
    // Converted to double before multiplying: count × sumOfSquares overflows a long past about
    // 10^17 / 49 responses, while the double error stays far below display precision.
    double numerator = (double) count * sumOfSquares - (double) sum * sum;
    return OptionalDouble.of(Math.max(0.0, numerator) / ((double) count * (count - 1)));
  }

  /**
   * Two-sided 95 % Student t interval for the mean, mean ± t(0.975, n − 1) × s ÷ √n; empty with
   * fewer than two responses, where the spread is unknown.
   *
   * <p>Student t rather than the normal quantile because windows per channel and segment are often
   * small, where 1.96 would understate the uncertainty (t is 2.78 at n = 5). Not clipped to the 1–7
   * scale: on small or lopsided samples a bound can pass 1 or 7, and that is the honest signal that
   * the sample says little; a display may clip it.
   */
  public Optional<ConfidenceInterval> confidenceInterval95() {
    if (count < 2) {
      return Optional.empty();
    }
    double mean = mean().getAsDouble();
    double standardError = Math.sqrt(sampleVariance().getAsDouble() / count);
    double halfWidth = Intervals.studentT975(count - 1) * standardError;
    return Optional.of(new ConfidenceInterval(mean - halfWidth, mean + halfWidth));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CesComponents other
        && count == other.count
        && sum == other.sum
        && sumOfSquares == other.sumOfSquares
        && Arrays.equals(histogram, other.histogram);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(histogram);
  }

  @Override
  public String toString() {
    return "CesComponents{count="
        + count
        + ", sum="
        + sum
        + ", sumOfSquares="
        + sumOfSquares
        + ", histogram="
        + Arrays.toString(histogram)
        + "}";
  }
}
