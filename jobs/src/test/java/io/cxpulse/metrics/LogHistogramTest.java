package io.cxpulse.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LogHistogramTest {

  private static final double BOUND = LogHistogram.RELATIVE_ERROR_BOUND;

  /** The exact nearest-rank quantile of sorted samples, by the rule the histogram documents. */
  private static long exactQuantile(long[] sorted, double q) {
    return sorted[(int) LogHistogram.rank(q, sorted.length) - 1];
  }

  /** Log-normal durations in whole ms: median 60 s, σ = 1.2 (p99 ≈ 16 min). */
  private static long[] logNormalSamples(long seed, int n) {
    Random random = new Random(seed);
    double mu = Math.log(60_000);
    long[] samples = new long[n];
    for (int i = 0; i < n; i++) {
      samples[i] = Math.round(Math.exp(mu + 1.2 * random.nextGaussian()));
    }
    return samples;
  }

  private static LogHistogram histogramOf(long... millis) {
    LogHistogram histogram = new LogHistogram();
    for (long value : millis) {
      histogram.add(value);
    }
    return histogram;
  }

  @Test
  void layoutIsTheDocumentedOne() {
    assertThat(LogHistogram.GAMMA).isEqualTo(1.04);
    assertThat(LogHistogram.BUCKET_COUNT).isEqualTo(555);
    assertThat(LogHistogram.OVERFLOW_BUCKET).isEqualTo(554);
    assertThat(BOUND).isCloseTo(0.0198039, within(1e-7)).isLessThanOrEqualTo(0.02);
    // ⌈1.04^553⌉ ms, just past 30 days.
    assertThat(LogHistogram.OVERFLOW_THRESHOLD_MILLIS).isEqualTo(2_626_858_215L);
    assertThat(LogHistogram.OVERFLOW_THRESHOLD_MILLIS)
        .isGreaterThan(Duration.ofDays(30).toMillis())
        .isLessThan(Duration.ofDays(31).toMillis());

    assertThat(LogHistogram.bucketIndex(0)).isEqualTo(0);
    assertThat(LogHistogram.bucketIndex(1)).isEqualTo(1);
    // ln 2 / ln 1.04 = 17.67 -> bucket [1.04^17, 1.04^18) = [1.948, 2.026), index 18.
    assertThat(LogHistogram.bucketIndex(2)).isEqualTo(18);
    assertThat(LogHistogram.bucketIndex(LogHistogram.OVERFLOW_THRESHOLD_MILLIS - 1)).isEqualTo(553);
    assertThat(LogHistogram.bucketIndex(LogHistogram.OVERFLOW_THRESHOLD_MILLIS)).isEqualTo(554);
    assertThat(LogHistogram.bucketIndex(Long.MAX_VALUE)).isEqualTo(554);

    assertThat(LogHistogram.bucketLowerBound(0)).isEqualTo(0.0);
    assertThat(LogHistogram.bucketLowerBound(1)).isEqualTo(1.0);
    assertThat(LogHistogram.bucketLowerBound(2)).isCloseTo(1.04, within(1e-12));
    assertThat(LogHistogram.representativeValue(0)).isEqualTo(0.0);
    assertThat(LogHistogram.representativeValue(1)).isCloseTo(Math.sqrt(1.04), within(1e-12));
    assertThat(LogHistogram.representativeValue(100)).isEqualTo(Math.pow(1.04, 99.5));
    assertThat(LogHistogram.representativeValue(554))
        .isEqualTo(LogHistogram.bucketLowerBound(554))
        .isEqualTo(Math.pow(1.04, 553));
    assertThat(LogHistogram.bucketUpperBound(554)).isInfinite();
  }

  @Test
  void everyDurationLiesInItsBucketAndWithinTheBoundOfItsRepresentative() {
    Random random = new Random(7);
    long[] values = new long[400_000];
    for (int i = 0; i < 200_000; i++) {
      values[i] = i + 1; // every small value, where buckets are thinner than 1 ms
    }
    for (int i = 200_000; i < values.length; i++) {
      values[i] = 1 + (long) (Math.exp(random.nextDouble() * Math.log(2.6e9)));
    }
    double worst = 0;
    for (long value : values) {
      int index = LogHistogram.bucketIndex(value);
      assertThat(index).isBetween(1, 553);
      assertThat((double) value)
          .isGreaterThanOrEqualTo(LogHistogram.bucketLowerBound(index))
          .isLessThan(LogHistogram.bucketUpperBound(index));
      worst = Math.max(worst, Math.abs(LogHistogram.representativeValue(index) - value) / value);
    }
    assertThat(worst).isLessThanOrEqualTo(BOUND + 1e-12);
  }

  @Test
  void quantilesOfLogNormalSamplesAreWithinTheBound() {
    long[] samples = logNormalSamples(20_240_601L, 100_000);
    LogHistogram histogram = histogramOf(samples);
    long[] sorted = samples.clone();
    Arrays.sort(sorted);

    assertThat(histogram.count()).isEqualTo(100_000);
    assertThat(histogram.sum()).isEqualTo(Arrays.stream(samples).sum());
    StringBuilder report = new StringBuilder("log-normal quantile errors:");
    for (double q : new double[] {0.5, 0.9, 0.95, 0.99}) {
      long exact = exactQuantile(sorted, q);
      double estimate = histogram.quantile(q).getAsDouble();
      double error = (estimate - exact) / exact;
      report.append(
          String.format(" p%s exact=%d est=%.1f err=%+.4f%%;", q, exact, estimate, 100 * error));

      assertThat(Math.abs(error)).as("relative error of p%s", q).isLessThanOrEqualTo(BOUND);
      assertThat(histogram.quantileBucket(q)).hasValue(LogHistogram.bucketIndex(exact));
    }
    System.out.println(report);
  }

  @Test
  void mergeOfTwoHalvesEqualsTheWhole() {
    long[] samples = logNormalSamples(99L, 100_000);
    LogHistogram whole = histogramOf(samples);
    LogHistogram first = histogramOf(Arrays.copyOfRange(samples, 0, 50_000));
    LogHistogram second = histogramOf(Arrays.copyOfRange(samples, 50_000, 100_000));

    LogHistogram merged = first.copy().merge(second);

    assertThat(merged).isEqualTo(whole).hasSameHashCodeAs(whole);
    assertThat(second.copy().merge(first)).isEqualTo(whole);
    assertThat(merged.counts()).isEqualTo(whole.counts());
    for (double q : new double[] {0.5, 0.9, 0.95, 0.99}) {
      assertThat(merged.quantile(q)).isEqualTo(whole.quantile(q));
    }
    // The stored (sparse) form of the halves, summed by index as sumMap does, is the whole.
    long[] summed = new long[LogHistogram.BUCKET_COUNT];
    for (LogHistogram half : new LogHistogram[] {first, second}) {
      int[] indexes = half.bucketIndexes();
      long[] counts = half.bucketCounts();
      for (int i = 0; i < indexes.length; i++) {
        summed[indexes[i]] += counts[i];
      }
    }
    assertThat(summed).isEqualTo(whole.counts());
  }

  @Test
  void mergeLeavesTheOtherUnchangedAndCopyIsIndependent() {
    LogHistogram a = histogramOf(5, 500, 50_000);
    LogHistogram b = histogramOf(500, 7);
    LogHistogram copy = a.copy();

    a.merge(b).add(0);

    assertThat(a.count()).isEqualTo(6);
    assertThat(a.sum()).isEqualTo(51_012);
    assertThat(a.countOf(LogHistogram.bucketIndex(500))).isEqualTo(2);
    assertThat(b).isEqualTo(histogramOf(7, 500));
    assertThat(copy).isEqualTo(histogramOf(50_000, 5, 500));
    assertThat(copy.copy().merge(new LogHistogram())).isEqualTo(copy);
    assertThat(new LogHistogram().merge(copy)).isEqualTo(copy);
    assertThat(copy.copy().merge(copy)).isEqualTo(histogramOf(5, 5, 500, 500, 50_000, 50_000));
  }

  @Test
  void nearestRankRuleOnASmallWorkedExample() {
    // 10 durations of 1..10 s. p50: rank ceil(0.5*10) = 5 -> 5 s; p90: rank 9 -> 9 s;
    // p95: rank ceil(9.5) = 10 -> 10 s; p0 is the minimum and p100 the maximum.
    LogHistogram histogram = new LogHistogram();
    for (int s = 10; s >= 1; s--) {
      histogram.add(s * 1000L);
    }

    assertThat(LogHistogram.rank(0.5, 10)).isEqualTo(5);
    assertThat(LogHistogram.rank(0.9, 10)).isEqualTo(9);
    assertThat(LogHistogram.rank(0.95, 10)).isEqualTo(10);
    assertThat(LogHistogram.rank(0.0, 10)).isEqualTo(1);
    assertThat(LogHistogram.rank(1.0, 10)).isEqualTo(10);
    assertThat(LogHistogram.rank(0.99, 1)).isEqualTo(1);
    assertThat(histogram.quantile(0.5).getAsDouble()).isCloseTo(5000, within(5000 * BOUND));
    assertThat(histogram.quantile(0.9).getAsDouble()).isCloseTo(9000, within(9000 * BOUND));
    assertThat(histogram.quantile(0.95).getAsDouble()).isCloseTo(10_000, within(10_000 * BOUND));
    assertThat(histogram.quantile(0.0).getAsDouble()).isCloseTo(1000, within(1000 * BOUND));
    assertThat(histogram.quantile(1.0)).isEqualTo(histogram.quantile(0.95));
    assertThat(histogram.mean()).hasValue(5500.0);
  }

  @Test
  void emptyHistogramHasNoDerivedValues() {
    LogHistogram empty = new LogHistogram();

    assertThat(empty.isEmpty()).isTrue();
    assertThat(empty.count()).isZero();
    assertThat(empty.quantile(0.5)).isEmpty();
    assertThat(empty.quantileBucket(0.99)).isEmpty();
    assertThat(empty.mean()).isEmpty();
    assertThat(empty.bucketIndexes()).isEmpty();
    assertThat(empty.bucketCounts()).isEmpty();
    assertThat(empty.counts()).hasSize(555).containsOnly(0L);
    assertThat(empty).isEqualTo(LogHistogram.of(0, new int[0], new long[0]));
  }

  @Test
  void zerosGoToTheZeroBucketAndReportExactlyZero() {
    LogHistogram histogram = histogramOf(0, 0, 0, 0, 0, 0, 60_000, 60_000, 60_000, 60_000);

    assertThat(histogram.countOf(LogHistogram.ZERO_BUCKET)).isEqualTo(6);
    assertThat(histogram.quantile(0.5)).hasValue(0.0);
    assertThat(histogram.quantile(0.6)).hasValue(0.0);
    assertThat(histogram.quantile(0.61).getAsDouble()).isCloseTo(60_000, within(60_000 * BOUND));
    assertThat(histogram.mean()).hasValue(24_000.0);
  }

  @Test
  void hugeDurationsAreClippedToTheOverflowBucketButKeptInTheSum() {
    long ninetyDays = Duration.ofDays(90).toMillis();
    LogHistogram histogram = histogramOf(60_000, ninetyDays, ninetyDays);

    assertThat(histogram.countOf(LogHistogram.OVERFLOW_BUCKET)).isEqualTo(2);
    // The p90 is "at least 30.4 days", reported as 30.4 days: an underestimate by design.
    double p90 = histogram.quantile(0.9).getAsDouble();
    assertThat(p90).isEqualTo(Math.pow(1.04, 553));
    assertThat(Duration.ofMillis((long) p90).toDays()).isEqualTo(30);
    // The mean stays exact.
    assertThat(histogram.sum()).isEqualTo(60_000 + 2 * ninetyDays);
    assertThat(histogram.mean().getAsDouble())
        .isCloseTo((60_000 + 2.0 * ninetyDays) / 3, within(1e-3));
  }

  @Test
  void rejectsNegativeDurationsAndQuantilesOutsideZeroToOne() {
    LogHistogram histogram = histogramOf(1000);

    assertThatThrownBy(() -> histogram.add(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
    assertThatThrownBy(() -> histogram.quantile(1.5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> histogram.quantile(-0.1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> histogram.quantile(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LogHistogram.representativeValue(555))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> histogramOf(Long.MAX_VALUE, 1))
        .isInstanceOf(ArithmeticException.class);
    assertThat(histogram).isEqualTo(histogramOf(1000));
  }

  @Test
  void storedRowReadsBackAndCorruptRowsAreRejected() {
    LogHistogram original = histogramOf(0, 1, 250, 250, 60_000, Duration.ofDays(40).toMillis());

    LogHistogram read =
        LogHistogram.of(original.sum(), original.bucketIndexes(), original.bucketCounts());

    assertThat(read).isEqualTo(original);
    assertThat(original.bucketIndexes()).isSorted().doesNotHaveDuplicates();
    assertThat(original.bucketCounts()).containsExactly(1, 1, 2, 1, 1);
    assertThat(Arrays.stream(original.counts()).sum()).isEqualTo(original.count());
    // Zero counts (a sumMap result may carry them) are dropped.
    assertThat(
            LogHistogram.of(250, new int[] {3, LogHistogram.bucketIndex(250)}, new long[] {0, 1}))
        .isEqualTo(histogramOf(250));

    int i250 = LogHistogram.bucketIndex(250);
    assertThatThrownBy(() -> LogHistogram.of(250, new int[] {i250}, new long[] {1, 2}))
        .hasMessageContaining("differ in length");
    assertThatThrownBy(() -> LogHistogram.of(500, new int[] {i250, i250}, new long[] {1, 1}))
        .hasMessageContaining("strictly ascending");
    assertThatThrownBy(() -> LogHistogram.of(0, new int[] {555}, new long[] {1}))
        .hasMessageContaining("strictly ascending");
    assertThatThrownBy(() -> LogHistogram.of(0, new int[] {0}, new long[] {-1}))
        .hasMessageContaining("negative");
    // 250 ms cannot sum to 100 ms, nor to 300 ms: bucket of 250, [242.5, 252.2), holds 243..252 ms.
    assertThatThrownBy(() -> LogHistogram.of(100, new int[] {i250}, new long[] {1}))
        .hasMessageContaining("impossible");
    assertThatThrownBy(() -> LogHistogram.of(300, new int[] {i250}, new long[] {1}))
        .hasMessageContaining("impossible");
    // Bucket 2, [1.04, 1.0816) ms, holds no whole millisecond at all.
    assertThatThrownBy(() -> LogHistogram.of(1, new int[] {2}, new long[] {1}))
        .hasMessageContaining("impossible");
  }
}
