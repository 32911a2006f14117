package io.cxpulse.metrics;

import java.io.Serializable;
import java.util.Arrays;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * A mergeable log-scale histogram of non-negative durations in milliseconds (first-response,
 * resolution and checkout completion times), from which quantiles are estimated with a bounded
 * relative error.
 *
 * <p>Window rows store the bucket counts, never a percentile, because percentiles do not add up:
 * the p90 of a day is not any combination of the p90s of its hours. Bucket counts do add up, so
 * every writer uses the same fixed layout below and any rollup (channels, segments, priorities,
 * hours, days) sums counts by bucket index and then reads the quantile off the summed histogram —
 * in Java with {@link #merge} and {@link #quantile}, in ClickHouse with the same rule.
 *
 * <h2>Layout (fixed; changing it makes stored rows unreadable)</h2>
 *
 * <ul>
 *   <li>Growth factor γ = {@value #GAMMA}, base 1 ms. {@link #BUCKET_COUNT} = 555 buckets with
 *       indexes 0..554.
 *   <li>Index 0, the zero bucket: values below 1 ms, i.e. exactly 0 since inputs are whole
 *       milliseconds. Representative value 0 (exact). A base of 1 ms is the resolution of the event
 *       timestamps, so nothing measurable is lost below it, and every positive duration gets the
 *       relative error bound.
 *   <li>Index k = 1..553, regular buckets: [γ^(k−1), γ^k) ms. Representative value γ^(k−0.5) ms,
 *       the geometric midpoint, whose relative error against any value in the bucket is at most √γ
 *       − 1 ≈ 1.98 % ({@link #RELATIVE_ERROR_BOUND}), within the 2 % the dashboards promise. Bucket
 *       553 ends at γ^553 ms ≈ 30.4 days, the first boundary past 30 days, the longest resolution
 *       time worth distinguishing.
 *   <li>Index 554, the overflow bucket: values ≥ {@link #OVERFLOW_THRESHOLD_MILLIS} ms (= ⌈γ^553⌉,
 *       ≈ 30.4 days). Representative value γ^553 ms: a quantile that lands here reports "at least
 *       30.4 days" as 30.4 days, an underestimate with no error bound. {@link #sum()} keeps the
 *       exact values, so means are unaffected.
 * </ul>
 *
 * <h2>Storage: sparse (index, count) pairs</h2>
 *
 * Rows store {@link #bucketIndexes()} as {@code Array(UInt16)} and {@link #bucketCounts()} as
 * {@code Array(UInt64)}, non-empty buckets only, ascending by index. Rolled up with {@code
 * sumMap(indexes, counts)}, which returns the keys sorted ascending with their counts summed — the
 * order a cumulative sum needs. Sparse rather than a dense 555-element array summed with {@code
 * sumForEach}: a window × channel × segment × priority row typically holds a few dozen durations
 * spread over a few dozen buckets, so a dense array would be more than 90 % zeros in the JDBC
 * payload, in Flink state (which serializes the accumulator on every update with RocksDB) and in
 * every aggregation, and a dense layout would have to drop 1 ms resolution or 30-day range to stay
 * under ~500 entries. {@link #counts()} still gives the dense form for callers that want it.
 *
 * <h2>Quantile rule (nearest rank)</h2>
 *
 * For q in [0, 1] and n observations, the rank is r = min(n, max(1, ⌈q·n⌉)) with q·n computed in
 * IEEE double (as ClickHouse does), see {@link #rank}. The estimate is the representative value of
 * the smallest bucket index whose cumulative count reaches r. The estimate lies in the same bucket
 * as the exact nearest-rank sample quantile, so it is within {@link #RELATIVE_ERROR_BOUND} of it
 * unless that bucket is the overflow bucket. In ClickHouse, with {@code (k, c) = sumMap(indexes,
 * counts)} and {@code n = arraySum(c)}:
 *
 * <pre>{@code
 * arrayElement(k, arrayFirstIndex(x -> x >= greatest(1., ceil(q * n)), arrayCumSum(c)))
 * }</pre>
 *
 * gives the bucket index b (the cap at n is implicit there: q ≤ 1 makes ⌈q·n⌉ ≤ n in IEEE double,
 * and {@code least(n, …)} would fail on mixing UInt64 with Float64; checked on chDB 26.5), and its
 * value is {@code multiIf(b = 0, 0, b = 554, pow(1.04, 553), pow(1.04, b - 0.5))}. ClickHouse's
 * {@code pow} and Java's {@link Math#pow} may differ in the last bit, so compare them with a
 * relative tolerance, not equality.
 *
 * <p>Mutable, like a Flink accumulator: {@link #add} and {@link #merge} change this instance and
 * return it. Not thread-safe.
 */
public final class LogHistogram implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Ratio of the upper to the lower bound of every regular bucket. */
  public static final double GAMMA = 1.04;

  /**
   * Largest relative error of a quantile estimate outside the overflow bucket, √γ − 1 ≈ 0.0198: the
   * distance of the geometric midpoint from the bucket's lower bound (the upper side, 1 − 1/√γ, is
   * smaller).
   */
  public static final double RELATIVE_ERROR_BOUND = Math.sqrt(GAMMA) - 1;

  /** Smallest value of the first regular bucket; smaller values go to the zero bucket. */
  public static final long BASE_MILLIS = 1;

  /** Index of the bucket of values below {@link #BASE_MILLIS}, i.e. of zeros. */
  public static final int ZERO_BUCKET = 0;

  /** Number of regular buckets, indexes 1..553. */
  public static final int REGULAR_BUCKETS = 553;

  /** Index of the bucket of values at or above {@link #OVERFLOW_THRESHOLD_MILLIS}. */
  public static final int OVERFLOW_BUCKET = REGULAR_BUCKETS + 1;

  /** Number of buckets, zero and overflow bucket included: 555, indexes 0..554. */
  public static final int BUCKET_COUNT = REGULAR_BUCKETS + 2;

  // Lower bounds in ms by index; LOWER_BOUNDS[OVERFLOW_BUCKET] = γ^553 is where overflow starts.
  // A table rather than Math.pow on demand so that bucketIndex can correct the logarithm against
  // exactly the bounds that bucketLowerBound reports.
  private static final double[] LOWER_BOUNDS = new double[BUCKET_COUNT];
  private static final double[] REPRESENTATIVES = new double[BUCKET_COUNT];

  static {
    for (int k = 1; k < BUCKET_COUNT; k++) {
      LOWER_BOUNDS[k] = Math.pow(GAMMA, k - 1);
      REPRESENTATIVES[k] = Math.pow(GAMMA, k - 0.5);
    }
    REPRESENTATIVES[OVERFLOW_BUCKET] = LOWER_BOUNDS[OVERFLOW_BUCKET];
  }

  /** Smallest duration counted in the overflow bucket: ⌈γ^553⌉ = 2,626,858,215 ms ≈ 30.4 days. */
  public static final long OVERFLOW_THRESHOLD_MILLIS =
      (long) Math.ceil(LOWER_BOUNDS[OVERFLOW_BUCKET]);

  private static final double LN_GAMMA = Math.log(GAMMA);

  // Non-empty buckets only, indexes strictly ascending; entries at and beyond size are unused.
  // Sparse because most histograms hold few buckets (see the class comment).
  private int[] indexes = new int[0];
  private long[] counts = new long[0];
  private int size;
  private long count;
  private long sum;

  /** An empty histogram. */
  public LogHistogram() {}

  /**
   * A histogram read back from a stored window row.
   *
   * @param sum exact sum of the durations, in ms
   * @param bucketIndexes indexes of the buckets, strictly ascending, each in 0..554
   * @param bucketCounts counts of those buckets, same length, non-negative (zeros are dropped)
   * @throws IllegalArgumentException if the arrays do not match, an index is out of range or out of
   *     order, a count is negative, or {@code sum} is impossible for these buckets (every value
   *     lies between its bucket's bounds, so the sum does too; a corrupt row must not turn into
   *     plausible-looking percentiles)
   */
  public static LogHistogram of(long sum, int[] bucketIndexes, long[] bucketCounts) {
    if (bucketIndexes.length != bucketCounts.length) {
      throw new IllegalArgumentException(
          "bucket indexes and counts differ in length: "
              + bucketIndexes.length
              + " != "
              + bucketCounts.length);
    }
    LogHistogram histogram = new LogHistogram();
    histogram.indexes = new int[bucketIndexes.length];
    histogram.counts = new long[bucketIndexes.length];
    long minSum = 0;
    long maxSum = 0;
    boolean unboundedAbove = false;
    int previous = -1;
    try {
      for (int i = 0; i < bucketIndexes.length; i++) {
        int index = bucketIndexes[i];
        long bucketCount = bucketCounts[i];
        if (index < 0 || index >= BUCKET_COUNT || index <= previous) {
          throw new IllegalArgumentException(
              "bucket indexes must be strictly ascending in 0.."
                  + (BUCKET_COUNT - 1)
                  + ": "
                  + Arrays.toString(bucketIndexes));
        }
        if (bucketCount < 0) {
          throw new IllegalArgumentException(
              "negative bucket count: " + Arrays.toString(bucketCounts));
        }
        previous = index;
        if (bucketCount == 0) {
          continue;
        }
        histogram.indexes[histogram.size] = index;
        histogram.counts[histogram.size] = bucketCount;
        histogram.size++;
        histogram.count = Math.addExact(histogram.count, bucketCount);
        minSum = Math.addExact(minSum, Math.multiplyExact(bucketCount, smallestMillis(index)));
        if (index == OVERFLOW_BUCKET) {
          unboundedAbove = true;
        } else {
          maxSum = Math.addExact(maxSum, Math.multiplyExact(bucketCount, largestMillis(index)));
        }
      }
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("bucket counts overflow a long", e);
    }
    if (sum < minSum || (!unboundedAbove && sum > maxSum)) {
      throw new IllegalArgumentException(
          "sum "
              + sum
              + " ms is impossible for these buckets, need "
              + minSum
              + ".."
              + (unboundedAbove ? "" : maxSum)
              + ": "
              + Arrays.toString(bucketIndexes)
              + " "
              + Arrays.toString(bucketCounts));
    }
    histogram.sum = sum;
    return histogram;
  }

  /**
   * Index of the bucket that counts {@code millis}.
   *
   * @throws IllegalArgumentException if {@code millis} is negative (a duration that ends before it
   *     starts is a data error for validation to catch, not something to fold into bucket 0)
   */
  public static int bucketIndex(long millis) {
    if (millis < 0) {
      throw new IllegalArgumentException("duration must not be negative: " + millis + " ms");
    }
    if (millis < BASE_MILLIS) {
      return ZERO_BUCKET;
    }
    if (millis >= OVERFLOW_THRESHOLD_MILLIS) {
      return OVERFLOW_BUCKET;
    }
    int k = 1 + (int) Math.floor(Math.log((double) millis / BASE_MILLIS) / LN_GAMMA);
    // The logarithm can be off by an ulp next to a boundary; the table is the definition.
    while (k > 1 && millis < LOWER_BOUNDS[k]) {
      k--;
    }
    while (k < REGULAR_BUCKETS && millis >= LOWER_BOUNDS[k + 1]) {
      k++;
    }
    return k;
  }

  /** Lower bound of bucket {@code index}, in ms, inclusive: 0, then γ^(index−1). */
  public static double bucketLowerBound(int index) {
    return LOWER_BOUNDS[checkIndex(index)];
  }

  /**
   * Upper bound of bucket {@code index}, in ms, exclusive: γ^index; infinite for the overflow
   * bucket.
   */
  public static double bucketUpperBound(int index) {
    checkIndex(index);
    return index == OVERFLOW_BUCKET ? Double.POSITIVE_INFINITY : LOWER_BOUNDS[index + 1];
  }

  /**
   * The value a quantile reports for bucket {@code index}, in ms: 0 for the zero bucket,
   * γ^(index−0.5) for a regular bucket, γ^553 for the overflow bucket.
   */
  public static double representativeValue(int index) {
    return REPRESENTATIVES[checkIndex(index)];
  }

  /**
   * The nearest rank of quantile {@code q} among {@code n} observations, 1-based: min(n, max(1,
   * ⌈q·n⌉)). The same expression in ClickHouse gives the same rank because both compute q·n in IEEE
   * double.
   *
   * @throws IllegalArgumentException unless 0 ≤ q ≤ 1 and n ≥ 1
   */
  public static long rank(double q, long n) {
    checkQuantile(q);
    if (n < 1) {
      throw new IllegalArgumentException("need at least one observation, got " + n);
    }
    return Math.min(n, Math.max(1, (long) Math.ceil(q * n)));
  }

  /**
   * Counts one duration.
   *
   * @throws IllegalArgumentException if {@code millis} is negative
   * @throws ArithmeticException if the sum overflows a long (about 292 million years)
   */
  public LogHistogram add(long millis) {
    int index = bucketIndex(millis);
    sum = Math.addExact(sum, millis);
    increment(index, 1);
    count++;
    return this;
  }

  /** Adds {@code other}'s counts to this one; {@code other} is left unchanged. */
  public LogHistogram merge(LogHistogram other) {
    int[] mergedIndexes = new int[size + other.size];
    long[] mergedCounts = new long[size + other.size];
    int i = 0;
    int j = 0;
    int n = 0;
    while (i < size || j < other.size) {
      if (j == other.size || (i < size && indexes[i] < other.indexes[j])) {
        mergedIndexes[n] = indexes[i];
        mergedCounts[n++] = counts[i++];
      } else if (i == size || other.indexes[j] < indexes[i]) {
        mergedIndexes[n] = other.indexes[j];
        mergedCounts[n++] = other.counts[j++];
      } else {
        mergedIndexes[n] = indexes[i];
        mergedCounts[n++] = counts[i++] + other.counts[j++];
      }
    }
    sum = Math.addExact(sum, other.sum);
    count += other.count;
    indexes = mergedIndexes;
    counts = mergedCounts;
    size = n;
    return this;
  }

  /** An independent copy, so a merge does not change the original. */
  public LogHistogram copy() {
    LogHistogram copy = new LogHistogram();
    copy.indexes = Arrays.copyOf(indexes, size);
    copy.counts = Arrays.copyOf(counts, size);
    copy.size = size;
    copy.count = count;
    copy.sum = sum;
    return copy;
  }

  /** Number of durations counted. */
  public long count() {
    return count;
  }

  /** Exact sum of the durations counted, in ms, overflowing ones included at their real value. */
  public long sum() {
    return sum;
  }

  /** Whether no duration has been counted. */
  public boolean isEmpty() {
    return count == 0;
  }

  /** Mean duration in ms, exact (from {@link #sum()}); empty when nothing was counted. */
  public OptionalDouble mean() {
    return isEmpty() ? OptionalDouble.empty() : OptionalDouble.of((double) sum / count);
  }

  /** Indexes of the non-empty buckets, ascending; for an {@code Array(UInt16)} column. A copy. */
  public int[] bucketIndexes() {
    return Arrays.copyOf(indexes, size);
  }

  /** Counts of the buckets in {@link #bucketIndexes()}, all positive. A copy. */
  public long[] bucketCounts() {
    return Arrays.copyOf(counts, size);
  }

  /** All {@link #BUCKET_COUNT} bucket counts, position = bucket index. A copy. */
  public long[] counts() {
    long[] dense = new long[BUCKET_COUNT];
    for (int i = 0; i < size; i++) {
      dense[indexes[i]] = counts[i];
    }
    return dense;
  }

  /** Count of bucket {@code index}. */
  public long countOf(int index) {
    int position = Arrays.binarySearch(indexes, 0, size, checkIndex(index));
    return position >= 0 ? counts[position] : 0;
  }

  /**
   * Index of the bucket holding quantile {@code q} by the nearest-rank rule (see the class
   * comment); empty when nothing was counted.
   *
   * @throws IllegalArgumentException unless 0 ≤ q ≤ 1
   */
  public OptionalInt quantileBucket(double q) {
    checkQuantile(q);
    if (isEmpty()) {
      return OptionalInt.empty();
    }
    long rank = rank(q, count);
    long cumulative = 0;
    for (int i = 0; i < size; i++) {
      cumulative += counts[i];
      if (cumulative >= rank) {
        return OptionalInt.of(indexes[i]);
      }
    }
    throw new IllegalStateException("bucket counts do not add up to " + count);
  }

  /**
   * Estimate of quantile {@code q} in ms, e.g. 0.9 for p90: the representative value of {@link
   * #quantileBucket}; within {@link #RELATIVE_ERROR_BOUND} of the exact nearest-rank quantile
   * unless it lands in the overflow bucket. Empty when nothing was counted.
   *
   * @throws IllegalArgumentException unless 0 ≤ q ≤ 1
   */
  public OptionalDouble quantile(double q) {
    OptionalInt bucket = quantileBucket(q);
    return bucket.isEmpty()
        ? OptionalDouble.empty()
        : OptionalDouble.of(representativeValue(bucket.getAsInt()));
  }

  private void increment(int index, long by) {
    int position = Arrays.binarySearch(indexes, 0, size, index);
    if (position >= 0) {
      counts[position] += by;
      return;
    }
    int insertAt = -position - 1;
    if (size == indexes.length) {
      // Grows by half, from 8: a histogram rarely needs more than a few dozen buckets.
      int capacity = Math.min(BUCKET_COUNT, Math.max(8, size + (size >> 1)));
      indexes = Arrays.copyOf(indexes, capacity);
      counts = Arrays.copyOf(counts, capacity);
    }
    System.arraycopy(indexes, insertAt, indexes, insertAt + 1, size - insertAt);
    System.arraycopy(counts, insertAt, counts, insertAt + 1, size - insertAt);
    indexes[insertAt] = index;
    counts[insertAt] = by;
    size++;
  }

  // Smallest and largest whole number of ms that bucket index holds; for the sanity check of
  // stored rows. Some low buckets hold no whole number at all (smallest > largest).
  private static long smallestMillis(int index) {
    return index == OVERFLOW_BUCKET
        ? OVERFLOW_THRESHOLD_MILLIS
        : (long) Math.ceil(LOWER_BOUNDS[index]);
  }

  private static long largestMillis(int index) {
    return smallestMillis(index + 1) - 1;
  }

  private static int checkIndex(int index) {
    if (index < 0 || index >= BUCKET_COUNT) {
      throw new IllegalArgumentException(
          "bucket index must be in 0.." + (BUCKET_COUNT - 1) + ": " + index);
    }
    return index;
  }

  private static void checkQuantile(double q) {
    if (!(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException("quantile must be in [0, 1]: " + q);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LogHistogram other
        && count == other.count
        && sum == other.sum
        && Arrays.equals(indexes, 0, size, other.indexes, 0, other.size)
        && Arrays.equals(counts, 0, size, other.counts, 0, other.size);
  }

  @Override
  public int hashCode() {
    int hash = Long.hashCode(count) * 31 + Long.hashCode(sum);
    for (int i = 0; i < size; i++) {
      hash = hash * 31 + indexes[i];
      hash = hash * 31 + Long.hashCode(counts[i]);
    }
    return hash;
  }

  @Override
  public String toString() {
    StringBuilder text =
        new StringBuilder("LogHistogram{count=").append(count).append(", sum=").append(sum);
    text.append(", buckets={");
    for (int i = 0; i < size; i++) {
      text.append(i == 0 ? "" : ", ").append(indexes[i]).append('=').append(counts[i]);
    }
    return text.append("}}").toString();
  }
}
