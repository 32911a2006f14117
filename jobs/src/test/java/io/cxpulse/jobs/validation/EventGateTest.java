package io.cxpulse.jobs.validation;

import static io.cxpulse.jobs.TestEvents.NOW;
import static io.cxpulse.jobs.TestEvents.checkout;
import static io.cxpulse.jobs.TestEvents.survey;
import static io.cxpulse.jobs.TestEvents.ticket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The plausibility bounds of {@link EventGate}, as every validator applies them. */
class EventGateTest {

  private final SurveyResponseValidator surveys = new SurveyResponseValidator();
  private final long now = NOW.toEpochMilli();

  @ParameterizedTest
  @ValueSource(
      strings = {
        "-292275055-05-16T16:47:04.192Z", // Long.MIN_VALUE ms
        "1600-01-01T00:00:00Z",
        "1969-12-31T23:59:59Z",
        "1970-01-01T00:00:00Z",
        "1999-12-31T23:59:59.999Z"
      })
  void anEventTimeBeforeTheEarliestIsImplausible(String eventTime) {
    ValidationResult result =
        surveys.validate(survey().setEventTime(Instant.parse(eventTime)).build(), now);

    assertThat(result.reason()).isEqualTo(RejectReason.IMPLAUSIBLE_EVENT_TIME);
    assertThat(result.detail()).contains("before the earliest accepted 2000-01-01T00:00:00Z");
  }

  @Test
  void theEarliestInstantItselfPasses() {
    assertThat(
            surveys
                .validate(survey().setEventTime(Instant.parse("2000-01-01T00:00:00Z")).build(), now)
                .isOk())
        .isTrue();
  }

  @Test
  void farFutureEventTimesAreFutureWhateverTheirSize() {
    for (Instant eventTime :
        new Instant[] {
          Instant.parse("9999-12-31T23:59:59Z"), Instant.ofEpochMilli(Long.MAX_VALUE)
        }) {
      ValidationResult result = surveys.validate(survey().setEventTime(eventTime).build(), now);
      assertThat(result.reason()).isEqualTo(RejectReason.FUTURE_EVENT_TIME);
    }
  }

  @Test
  void theCommonUnitBugsAreNamed() {
    ValidationResult micros =
        surveys.validate(survey().setEventTime(Instant.ofEpochMilli(now * 1000)).build(), now);
    ValidationResult seconds =
        surveys.validate(survey().setEventTime(Instant.ofEpochMilli(now / 1000)).build(), now);

    assertThat(micros.reason()).isEqualTo(RejectReason.FUTURE_EVENT_TIME);
    assertThat(micros.detail()).contains("in microseconds instead of milliseconds?");
    assertThat(seconds.reason()).isEqualTo(RejectReason.IMPLAUSIBLE_EVENT_TIME);
    assertThat(seconds.detail()).contains("in seconds instead of milliseconds?");
  }

