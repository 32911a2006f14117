package io.cxpulse.jobs.validation;

import static io.cxpulse.jobs.TestEvents.NOW;
import static io.cxpulse.jobs.TestEvents.survey;
import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.SurveyType;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SurveyResponseValidatorTest {

  private final SurveyResponseValidator validator = new SurveyResponseValidator();
  private final long now = NOW.toEpochMilli();

  @Test
  void acceptsAValidResponse() {
    assertThat(validator.validate(survey().build(), now).isOk()).isTrue();
  }

  @ParameterizedTest
  @CsvSource({
    "CSAT, 1, true", "CSAT, 5, true", "CSAT, 0, false", "CSAT, 6, false",
    "NPS, 0, true", "NPS, 10, true", "NPS, -1, false", "NPS, 11, false",
    "CES, 1, true", "CES, 7, true", "CES, 0, false", "CES, 8, false"
  })
  void checksTheScoreAgainstItsSurveyTypesScale(SurveyType type, int score, boolean valid) {
    ValidationResult result =
        validator.validate(survey().setSurveyType(type).setScore(score).build(), now);

    assertThat(result.isOk()).isEqualTo(valid);
    if (!valid) {
      assertThat(result.reason()).isEqualTo(RejectReason.OUT_OF_RANGE);
      assertThat(result.detail()).contains("score " + score).contains(type.name());
    }
  }

  @Test
  void rejectsAnUnknownSurveyType() {
    ValidationResult result =
        validator.validate(survey().setSurveyType(SurveyType.UNKNOWN).build(), now);

    assertThat(result.reason()).isEqualTo(RejectReason.OUT_OF_RANGE);
    assertThat(result.detail()).contains("UNKNOWN");
  }

  @Test
  void rejectsBlankIdsAndSegment() {
    assertThat(validator.validate(survey().setEventId(" ").build(), now))
        .isEqualTo(ValidationResult.reject(RejectReason.MISSING_FIELD, "event_id is blank"));
    assertThat(validator.validate(survey().setSurveyId("").build(), now))
        .isEqualTo(ValidationResult.reject(RejectReason.MISSING_FIELD, "survey_id is blank"));
    assertThat(validator.validate(survey().setResponseId("\t").build(), now))
        .isEqualTo(ValidationResult.reject(RejectReason.MISSING_FIELD, "response_id is blank"));
    assertThat(validator.validate(survey().setSegment("").build(), now))
        .isEqualTo(ValidationResult.reject(RejectReason.MISSING_FIELD, "segment is blank"));
  }

  @Test
  void rejectsAMissingIdOfARecordBuiltWithoutTheBuilder() {
    var response = survey().build();
    response.setEventId(null);

    assertThat(validator.validate(response, now))
        .isEqualTo(ValidationResult.reject(RejectReason.MISSING_FIELD, "event_id is missing"));
  }

  @Test
  void optionalOrderAndTicketIdsMayBeAbsent() {
    assertThat(validator.validate(survey().setOrderId(null).setTicketId(null).build(), now).isOk())
        .isTrue();
  }

  @Test
  void eventTimeMayRunAheadByAtMostTheSkew() {
    var atBound = survey().setEventTime(NOW.plus(Duration.ofMinutes(5))).build();
    var pastBound = survey().setEventTime(NOW.plus(Duration.ofMinutes(5)).plusMillis(1)).build();

    assertThat(validator.validate(atBound, now).isOk()).isTrue();
    ValidationResult result = validator.validate(pastBound, now);
    assertThat(result.reason()).isEqualTo(RejectReason.FUTURE_EVENT_TIME);
    assertThat(result.detail()).contains("PT5M0.001S ahead").contains("allowed PT5M");
  }

  @Test
  void skewIsConfigurableAndTheReferenceTimeComesFromTheCaller() {
    var validator = new SurveyResponseValidator(Duration.ofMinutes(5));
    var event = survey().setEventTime(NOW.plus(Duration.ofMinutes(10))).build();

    assertThat(validator.maxFutureSkew()).isEqualTo(Duration.ofMinutes(5));
    assertThat(validator.validate(event, now).reason()).isEqualTo(RejectReason.FUTURE_EVENT_TIME);
    // The same event validated later is fine: the validator has no clock of its own.
    Clock later = Clock.fixed(NOW.plus(Duration.ofMinutes(6)), ZoneOffset.UTC);
    assertThat(validator.validate(event, later).isOk()).isTrue();
  }

  @Test
  void oldEventsAreNotTheValidatorsBusiness() {
    // Lateness is decided against the watermark by Flink state, not here.
    var event = survey().setEventTime(NOW.minus(Duration.ofDays(30))).build();

    assertThat(validator.validate(event, now).isOk()).isTrue();
  }
}
