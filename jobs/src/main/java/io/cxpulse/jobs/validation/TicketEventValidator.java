package io.cxpulse.jobs.validation;

import io.cxpulse.events.TicketActor;
import io.cxpulse.events.TicketEvent;
import io.cxpulse.events.TicketEventType;
import java.time.Duration;

/**
 * Validates {@link TicketEvent}s before they enter ticket lifecycles.
 *
 * <p>Rules: event_id, ticket_id and segment are not blank (nor the rollup marker {@code all}); a
 * reply's actor agrees with its type (an {@code AGENT_REPLY} by an agent, a {@code BOT_REPLY} by a
 * bot, a {@code CUSTOMER_REPLY} by the customer); every string field and event_time are within the
 * {@link EventGate} bounds.
 *
 * <p>The actor check exists because first response time counts agent replies only: an "agent reply"
 * sent by a bot would silently shorten it. An actor that reads as {@code UNKNOWN} (newer than this
 * reader) is not a contradiction and passes.
 */
public final class TicketEventValidator implements EventValidator<TicketEvent> {

  private static final long serialVersionUID = 1L;

  private final Checks checks;

  /** A validator with the default bounds, {@link EventGate#DEFAULT}. */
  public TicketEventValidator() {
    this(EventGate.DEFAULT);
  }

  /** A validator with the default bounds but allowing event_time {@code maxFutureSkew} ahead. */
  public TicketEventValidator(Duration maxFutureSkew) {
    this(EventGate.DEFAULT.withMaxFutureSkew(maxFutureSkew));
  }

  /** A validator with the bounds of {@code gate}. */
  public TicketEventValidator(EventGate gate) {
    this.checks = new Checks(gate);
  }

  /** The bounds this validator applies. */
  public EventGate gate() {
    return checks.gate();
  }

  /** How far event_time may run ahead of the reference time. */
  public Duration maxFutureSkew() {
    return checks.gate().maxFutureSkew();
  }

  @Override
  public ValidationResult validate(TicketEvent event, long referenceTimeMillis) {
    ValidationResult failure = Checks.requireText("event_id", event.getEventId());
    if (failure == null) {
      failure = Checks.requireText("ticket_id", event.getTicketId());
    }
    if (failure == null) {
      failure = Checks.requireSegment(event.getSegment());
    }
    if (failure == null) {
      failure = Checks.requirePresent("event_time", event.getEventTime());
    }
    if (failure == null) {
      failure = Checks.requirePresent("channel", event.getChannel());
    }
    if (failure == null) {
      failure = Checks.requirePresent("event_type", event.getEventType());
    }
    if (failure == null) {
      failure = Checks.requirePresent("priority", event.getPriority());
    }
    if (failure == null) {
      failure = Checks.requirePresent("actor", event.getActor());
    }
    if (failure == null) {
      failure = checks.checkText(event);
    }
    if (failure != null) {
      return failure;
    }
    TicketActor expected = replyActor(event.getEventType());
    TicketActor actor = event.getActor();
    if (expected != null && actor != TicketActor.UNKNOWN && actor != expected) {
      return ValidationResult.reject(
          RejectReason.OUT_OF_RANGE,
          "event_type " + event.getEventType() + " has actor " + actor + ", expected " + expected);
    }
    failure = checks.checkEventTime(event.getEventTime(), referenceTimeMillis);
    return failure != null ? failure : ValidationResult.ok();
  }

  /** The only actor that can send a reply of {@code type}, or null for non-reply events. */
  private static TicketActor replyActor(TicketEventType type) {
    return switch (type) {
      case AGENT_REPLY -> TicketActor.AGENT;
      case BOT_REPLY -> TicketActor.BOT;
      case CUSTOMER_REPLY -> TicketActor.CUSTOMER;
      case OPENED, RESOLVED, REOPENED, UNKNOWN -> null;
    };
  }
}
