package io.cxpulse.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class NpsComponentsTest {

  private static double round2(double value) {
    return Math.round(value * 100) / 100.0;
  }

  @Test
  void publishedExampleHundredThirtyEighty() {
    // 100 promoters, 30 passives, 80 detractors: 100 * (100 - 80) / 210 = 9.5238
    NpsComponents nps = NpsComponents.of(100, 30, 80);

    assertThat(nps.total()).isEqualTo(210);
    assertThat(round2(nps.nps().getAsDouble())).isEqualTo(9.52);
  }

  @Test
  void publishedExampleOneResponseOfEachScore() {
    // Scores 0..10 once each: promoters 9,10 (2), passives 7,8 (2), detractors 0..6 (7).
    // 100 * (2 - 7) / 11 = -45.4545
    NpsComponents nps = new NpsComponents();
    for (int score = 0; score <= 10; score++) {
      nps.add(score);
    }

    assertThat(nps).isEqualTo(NpsComponents.of(2, 2, 7));
    assertThat(round2(nps.nps().getAsDouble())).isEqualTo(-45.45);
  }

  @Test
  void varianceAndIntervalOfHundredThirtyEighty() {
    // By hand, n = 210, p = 100/210 = 0.476190, d = 80/210 = 0.380952:
    //   p(1-p) = 0.476190 * 0.523810 = 0.249433
    //   d(1-d) = 0.380952 * 0.619048 = 0.235828
    //   2pd    = 2 * 0.476190 * 0.380952 = 0.362812
    //   sum    = 0.848073   (check: (p + d) - (p - d)^2 = 0.857143 - 0.009070 = 0.848073)
    //   Var    = 10000 * 0.848073 / 210 = 40.3844, sd = 6.35487
    //   CI     = 9.52381 -/+ 1.96 * 6.35487 = 9.52381 -/+ 12.45556 = [-2.93175, 21.97936]
    NpsComponents nps = NpsComponents.of(100, 30, 80);

    assertThat(nps.variance().getAsDouble()).isCloseTo(40.3844, within(1e-4));
    ConfidenceInterval ci = nps.confidenceInterval95().orElseThrow();
    assertThat(ci.lower()).isCloseTo(-2.93175, within(1e-4));
    assertThat(ci.upper()).isCloseTo(21.97936, within(1e-4));
  }

  @Test
  void intervalIsClippedToTheNpsRange() {
    // 1 promoter, 0 passives, 1 detractor: NPS 0, p = d = 0.5,
    // Var = 10000 * (0.25 + 0.25 + 0.5) / 2 = 5000, half width = 1.96 * 70.71 = 138.6,
    // so the unclipped interval [-138.6, 138.6] is cut to [-100, 100].
    ConfidenceInterval wide = NpsComponents.of(1, 0, 1).confidenceInterval95().orElseThrow();
    // Every response a promoter: variance 0, a point interval at 100.
    ConfidenceInterval point = NpsComponents.of(5, 0, 0).confidenceInterval95().orElseThrow();

    assertThat(wide).isEqualTo(new ConfidenceInterval(-100, 100));
    assertThat(point).isEqualTo(new ConfidenceInterval(100, 100));
  }

  @Test
  void emptyComponentsHaveNoDerivedValues() {
    NpsComponents nps = new NpsComponents();

    assertThat(nps.nps()).isEmpty();
    assertThat(nps.variance()).isEmpty();
    assertThat(nps.confidenceInterval95()).isEmpty();
  }

  @Test
  void mergingPartsEqualsAddingAll() {
    int[] scores = {10, 9, 0, 6, 7, 8, 3, 10, 5, 9, 9, 2, 7};
    NpsComponents all = new NpsComponents();
    NpsComponents a = new NpsComponents();
    NpsComponents b = new NpsComponents();
    NpsComponents c = new NpsComponents();
    for (int i = 0; i < scores.length; i++) {
      all.add(scores[i]);
      (i % 3 == 0 ? a : i % 3 == 1 ? b : c).add(scores[i]);
    }

    assertThat(a.copy().merge(b).merge(c)).isEqualTo(all);
    assertThat(a.copy().merge(b.copy().merge(c))).isEqualTo(all);
    assertThat(c.copy().merge(b).merge(a)).isEqualTo(all);
    assertThat(all.nps()).isEqualTo(a.copy().merge(b).merge(c).nps());
  }

  @Test
  void classifiesTheBoundaryScores() {
    assertThat(new NpsComponents().add(6)).isEqualTo(NpsComponents.of(0, 0, 1));
    assertThat(new NpsComponents().add(7)).isEqualTo(NpsComponents.of(0, 1, 0));
    assertThat(new NpsComponents().add(8)).isEqualTo(NpsComponents.of(0, 1, 0));
    assertThat(new NpsComponents().add(9)).isEqualTo(NpsComponents.of(1, 0, 0));
  }

  @Test
  void rejectsScoresOffTheScale() {
    assertThatThrownBy(() -> new NpsComponents().add(-1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new NpsComponents().add(11))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
