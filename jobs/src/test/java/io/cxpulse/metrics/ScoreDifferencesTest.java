package io.cxpulse.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.cxpulse.metrics.ScoreDifferences.Difference;
import org.junit.jupiter.api.Test;

/** Hand-computed cases of the met − breached differences and their 95 % intervals. */
class ScoreDifferencesTest {

  private static final double EPS = 1e-9;

  @Test
  void csatDifferenceHasTheWaldInterval() {
    // p1 = 0.8, p2 = 0.6, n = 100 each: se = sqrt(0.16/100 + 0.24/100) = 0.0632456.
    Difference d =
        ScoreDifferences.csat(CsatComponents.of(80, 100), CsatComponents.of(60, 100)).orElseThrow();
    assertThat(d.estimate()).isCloseTo(20.0, within(EPS));
    assertThat(d.interval().lower()).isCloseTo(7.60387157213996, within(EPS));
    assertThat(d.interval().upper()).isCloseTo(32.396128427860056, within(EPS));
  }

  @Test
  void csatDifferenceIsClippedAndDegeneratesAtTheEdges() {
    Difference all =
        ScoreDifferences.csat(CsatComponents.of(5, 5), CsatComponents.of(0, 3)).orElseThrow();
    assertThat(all.estimate()).isEqualTo(100.0);
    assertThat(all.interval().lower()).isEqualTo(100.0);
    assertThat(all.interval().upper()).isEqualTo(100.0);
    Difference wide =
        ScoreDifferences.csat(CsatComponents.of(2, 2), CsatComponents.of(1, 2)).orElseThrow();
    assertThat(wide.interval().upper()).isEqualTo(100.0);
  }

  @Test
  void npsDifferenceUsesTheDesignVarianceOfEachSide() {
    // The DESIGN.md examples: 100/30/80 -> 9.52 (Var 40.3844), one of each 0..10 -> -45.45
    // (Var 555.973); the upper bound 102.84 is clipped to nothing (limit 200).
    Difference d =
        ScoreDifferences.nps(NpsComponents.of(100, 30, 80), NpsComponents.of(2, 2, 7))
            .orElseThrow();
    assertThat(d.estimate()).isCloseTo(54.97835497835498, within(EPS));
    assertThat(d.interval().lower()).isCloseTo(7.114313823152344, within(EPS));
    assertThat(d.interval().upper()).isCloseTo(102.84239613355761, within(EPS));
  }

  @Test
  void npsDifferenceIsClippedToPlusMinus200() {
    Difference d =
        ScoreDifferences.nps(NpsComponents.of(1, 0, 1), NpsComponents.of(0, 0, 1)).orElseThrow();
    assertThat(d.estimate()).isCloseTo(100.0, within(EPS));
    assertThat(d.interval().upper()).isEqualTo(200.0);
  }

  @Test
  void cesDifferenceIsWelchWithTheQuantileAtTheWholeDegreesOfFreedom() {
    // {1, 2, 3}: mean 2, s^2 1; {4, 5, 6, 7}: mean 5.5, s^2 5/3. nu = 4.959 -> t(0.975, 4).
    CesComponents met = new CesComponents().add(1).add(2).add(3);
    CesComponents breached = new CesComponents().add(4).add(5).add(6).add(7);
    Difference d = ScoreDifferences.ces(met, breached).orElseThrow();
    assertThat(d.estimate()).isCloseTo(-3.5, within(EPS));
    assertThat(d.interval().lower()).isCloseTo(-5.904471993314248, within(1e-8));
    assertThat(d.interval().upper()).isCloseTo(-1.0955280066857522, within(1e-8));
  }

  @Test
  void cesDifferenceWithoutSpreadIsThePoint() {
    CesComponents met = new CesComponents().add(2).add(2);
    CesComponents breached = new CesComponents().add(5).add(5).add(5);
    Difference d = ScoreDifferences.ces(met, breached).orElseThrow();
    assertThat(d.estimate()).isEqualTo(-3.0);
    assertThat(d.interval().width()).isZero();
  }

  @Test
  void wholeDegreesOfFreedomRoundsDownButToleratesRounding() {
    assertThat(ScoreDifferences.wholeDegreesOfFreedom(4.959)).isEqualTo(4);
    assertThat(ScoreDifferences.wholeDegreesOfFreedom(4.9999999999)).isEqualTo(5);
    assertThat(ScoreDifferences.wholeDegreesOfFreedom(0.4)).isEqualTo(1);
  }

  @Test
  void emptyWhenASideLacksData() {
    assertThat(ScoreDifferences.csat(CsatComponents.of(1, 1), new CsatComponents())).isEmpty();
    assertThat(ScoreDifferences.nps(new NpsComponents(), NpsComponents.of(1, 0, 0))).isEmpty();
    assertThat(ScoreDifferences.ces(new CesComponents().add(1), new CesComponents().add(1).add(2)))
        .isEmpty();
  }
}
