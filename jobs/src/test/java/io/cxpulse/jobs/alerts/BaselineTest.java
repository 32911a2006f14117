package io.cxpulse.jobs.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.jobs.alerts.Baseline.Period;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BaselineTest {

  private static Instant at(String text) {
    return Instant.parse(text);
  }

  @Test
  void trailingSevenDaysIsTheWeekBeforeTheWindowsHour() {
    assertThat(Baseline.TRAILING_7D.periods(at("2025-03-10T14:50:00Z")))
        .containsExactly(new Period(at("2025-03-03T14:00:00Z"), at("2025-03-10T14:00:00Z")));
  }

  @Test
  void trailingSameHourIsThatClockHourOnEachOfSevenDays() {
    assertThat(Baseline.TRAILING_SAME_HOUR.periods(at("2025-03-10T14:50:00Z")))
        .containsExactly(
            new Period(at("2025-03-03T14:00:00Z"), at("2025-03-03T15:00:00Z")),
            new Period(at("2025-03-04T14:00:00Z"), at("2025-03-04T15:00:00Z")),
            new Period(at("2025-03-05T14:00:00Z"), at("2025-03-05T15:00:00Z")),
            new Period(at("2025-03-06T14:00:00Z"), at("2025-03-06T15:00:00Z")),
            new Period(at("2025-03-07T14:00:00Z"), at("2025-03-07T15:00:00Z")),
            new Period(at("2025-03-08T14:00:00Z"), at("2025-03-08T15:00:00Z")),
            new Period(at("2025-03-09T14:00:00Z"), at("2025-03-09T15:00:00Z")));
  }

  @Test
  void noBaselineOverlapsItsWindow() {
    // A 15-minute window starting at 14:50 runs to 15:05; every baseline period ends by 14:00 of
    // the same day, so an incident in the window cannot pull its own baseline.
    Instant start = at("2025-03-10T14:50:00Z");
    for (Baseline baseline : Baseline.values()) {
      assertThat(baseline.periods(start))
          .allSatisfy(period -> assertThat(period.end()).isBeforeOrEqualTo(start));
    }
  }

  @Test
  void keysAreThoseOfTheRulesFile() {
    assertThat(Baseline.fromKey("Trailing_7d")).hasValue(Baseline.TRAILING_7D);
    assertThat(Baseline.fromKey("trailing_same_hour")).hasValue(Baseline.TRAILING_SAME_HOUR);
    assertThat(Baseline.fromKey("yesterday")).isEmpty();
  }
}
