package io.cxpulse.metrics;

import static io.cxpulse.metrics.SignificanceTests.Alternative.GREATER;
import static io.cxpulse.metrics.SignificanceTests.Alternative.LESS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.cxpulse.metrics.SignificanceTests.Result;
import org.junit.jupiter.api.Test;

class SignificanceTestsTest {

  private static CesComponents ces(int... scores) {
    CesComponents components = new CesComponents();
    for (int score : scores) {
      components.add(score);
    }
    return components;
  }

  // --- two proportions --------------------------------------------------------------------

  @Test
  void csatEightyOfHundredAgainstNinetyOfHundred() {
    // p1 = 0.80, p2 = 0.90, pooled p = 170/200 = 0.85,
    // SE = sqrt(0.85 * 0.15 * (1/100 + 1/100)) = sqrt(0.00255) = 0.0504975,
    // z = (0.80 - 0.90) / 0.0504975 = -1.98030, one-sided (lower) p = Phi(-1.98030) = 0.023835.
    Result result = SignificanceTests.twoProportions(80, 100, 90, 100, LESS).orElseThrow();

    assertThat(result.statistic()).isCloseTo(-1.98030, within(1e-5));
    assertThat(result.pValue()).isCloseTo(0.023835, within(1e-6));
    assertThat(result.degreesOfFreedom()).isInfinite();
    assertThat(result.rejectsAt(0.05)).isTrue();
    assertThat(result.rejectsAt(0.01)).isFalse();
  }

  @Test
  void theOtherDirectionGetsTheComplementaryTail() {
    // Same data, asking "is the current window higher": p = 1 - 0.023835 = 0.976165.
    Result result = SignificanceTests.twoProportions(80, 100, 90, 100, GREATER).orElseThrow();

    assertThat(result.statistic()).isCloseTo(-1.98030, within(1e-5));
    assertThat(result.pValue()).isCloseTo(0.976165, within(1e-6));
  }

  @Test
  void abandonmentSixtyOfHundredAgainstBaselineOfThousand() {
    // Current 60 abandoned of 100 started, baseline 447 of 1000:
    // pooled p = 507/1100 = 0.460909, SE = sqrt(0.460909 * 0.539091 * (1/100 + 1/1000))
    //          = sqrt(0.248475 * 0.011) = 0.0522799,
    // z = (0.600 - 0.447) / 0.0522799 = 2.92655, one-sided (upper) p = 1 - Phi(2.92655) =
    // 0.0017137.
    Result result = SignificanceTests.twoProportions(60, 100, 447, 1000, GREATER).orElseThrow();

    assertThat(result.statistic()).isCloseTo(2.92655, within(1e-5));
    assertThat(result.pValue()).isCloseTo(0.0017137, within(1e-7));
    assertThat(result.rejectsAt(0.01)).isTrue();
  }

