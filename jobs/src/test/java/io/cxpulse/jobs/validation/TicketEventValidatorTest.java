package io.cxpulse.jobs.validation;

import static io.cxpulse.jobs.TestEvents.NOW;
import static io.cxpulse.jobs.TestEvents.ticket;
import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.TicketActor;
import io.cxpulse.events.TicketEventType;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TicketEventValidatorTest {

  private final TicketEventValidator validator = new TicketEventValidator();
  private final long now = NOW.toEpochMilli();

  @Test
  void acceptsAValidEvent() {
    assertThat(validator.validate(ticket().build(), now).isOk()).isTrue();
  }

  @Test
  void rejectsBlankIdsAndSegment() {
    assertThat(validator.validate(ticket().setEventId("").build(), now))
        .isEqualTo(ValidationResult.reject(RejectReason.MISSING_FIELD, "event_id is blank"));
    assertThat(validator.validate(ticket().setTicketId(" ").build(), now))
        .isEqualTo(ValidationResult.reject(RejectReason.MISSING_FIELD, "ticket_id is blank"));
    assertThat(validator.validate(ticket().setSegment("").build(), now))
        .isEqualTo(ValidationResult.reject(RejectReason.MISSING_FIELD, "segment is blank"));
  }

  @ParameterizedTest
  @CsvSource({
    "AGENT_REPLY, AGENT, true",
    "AGENT_REPLY, BOT, false",
    "AGENT_REPLY, CUSTOMER, false",
    "AGENT_REPLY, UNKNOWN, true",
    "BOT_REPLY, BOT, true",
    "BOT_REPLY, AGENT, false",
    "CUSTOMER_REPLY, CUSTOMER, true",
    "CUSTOMER_REPLY, AGENT, false",
    "OPENED, CUSTOMER, true",
    "OPENED, AGENT, true",
    "RESOLVED, BOT, true",
    "REOPENED, CUSTOMER, true",
    "UNKNOWN, BOT, true"
  })
  void aReplysActorMustMatchItsType(TicketEventType type, TicketActor actor, boolean valid) {
    ValidationResult result =
        validator.validate(ticket().setEventType(type).setActor(actor).build(), now);

    assertThat(result.isOk()).isEqualTo(valid);
    if (!valid) {
      assertThat(result.reason()).isEqualTo(RejectReason.OUT_OF_RANGE);
    }
  }

  @Test
  void rejectsAnEventTimeTooFarAhead() {
    var event = ticket().setEventTime(NOW.plus(Duration.ofMinutes(61))).build();

    assertThat(validator.validate(event, now).reason()).isEqualTo(RejectReason.FUTURE_EVENT_TIME);
  }
}
