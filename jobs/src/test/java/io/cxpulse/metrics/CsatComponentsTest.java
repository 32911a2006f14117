package io.cxpulse.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CsatComponentsTest {

  /** Adds {@code counts[i]} responses of score i + 1. */
  private static CsatComponents fromCounts(int... counts) {
    CsatComponents csat = new CsatComponents();
    for (int i = 0; i < counts.length; i++) {
      for (int j = 0; j < counts[i]; j++) {
        csat.add(i + 1);
      }
    }
    return csat;
  }

  @Test
  void publishedExampleSeventyPercent() {
    // 5:40, 4:30, 3:10, 2:5, 1:15 -> (40 + 30) / 100 = 70.0
    CsatComponents csat = fromCounts(15, 5, 10, 30, 40);

    assertThat(csat.satisfied()).isEqualTo(70);
    assertThat(csat.total()).isEqualTo(100);
    assertThat(csat.csat()).hasValue(70.0);
  }

  @Test
  void publishedExampleSixtyPercent() {
    // 5:10, 4:20, 3:10, 2:5, 1:5 -> (10 + 20) / 50 = 60.0
    CsatComponents csat = fromCounts(5, 5, 10, 20, 10);

    assertThat(csat).isEqualTo(CsatComponents.of(30, 50));
    assertThat(csat.csat()).hasValue(60.0);
  }

  @Test
  void wilsonIntervalOfSeventyOutOfHundred() {
    // By hand, z = 1.96, z^2 = 3.8416, p = 0.7, n = 100:
    //   denominator = 1 + z^2/n                 = 1.038416
    //   centre      = (p + z^2/(2n)) / denom     = 0.719208 / 1.038416 = 0.6926010
    //   half width  = z * sqrt(p(1-p)/n + z^2/(4n^2)) / denom
    //               = 1.96 * sqrt(0.0021 + 0.00009604) / 1.038416
    //               = 1.96 * 0.04686193 / 1.038416 = 0.0884514
    //   interval    = [0.6041496, 0.7810525] -> [60.41 %, 78.11 %]
    // The upper bound 78.105 sits on the rounding boundary: the published "78.10 %" is it cut to
    // two decimals, 78.11 % is it rounded; both are within 0.01.
    CsatComponents csat = CsatComponents.of(70, 100);

    ConfidenceInterval ci = csat.confidenceInterval95().orElseThrow();

    assertThat(ci.lower()).isCloseTo(60.41496, within(1e-4)).isCloseTo(60.42, within(0.01));
    assertThat(ci.upper()).isCloseTo(78.10525, within(1e-4)).isCloseTo(78.10, within(0.01));
    assertThat(ci.contains(70.0)).isTrue();
  }

  @Test
  void wilsonIntervalStaysInsideZeroToHundredAtTheExtremes() {
    ConfidenceInterval none = CsatComponents.of(0, 3).confidenceInterval95().orElseThrow();
    ConfidenceInterval all = CsatComponents.of(3, 3).confidenceInterval95().orElseThrow();

    assertThat(none.lower()).isEqualTo(0.0);
    assertThat(none.upper()).isGreaterThan(0.0);
    assertThat(all.upper()).isEqualTo(100.0);
    assertThat(all.lower()).isLessThan(100.0);
  }

  @Test
  void emptyComponentsHaveNoDerivedValues() {
    CsatComponents csat = new CsatComponents();

    assertThat(csat.isEmpty()).isTrue();
    assertThat(csat.csat()).isEmpty();
    assertThat(csat.confidenceInterval95()).isEmpty();
  }

  @Test
  void mergingPartsEqualsAddingAll() {
    int[] scores = {5, 4, 1, 3, 5, 2, 4, 4, 5, 1, 3, 5};
    CsatComponents all = new CsatComponents();
    CsatComponents a = new CsatComponents();
    CsatComponents b = new CsatComponents();
    CsatComponents c = new CsatComponents();
    for (int i = 0; i < scores.length; i++) {
      all.add(scores[i]);
      (i < 3 ? a : i < 8 ? b : c).add(scores[i]);
    }

    CsatComponents left = a.copy().merge(b).merge(c);
    CsatComponents right = a.copy().merge(b.copy().merge(c));

    assertThat(left).isEqualTo(all).isEqualTo(right);
    assertThat(c.copy().merge(a).merge(b)).isEqualTo(all);
    assertThat(a.copy().merge(new CsatComponents())).isEqualTo(a);
  }

  @Test
  void mergeLeavesTheOtherUnchanged() {
    CsatComponents other = CsatComponents.of(1, 2);

    CsatComponents.of(3, 4).merge(other);

    assertThat(other).isEqualTo(CsatComponents.of(1, 2));
  }

  @Test
  void rejectsScoresOffTheScaleAndInconsistentCounts() {
    assertThatThrownBy(() -> new CsatComponents().add(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CsatComponents().add(6))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CsatComponents.of(5, 4)).isInstanceOf(IllegalArgumentException.class);
  }
}
