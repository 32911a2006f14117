package io.cxpulse.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HumanDurationTest {

  @Test
  void wholeMinutesAndHoursReadAsSuch() {
    assertThat(HumanDuration.format(Duration.ofSeconds(1200))).isEqualTo("20 min");
    assertThat(HumanDuration.format(Duration.ofSeconds(60))).isEqualTo("1 min");
    assertThat(HumanDuration.format(Duration.ofHours(1))).isEqualTo("1 h");
    assertThat(HumanDuration.format(Duration.ofDays(7))).isEqualTo("7 d");
  }

  @Test
  void twoUnitsAtMostTheLargestOnes() {
    assertThat(HumanDuration.format(Duration.ofSeconds(90))).isEqualTo("1 min 30 s");
    assertThat(HumanDuration.format(Duration.ofMinutes(90))).isEqualTo("1 h 30 min");
    assertThat(HumanDuration.format(Duration.ofMillis(151_234))).isEqualTo("2 min 31 s");
    assertThat(HumanDuration.format(Duration.ofHours(1).plusSeconds(30))).isEqualTo("1 h");
  }

  @Test
  void shortDurationsKeepTheirUnit() {
    assertThat(HumanDuration.format(Duration.ofSeconds(5))).isEqualTo("5 s");
    assertThat(HumanDuration.format(Duration.ofMillis(500))).isEqualTo("500 ms");
    assertThat(HumanDuration.format(Duration.ofMillis(1500))).isEqualTo("1 s 500 ms");
    assertThat(HumanDuration.format(Duration.ZERO)).isEqualTo("0 s");
    assertThat(HumanDuration.format(Duration.ofSeconds(-90))).isEqualTo("-1 min 30 s");
  }
}
