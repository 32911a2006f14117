package io.cxpulse.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.cxpulse.metrics.AbandonmentComponents.Outcome;
import org.junit.jupiter.api.Test;

class AbandonmentComponentsTest {

  private static AbandonmentComponents fromOutcomes(long completed, long abandoned, long pending) {
    AbandonmentComponents components = new AbandonmentComponents();
    for (long i = 0; i < completed; i++) {
      components.add(Outcome.COMPLETED);
    }
    for (long i = 0; i < abandoned; i++) {
      components.add(Outcome.ABANDONED);
    }
    for (long i = 0; i < pending; i++) {
      components.add(Outcome.PENDING);
    }
    return components;
  }

  @Test
  void publishedFunnelExample() {
    // 1,590 started, 879 completed -> 711 abandoned; 711 / 1590 = 0.4471698 -> 44.72 %
    AbandonmentComponents funnel = fromOutcomes(879, 711, 0);

    assertThat(funnel).isEqualTo(AbandonmentComponents.of(1590, 879, 711));
    assertThat(funnel.started()).isEqualTo(1590);
    assertThat(funnel.pending()).isZero();
    assertThat(funnel.abandonmentRate().getAsDouble())
        .isCloseTo(44.7169811, within(1e-6))
        .isCloseTo(44.72, within(0.005));
    // 879 / 1590 = 0.5528302 -> 55.28 %; conversion and abandonment add up to 100 when final.
    assertThat(funnel.conversionRate().getAsDouble()).isCloseTo(55.28, within(0.005));
    assertThat(funnel.abandonmentRate().getAsDouble() + funnel.conversionRate().getAsDouble())
        .isCloseTo(100.0, within(1e-9));
  }

  @Test
  void wilsonIntervalOfPublishedFunnel() {
    // By hand, z = 1.96, z^2 = 3.8416, p = 711/1590 = 0.44716981, n = 1590:
    //   denominator = 1 + z^2/n                = 1.00241610
    //   centre      = (p + z^2/(2n)) / denom    = 0.44837786 / 1.00241610 = 0.44729715
    //   half width  = z * sqrt(p(1-p)/n + z^2/(4n^2)) / denom
    //               = 1.96 * sqrt(0.00015548 + 0.00000038) / 1.00241610 = 0.02441021
    //   interval    = [0.42288694, 0.47170736] -> [42.29 %, 47.17 %]
    ConfidenceInterval ci =
        AbandonmentComponents.of(1590, 879, 711).abandonmentInterval95().orElseThrow();

    assertThat(ci.lower()).isCloseTo(42.288694, within(1e-5));
    assertThat(ci.upper()).isCloseTo(47.170736, within(1e-5));
    assertThat(ci.contains(44.72)).isTrue();
  }

  @Test
  void pendingCheckoutsCountOnlyInTheDenominator() {
    AbandonmentComponents window = fromOutcomes(2, 1, 1);

    assertThat(window.started()).isEqualTo(4);
    assertThat(window.pending()).isEqualTo(1);
    assertThat(window.abandonmentRate()).hasValue(25.0);
    assertThat(window.conversionRate()).hasValue(50.0);
  }

  @Test
  void mergeOfPartsEqualsTheWhole() {
    AbandonmentComponents a = AbandonmentComponents.of(1000, 560, 440);
    AbandonmentComponents b = AbandonmentComponents.of(590, 319, 271);

    AbandonmentComponents merged = a.copy().merge(b);

    assertThat(merged).isEqualTo(AbandonmentComponents.of(1590, 879, 711));
    assertThat(b.copy().merge(a)).isEqualTo(merged);
    assertThat(merged.abandonmentRate().getAsDouble()).isCloseTo(44.72, within(0.005));
    // Averaging the parts' rates (44.0 % and 45.93 %) would give 44.97 %, not 44.72 %.
    assertThat(
            (a.abandonmentRate().getAsDouble() + b.abandonmentRate().getAsDouble()) / 2
                - merged.abandonmentRate().getAsDouble())
        .isGreaterThan(0.2);
  }

  @Test
  void mergeLeavesTheOtherUnchangedAndCopyIsIndependent() {
    AbandonmentComponents a = AbandonmentComponents.of(3, 1, 1);
    AbandonmentComponents b = AbandonmentComponents.of(2, 0, 2);
    AbandonmentComponents copy = a.copy();

    a.merge(b);
    a.add(Outcome.ABANDONED);

    assertThat(a).isEqualTo(AbandonmentComponents.of(6, 1, 4));
    assertThat(b).isEqualTo(AbandonmentComponents.of(2, 0, 2));
    assertThat(copy).isEqualTo(AbandonmentComponents.of(3, 1, 1));
  }

  @Test
  void mergeWithEmptyIsIdentity() {
    AbandonmentComponents a = AbandonmentComponents.of(10, 6, 3);

    assertThat(a.copy().merge(new AbandonmentComponents())).isEqualTo(a);
    assertThat(new AbandonmentComponents().merge(a)).isEqualTo(a);
  }

  @Test
  void emptyComponentsHaveNoDerivedValues() {
    AbandonmentComponents empty = new AbandonmentComponents();

    assertThat(empty.isEmpty()).isTrue();
    assertThat(empty.abandonmentRate()).isEmpty();
    assertThat(empty.conversionRate()).isEmpty();
    assertThat(empty.abandonmentInterval95()).isEmpty();
  }

  @Test
  void intervalStaysInsideZeroToHundredAtTheExtremes() {
    ConfidenceInterval none =
        AbandonmentComponents.of(3, 3, 0).abandonmentInterval95().orElseThrow();
    ConfidenceInterval all =
        AbandonmentComponents.of(3, 0, 3).abandonmentInterval95().orElseThrow();

    assertThat(none.lower()).isEqualTo(0.0);
    assertThat(all.upper()).isEqualTo(100.0);
  }

  @Test
  void rejectsImpossibleRows() {
    assertThatThrownBy(() -> AbandonmentComponents.of(10, 6, 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("10/6/5");
    assertThatThrownBy(() -> AbandonmentComponents.of(-1, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AbandonmentComponents.of(5, -1, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AbandonmentComponents.of(5, 0, -1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AbandonmentComponents().add(null))
        .isInstanceOf(NullPointerException.class);
  }
}