  @Test
  void identicalProportionsGiveZeroAndAHalf() {
    // 30/40 = 0.75 = 300/400: z = 0, and half of a symmetric distribution lies below 0.
    Result result = SignificanceTests.twoProportions(30, 40, 300, 400, LESS).orElseThrow();

    assertThat(result.statistic()).isZero();
    assertThat(result.pValue()).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void noSpreadAtAllIsNoEvidence() {
    // Pooled p = 0 (nobody abandoned, on either side) or 1 (everybody satisfied): SE = 0 and
    // the proportions are necessarily equal. Reported as z = 0, p = 1 rather than 0/0 = NaN.
    Result none = SignificanceTests.twoProportions(0, 50, 0, 500, GREATER).orElseThrow();
    Result all = SignificanceTests.twoProportions(50, 50, 500, 500, LESS).orElseThrow();

    assertThat(none.statistic()).isZero();
    assertThat(none.pValue()).isEqualTo(1.0);
    assertThat(all.statistic()).isZero();
    assertThat(all.pValue()).isEqualTo(1.0);
  }

  @Test
  void proportionsAtZeroAndOneStillHaveAPooledSpread() {
    // Current 0/20, baseline 20/20: pooled p = 20/40 = 0.5, SE = sqrt(0.25 * (2/20)) = 0.158114,
    // z = (0 - 1) / 0.158114 = -6.32456, p = Phi(-6.32456) = 1.27e-10 (kept, not rounded to 0).
    Result result = SignificanceTests.twoProportions(0, 20, 20, 20, LESS).orElseThrow();

    assertThat(result.statistic()).isCloseTo(-6.32456, within(1e-5));
    assertThat(result.pValue()).isCloseTo(1.2698e-10, within(1e-13)).isPositive();
  }

  @Test
  void emptySideHasNoTest() {
    assertThat(SignificanceTests.twoProportions(0, 0, 90, 100, LESS)).isEmpty();
    assertThat(SignificanceTests.twoProportions(80, 100, 0, 0, LESS)).isEmpty();
  }

  @Test
  void impossibleCountsAreRejected() {
    assertThatThrownBy(() -> SignificanceTests.twoProportions(101, 100, 90, 100, LESS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("current");
    assertThatThrownBy(() -> SignificanceTests.twoProportions(80, 100, -1, 100, LESS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("baseline");
  }

  @Test
  void farTailKeepsItsDigits() {
    // z around +11: 1 - Phi(z) would cancel to 0 in doubles; Phi(-z) is about 1e-28.
    Result result = SignificanceTests.twoProportions(900, 1000, 100, 1000, GREATER).orElseThrow();

    assertThat(result.statistic()).isGreaterThan(30);
    Result moderate = SignificanceTests.twoProportions(340, 1000, 200, 1000, GREATER).orElseThrow();
    // pooled 0.27, SE = sqrt(0.27 * 0.73 * 0.002) = 0.0198545, z = 0.14 / 0.0198545 = 7.05131,
    // p = 1 - Phi(7.05131) = 8.86e-13.
    assertThat(moderate.statistic()).isCloseTo(7.05131, within(1e-5));
    assertThat(moderate.pValue()).isCloseTo(8.86e-13, within(0.05e-13));
  }

  // --- NPS ----------------------------------------------------------------------------------

  @Test
  void npsDropAgainstALargeBaseline() {
    // Current 15 promoters, 15 passives, 20 detractors (n = 50): NPS = 100 * (15 - 20) / 50 = -10,
    //   p = 0.3, d = 0.4, Var = 10000 * (0.21 + 0.24 + 2 * 0.12) / 50 = 10000 * 0.69 / 50 = 138.
    // Baseline 500 / 300 / 200 (n = 1000): NPS = 30,
    //   p = 0.5, d = 0.2, Var = 10000 * (0.25 + 0.16 + 0.2) / 1000 = 6.1.
    // z = (-10 - 30) / sqrt(138 + 6.1) = -40 / 12.00417 = -3.33218, p = Phi(-3.33218) = 0.00043085.
    Result result =
        SignificanceTests.npsDifference(
                NpsComponents.of(15, 15, 20), NpsComponents.of(500, 300, 200), LESS)
            .orElseThrow();

    assertThat(result.statistic()).isCloseTo(-3.33218, within(1e-5));
    assertThat(result.pValue()).isCloseTo(0.00043085, within(1e-8));
    assertThat(result.rejectsAt(0.01)).isTrue();
  }

  @Test
  void npsUsesTheDesignDocumentVarianceOfBothSides() {
    // Against the published 100/30/80 example (NPS 9.5238, Var 40.3844, see NpsComponentsTest):
    // current 20/10/20 (n = 50): NPS 0, p = d = 0.4, Var = 10000 * (0.24 + 0.24 + 0.32) / 50 = 160.
    // z = (0 - 9.52381) / sqrt(160 + 40.3844) = -9.52381 / 14.15572 = -0.672789,
    // p = Phi(-0.672789) = 0.250541: a 9.5-point drop on 50 responses is noise.
    Result result =
        SignificanceTests.npsDifference(
                NpsComponents.of(20, 10, 20), NpsComponents.of(100, 30, 80), LESS)
            .orElseThrow();

    assertThat(result.statistic()).isCloseTo(-0.672789, within(1e-6));
    assertThat(result.pValue()).isCloseTo(0.250541, within(1e-6));
    assertThat(result.rejectsAt(0.05)).isFalse();
  }

  @Test
  void npsWithoutSpreadOnEitherSide() {
    // All promoters against all promoters: equal, no evidence. All passives (NPS 0, Var 0)
    // against all promoters (NPS 100, Var 0): a certain drop, z = -inf, p = 0.
    Result same =
        SignificanceTests.npsDifference(NpsComponents.of(5, 0, 0), NpsComponents.of(50, 0, 0), LESS)
            .orElseThrow();
    Result certain =
        SignificanceTests.npsDifference(NpsComponents.of(0, 5, 0), NpsComponents.of(50, 0, 0), LESS)
            .orElseThrow();
    Result otherWay =
        SignificanceTests.npsDifference(
                NpsComponents.of(0, 5, 0), NpsComponents.of(50, 0, 0), GREATER)
            .orElseThrow();

    assertThat(same.statistic()).isZero();
    assertThat(same.pValue()).isEqualTo(1.0);
    assertThat(certain.statistic()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(certain.pValue()).isZero();
    assertThat(otherWay.pValue()).isEqualTo(1.0);
  }

  @Test
  void npsWithoutResponsesHasNoTest() {
    assertThat(
            SignificanceTests.npsDifference(
                new NpsComponents(), NpsComponents.of(100, 30, 80), LESS))
        .isEmpty();
    assertThat(
            SignificanceTests.npsDifference(NpsComponents.of(1, 0, 0), new NpsComponents(), LESS))
        .isEmpty();
  }

  // --- CES (Welch) --------------------------------------------------------------------------

  @Test
  void welchWithTwoDegreesOfFreedomMatchesTheClosedForm() {
    // Current CES {4, 6}: mean 5, s^2 = 2; baseline {2, 4}: mean 3, s^2 = 2.
    // s1^2/n1 = s2^2/n2 = 1, SE = sqrt(2), t = 2 / sqrt(2) = 1.414214,
    // df = (1 + 1)^2 / (1^2/1 + 1^2/1) = 2.
    // Student t with 2 df has F(t) = 1/2 + t / (2 sqrt(2 + t^2)), so the upper tail is
    // 1/2 - 1.414214 / (2 * sqrt(4)) = 0.5 - 0.353553 = 0.146447.
    Result result = SignificanceTests.cesMeans(ces(4, 6), ces(2, 4), GREATER).orElseThrow();

    assertThat(result.statistic()).isCloseTo(Math.sqrt(2), within(1e-12));
    assertThat(result.degreesOfFreedom()).isCloseTo(2.0, within(1e-12));
    assertThat(result.pValue()).isCloseTo(0.5 - Math.sqrt(2) / 4, within(1e-9));
  }

  @Test
  void welchWithEqualSizesAndVariances() {
    // Current five 3s and five 5s: mean 4, s^2 = 10 * 1 / 9 = 1.111111;
    // baseline five 2s and five 4s: mean 3, s^2 = 1.111111.
    // SE = sqrt(2 * 1.111111 / 10) = 0.471405, t = 1 / 0.471405 = 2.121320,
    // df = (0.222222)^2 / (2 * 0.111111^2 / 9) = 18 (= n1 + n2 - 2 when sizes and variances agree),
    // upper-tail p = 0.0240188 (t table: t(0.975, 18) = 2.1009, so p is just under 0.025).
    Result result =
        SignificanceTests.cesMeans(
                ces(3, 3, 3, 3, 3, 5, 5, 5, 5, 5), ces(2, 2, 2, 2, 2, 4, 4, 4, 4, 4), GREATER)
            .orElseThrow();

    assertThat(result.statistic()).isCloseTo(2.121320, within(1e-6));
    assertThat(result.degreesOfFreedom()).isCloseTo(18.0, within(1e-9));
    assertThat(result.pValue()).isCloseTo(0.0240188, within(1e-7));
  }

  @Test
  void welchWithUnequalSizesAndVariances() {
    // Current {6, 6, 5, 5, 4, 4}: n1 = 6, mean 5, s1^2 = 4 / 5 = 0.8, s1^2/n1 = 0.133333.
    // Baseline five 2s, three 3s, two 5s: n2 = 10, sum 29, sum of squares 97, mean 2.9,
    //   s2^2 = (97 - 29^2/10) / 9 = 12.9 / 9 = 1.433333, s2^2/n2 = 0.143333.
    // SE = sqrt(0.133333 + 0.143333) = 0.525991, t = (5 - 2.9) / 0.525991 = 3.992463,
    // df = 0.276667^2 / (0.133333^2 / 5 + 0.143333^2 / 9) = 0.0765444 / 0.00583827 = 13.1108,
    // upper-tail p = 0.00075470.
    Result result =
        SignificanceTests.cesMeans(
                ces(6, 6, 5, 5, 4, 4), ces(2, 2, 2, 2, 2, 3, 3, 3, 5, 5), GREATER)
            .orElseThrow();

    assertThat(result.statistic()).isCloseTo(3.992463, within(1e-6));
    assertThat(result.degreesOfFreedom()).isCloseTo(13.1108, within(1e-4));
    assertThat(result.pValue()).isCloseTo(0.00075470, within(1e-8));
    // The raw form, from count, mean and variance, gives the same.
    Result raw = SignificanceTests.welch(6, 5.0, 0.8, 10, 2.9, 12.9 / 9, GREATER).orElseThrow();
    assertThat(raw.statistic()).isCloseTo(result.statistic(), within(1e-12));
    assertThat(raw.degreesOfFreedom()).isCloseTo(result.degreesOfFreedom(), within(1e-9));
    assertThat(raw.pValue()).isCloseTo(result.pValue(), within(1e-12));
    // And "is it lower" is the complement.
    assertThat(SignificanceTests.welch(6, 5.0, 0.8, 10, 2.9, 12.9 / 9, LESS).orElseThrow().pValue())
        .isCloseTo(1 - 0.00075470, within(1e-8));
  }

  @Test
  void welchWithOneConstantSideTakesTheOthersDegreesOfFreedom() {
    // Current {5, 5, 5}: s1^2 = 0; baseline {2, 4}: mean 3, s2^2 = 2, s2^2/n2 = 1.
    // SE = 1, t = 2, df = 1^2 / (0 + 1^2 / 1) = 1: Cauchy, F(t) = 1/2 + atan(t) / pi, so the upper
    // tail is 1/2 - atan(2) / pi = 0.5 - 0.352416 = 0.147584.
    Result result = SignificanceTests.cesMeans(ces(5, 5, 5), ces(2, 4), GREATER).orElseThrow();

    assertThat(result.statistic()).isCloseTo(2.0, within(1e-12));
    assertThat(result.degreesOfFreedom()).isCloseTo(1.0, within(1e-12));
    assertThat(result.pValue()).isCloseTo(0.5 - Math.atan(2) / Math.PI, within(1e-9));
  }

  @Test
  void welchWithoutSpreadOnEitherSide() {
    Result same = SignificanceTests.cesMeans(ces(3, 3), ces(3, 3, 3), GREATER).orElseThrow();
    Result worse = SignificanceTests.cesMeans(ces(6, 6), ces(2, 2, 2), GREATER).orElseThrow();

    assertThat(same.statistic()).isZero();
    assertThat(same.pValue()).isEqualTo(1.0);
    assertThat(same.degreesOfFreedom()).isNaN();
    assertThat(worse.statistic()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(worse.pValue()).isZero();
  }

  @Test
  void welchNeedsTwoObservationsPerSide() {
    assertThat(SignificanceTests.cesMeans(ces(7), ces(1, 2, 3), GREATER)).isEmpty();
    assertThat(SignificanceTests.cesMeans(ces(6, 7), new CesComponents(), GREATER)).isEmpty();
    // A side with fewer than two observations may come without usable moments.
    assertThat(SignificanceTests.welch(1, Double.NaN, Double.NaN, 10, 3, 1, GREATER)).isEmpty();
  }

  @Test
  void welchRejectsImpossibleMoments() {
    assertThatThrownBy(() -> SignificanceTests.welch(5, 3, -0.1, 10, 3, 1, GREATER))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("current");
    assertThatThrownBy(() -> SignificanceTests.welch(5, 3, 1, 10, Double.NaN, 1, GREATER))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("baseline");
    assertThatThrownBy(() -> SignificanceTests.welch(-1, 3, 1, 10, 3, 1, GREATER))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void standardNormalCdfAtKnownPoints() {
    // Table values: Phi(0) = 0.5, Phi(1.96) = 0.9750021, Phi(-2.326348) = 0.01.
    assertThat(SignificanceTests.standardNormalCdf(0)).isCloseTo(0.5, within(1e-15));
    assertThat(SignificanceTests.standardNormalCdf(1.96)).isCloseTo(0.9750021, within(1e-7));
    assertThat(SignificanceTests.standardNormalCdf(-2.326348)).isCloseTo(0.01, within(1e-8));
  }
}