  @Test
  void extremeReferenceTimesNeverOverflow() {
    for (long reference : new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE}) {
      for (Instant eventTime :
          new Instant[] {
            Instant.ofEpochMilli(Long.MIN_VALUE), NOW, Instant.ofEpochMilli(Long.MAX_VALUE)
          }) {
        ValidationResult result =
            surveys.validate(survey().setEventTime(eventTime).build(), reference);
        // Never an exception. Only a reference at the very end of time lets a far-future event
        // pass; the job's reference is never later than its own clock.
        if (eventTime.toEpochMilli() == Long.MIN_VALUE
            || (!eventTime.equals(NOW) && reference != Long.MAX_VALUE)) {
          assertThat(result.isOk()).as("%s against %d", eventTime, reference).isFalse();
        }
      }
    }
    assertThat(
            new SurveyResponseValidator(Duration.ofSeconds(Long.MAX_VALUE))
                .validate(survey().build(), Long.MAX_VALUE)
                .isOk())
        .isTrue();
  }

  @Test
  void aStringLongerThanTheBoundIsOversize() {
    String mebibyte = "x".repeat(1 << 20);
    ValidationResult result = surveys.validate(survey().setEventId(mebibyte).build(), now);

    assertThat(result)
        .isEqualTo(
            ValidationResult.reject(
                RejectReason.OVERSIZE, "event_id is 1048576 bytes, more than the allowed 256"));
  }

  @Test
  void aSegmentNamedLikeTheRollupMarkerIsRejectedInEveryStream() {
    ValidationResult reserved =
        ValidationResult.reject(
            RejectReason.OUT_OF_RANGE,
            "segment 'all' is reserved: the views use it for the rollup of every segment");
    assertThat(surveys.validate(survey().setSegment(Rollup.ALL).build(), now)).isEqualTo(reserved);
    assertThat(new CheckoutEventValidator().validate(checkout().setSegment("all").build(), now))
        .isEqualTo(reserved);
    assertThat(new TicketEventValidator().validate(ticket().setSegment("all").build(), now))
        .isEqualTo(reserved);
    // Only the marker itself: segments are case-sensitive text, and the views group them so.
    assertThat(surveys.validate(survey().setSegment("All").build(), now).isOk()).isTrue();
    assertThat(surveys.validate(survey().setSegment("all customers").build(), now).isOk()).isTrue();
  }

  @Test
  void theBoundIsInUtf8BytesNotChars() {
    // 85 euro signs are 255 bytes, 86 are 258; 64 emoji (surrogate pairs) are 256 bytes.
    assertThat(surveys.validate(survey().setSegment("€".repeat(85)).build(), now).isOk()).isTrue();
    assertThat(surveys.validate(survey().setSegment("€".repeat(86)).build(), now).reason())
        .isEqualTo(RejectReason.OVERSIZE);
    assertThat(surveys.validate(survey().setSegment("😀".repeat(64)).build(), now).isOk()).isTrue();
    assertThat(surveys.validate(survey().setSegment("😀".repeat(65)).build(), now).reason())
        .isEqualTo(RejectReason.OVERSIZE);
    assertThat(surveys.validate(survey().setSegment("s".repeat(256)).build(), now).isOk()).isTrue();
  }

  @Test
  void optionalStringsAreBoundedToo() {
    assertThat(surveys.validate(survey().setOrderId("o".repeat(300)).build(), now).detail())
        .startsWith("order_id is 300 bytes");
    assertThat(
            new CheckoutEventValidator()
                .validate(checkout().setPaymentFailureReason("r".repeat(257)).build(), now)
                .reason())
        .isEqualTo(RejectReason.OVERSIZE);
  }

  @Test
  void theBoundIsConfigurable() {
    SurveyResponseValidator strict =
        new SurveyResponseValidator(EventGate.DEFAULT.withMaxStringBytes(20));

    assertThat(strict.validate(survey().setSegment("s".repeat(20)).build(), now).isOk()).isTrue();
    assertThat(strict.validate(survey().setSegment("s".repeat(21)).build(), now).reason())
        .isEqualTo(RejectReason.OVERSIZE);
  }

  @Test
  void invalidTextIsRejectedWithWhereItIs() {
    assertThat(surveys.validate(survey().setSegment("vi\uFFFDp").build(), now))
        .isEqualTo(
            ValidationResult.reject(
                RejectReason.INVALID_TEXT,
                "segment has invalid UTF-8 (decoded as U+FFFD) at character 2"));
    assertThat(surveys.validate(survey().setEventId("a\u0000b").build(), now).detail())
        .isEqualTo("event_id has control character U+0000 at character 1");
    assertThat(surveys.validate(survey().setResponseId("r\n").build(), now).reason())
        .isEqualTo(RejectReason.INVALID_TEXT);
    assertThat(surveys.validate(survey().setSurveyId("s\uD800").build(), now).detail())
        .isEqualTo("survey_id has an unpaired surrogate at character 1");
    assertThat(new TicketEventValidator().validate(ticket().setTicketId("\uDC00").build(), now))
        .isEqualTo(
            ValidationResult.reject(
                RejectReason.INVALID_TEXT, "ticket_id has an unpaired surrogate at character 0"));
  }

  @Test
  void nonLatinTextPasses() {
    assertThat(surveys.validate(survey().setSegment("顧客-ünïcödé-😀").build(), now).isOk()).isTrue();
  }

  @Test
  void cartValuesAreBoundedSoSumsCannotOverflow() {
    CheckoutEventValidator checkouts = new CheckoutEventValidator();

    assertThat(
            checkouts
                .validate(
                    checkout()
                        .setCartValueMinor(CheckoutEventValidator.MAX_CART_VALUE_MINOR)
                        .build(),
                    now)
                .isOk())
        .isTrue();
    assertThat(checkouts.validate(checkout().setCartValueMinor(Long.MAX_VALUE).build(), now))
        .isEqualTo(
            ValidationResult.reject(
                RejectReason.OUT_OF_RANGE,
                "cart_value_minor 9223372036854775807 is more than the largest accepted"
                    + " 1000000000000"));
  }

  @Test
  void boundsThatCannotWorkAreRefused() {
    assertThatThrownBy(
            () -> EventGate.DEFAULT.withEarliestEventTime(Instant.parse("1969-12-31T00:00:00Z")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DateTime");
    assertThatThrownBy(() -> EventGate.DEFAULT.withMaxStringBytes(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EventGate.DEFAULT.withMaxFutureSkew(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
