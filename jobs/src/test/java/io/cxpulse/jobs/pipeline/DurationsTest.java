package io.cxpulse.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest
  @CsvSource({
    "PT1M, 60000",
    "pt5s, 5000",
    "PT0.5S, 500",
    "P1D, 86400000",
    "500ms, 500",
    "30s, 30000",
    "1m, 60000",
    "1h, 3600000",
    "2d, 172800000",
    "1h30m, 5400000",
    "' 10S ', 10000"
  })
  void parsesIsoAndShorthand(String text, long millis) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1", "m", "1x", "1 m", "PT", "one minute", "-5s"})
  void rejectsOtherText(String text) {
    assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void errorNamesTheAcceptedForms() {
    assertThatThrownBy(() -> Durations.parse("soon"))
        .hasMessageContaining("PT1M")
        .hasMessageContaining("30s");
  }
}
