package io.cxpulse.metrics;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Durations counted per {@link LogHistogram} bucket with a sign, sparse: the duration histograms of
 * window components (checkout completion times, ticket first-response and resolution times).
 *
 * <p>Why not a {@link LogHistogram}: window components are Σ sign × record (a correction retracts
 * and re-adds), and a pre-aggregation partial may hold only the retraction of a duration whose
 * addition went out in an earlier partial, so counts must be able to go below zero. {@link
 * LogHistogram} rightly refuses negative counts, because a quantile of them means nothing; this
 * class only adds and merges, and {@link #toLogHistogram()} turns a total (never negative) into one
 * for quantiles.
 *
 * <p>Same layout as {@link LogHistogram} (its {@link LogHistogram#bucketIndex}), same storage:
 * indexes strictly ascending, non-zero counts only. A bucket whose count returns to zero is
 * dropped, so a retraction cancels its addition exactly and equal totals compare equal however they
 * were reached. The sum is the exact signed sum of the durations.
 *
 * <p>A Flink POJO (public no-argument constructor, getters and setters). Mutable; not thread-safe.
 */
public class DurationHistogram implements Serializable {

  private static final long serialVersionUID = 1L;

  private int[] bucketIndexes = new int[0];
  private long[] bucketCounts = new long[0];
  private long sumMillis;

  /** An empty histogram. */
  public DurationHistogram() {}

  /**
   * Counts {@code millis} once with {@code sign} (+1 adds, −1 takes back).
   *
   * @throws IllegalArgumentException if {@code millis} is negative or {@code sign} is not ±1
   */
  public DurationHistogram add(long millis, int sign) {
    if (sign != 1 && sign != -1) {
      throw new IllegalArgumentException("sign must be +1 or -1: " + sign);
    }
    addToBucket(LogHistogram.bucketIndex(millis), sign);
    sumMillis = Math.addExact(sumMillis, sign * millis);
    return this;
  }

  /** Adds {@code other}'s counts and sum to this one and returns this; {@code other} unchanged. */
  public DurationHistogram merge(DurationHistogram other) {
    for (int i = 0; i < other.bucketIndexes.length; i++) {
      addToBucket(other.bucketIndexes[i], other.bucketCounts[i]);
    }
    sumMillis = Math.addExact(sumMillis, other.sumMillis);
    return this;
  }

  /** Σ counts: durations added minus durations taken back. */
  public long count() {
    long count = 0;
    for (long bucketCount : bucketCounts) {
      count += bucketCount;
    }
    return count;
  }

  /** Whether every bucket is empty and the sum is zero. */
  public boolean isEmpty() {
    return bucketIndexes.length == 0 && sumMillis == 0;
  }

  /**
   * This histogram as a {@link LogHistogram}, for quantiles.
   *
   * @throws IllegalArgumentException if a count is negative (a partial, not a total) or the sum is
   *     impossible for the buckets
   */
  public LogHistogram toLogHistogram() {
    return LogHistogram.of(sumMillis, bucketIndexes, bucketCounts);
  }

  private void addToBucket(int index, long delta) {
    if (delta == 0) {
      return;
    }
    int position = Arrays.binarySearch(bucketIndexes, index);
    int size = bucketIndexes.length;
    if (position >= 0) {
      long sum = Math.addExact(bucketCounts[position], delta);
      if (sum != 0) {
        bucketCounts[position] = sum;
        return;
      }
      int[] indexes = new int[size - 1];
      long[] counts = new long[size - 1];
      System.arraycopy(bucketIndexes, 0, indexes, 0, position);
      System.arraycopy(bucketCounts, 0, counts, 0, position);
      System.arraycopy(bucketIndexes, position + 1, indexes, position, size - position - 1);
      System.arraycopy(bucketCounts, position + 1, counts, position, size - position - 1);
      bucketIndexes = indexes;
      bucketCounts = counts;
      return;
    }
    int insertAt = -position - 1;
    int[] indexes = new int[size + 1];
    long[] counts = new long[size + 1];
    System.arraycopy(bucketIndexes, 0, indexes, 0, insertAt);
    System.arraycopy(bucketCounts, 0, counts, 0, insertAt);
    indexes[insertAt] = index;
    counts[insertAt] = delta;
    System.arraycopy(bucketIndexes, insertAt, indexes, insertAt + 1, size - insertAt);
    System.arraycopy(bucketCounts, insertAt, counts, insertAt + 1, size - insertAt);
    bucketIndexes = indexes;
    bucketCounts = counts;
  }

  /** {@link LogHistogram} bucket indexes of the non-zero buckets, strictly ascending. */
  public int[] getBucketIndexes() {
    return bucketIndexes;
  }

  public void setBucketIndexes(int[] bucketIndexes) {
    this.bucketIndexes = bucketIndexes;
  }

  /** Signed counts of {@link #getBucketIndexes()}, none zero. */
  public long[] getBucketCounts() {
    return bucketCounts;
  }

  public void setBucketCounts(long[] bucketCounts) {
    this.bucketCounts = bucketCounts;
  }

  /** Exact signed sum of the durations, in milliseconds. */
  public long getSumMillis() {
    return sumMillis;
  }

  public void setSumMillis(long sumMillis) {
    this.sumMillis = sumMillis;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DurationHistogram other
        && sumMillis == other.sumMillis
        && Arrays.equals(bucketIndexes, other.bucketIndexes)
        && Arrays.equals(bucketCounts, other.bucketCounts);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Long.hashCode(sumMillis) + Arrays.hashCode(bucketIndexes))
        + Arrays.hashCode(bucketCounts);
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("{sum=").append(sumMillis).append(" ms");
    for (int i = 0; i < bucketIndexes.length; i++) {
      text.append(i == 0 ? ", " : " ").append(bucketIndexes[i]).append('=').append(bucketCounts[i]);
    }
    return text.append('}').toString();
  }
}
