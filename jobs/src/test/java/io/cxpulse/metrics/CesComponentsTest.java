package io.cxpulse.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CesComponentsTest {

  @Test
  void studentTIntervalOfASmallSample() {
    // Scores 2, 3, 3, 4, 5 by hand:
    //   n = 5, sum = 17, sum of squares = 4 + 9 + 9 + 16 + 25 = 63, mean = 3.4
    //   s^2 = (n * 63 - 17^2) / (n (n - 1)) = (315 - 289) / 20 = 1.3
    //   standard error = sqrt(1.3 / 5) = 0.5099020
    //   t(0.975, df 4) = 2.7764451 (printed t tables: 2.776)
    //   half width = 2.7764451 * 0.5099020 = 1.4157149
    //   CI = [1.9842851, 4.8157149]
    CesComponents ces = new CesComponents().add(2).add(3).add(3).add(4).add(5);

    assertThat(ces.count()).isEqualTo(5);
    assertThat(ces.sum()).isEqualTo(17);
    assertThat(ces.sumOfSquares()).isEqualTo(63);
    assertThat(ces.histogram()).containsExactly(0, 1, 2, 1, 1, 0, 0);
    assertThat(ces.mean()).hasValue(3.4);
    assertThat(ces.sampleVariance().getAsDouble()).isCloseTo(1.3, within(1e-12));
    ConfidenceInterval ci = ces.confidenceInterval95().orElseThrow();
    assertThat(ci.lower()).isCloseTo(1.9842851, within(1e-6));
    assertThat(ci.upper()).isCloseTo(4.8157149, within(1e-6));
  }

  @Test
  void tQuantileMatchesPublishedTables() {
    assertThat(Intervals.studentT975(1)).isCloseTo(12.706, within(5e-4));
    assertThat(Intervals.studentT975(4)).isCloseTo(2.776, within(5e-4));
    assertThat(Intervals.studentT975(30)).isCloseTo(2.042, within(5e-4));
    assertThat(Intervals.studentT975(1_000_000)).isCloseTo(1.960, within(5e-4));
  }

  @Test
  void intervalNeedsAtLeastTwoResponses() {
    CesComponents one = new CesComponents().add(4);

    assertThat(one.mean()).hasValue(4.0);
    assertThat(one.sampleVariance()).isEmpty();
    assertThat(one.confidenceInterval95()).isEmpty();
    assertThat(new CesComponents().mean()).isEmpty();
  }

  @Test
  void identicalScoresGiveAPointInterval() {
    ConfidenceInterval ci =
        new CesComponents().add(2).add(2).add(2).confidenceInterval95().orElseThrow();

    assertThat(ci).isEqualTo(new ConfidenceInterval(2.0, 2.0));
  }

  @Test
  void mergingPartsEqualsAddingAll() {
    int[] scores = {1, 7, 3, 3, 2, 6, 5, 4, 4, 1, 2, 7, 3};
    CesComponents all = new CesComponents();
    CesComponents a = new CesComponents();
    CesComponents b = new CesComponents();
    CesComponents c = new CesComponents();
    for (int i = 0; i < scores.length; i++) {
      all.add(scores[i]);
      (i < 5 ? a : i < 6 ? b : c).add(scores[i]);
    }

    assertThat(a.copy().merge(b).merge(c)).isEqualTo(all);
    assertThat(a.copy().merge(b.copy().merge(c))).isEqualTo(all);
    assertThat(b.copy().merge(c).merge(a)).isEqualTo(all);
    assertThat(a.copy().merge(b).merge(c).confidenceInterval95())
        .isEqualTo(all.confidenceInterval95());
  }

  @Test
  void roundTripsThroughStoredComponents() {
    CesComponents ces = new CesComponents().add(1).add(7).add(7).add(3);

    CesComponents stored =
        CesComponents.of(ces.count(), ces.sum(), ces.sumOfSquares(), ces.histogram());

    assertThat(stored).isEqualTo(ces);
    assertThat(CesComponents.fromHistogram(ces.histogram())).isEqualTo(ces);
    assertThat(stored.countOf(7)).isEqualTo(2);
  }

  @Test
  void rejectsScoresOffTheScaleAndInconsistentRows() {
    assertThatThrownBy(() -> new CesComponents().add(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CesComponents().add(8))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CesComponents.of(2, 5, 14, new long[] {0, 1, 1, 0, 0, 0, 0}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CesComponents.fromHistogram(new long[] {1, 2}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
