package io.cxpulse.jobs.validation;

import io.cxpulse.events.CheckoutEvent;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Validates {@link CheckoutEvent}s before they enter checkout sessions.
 *
 * <p>Rules: event_id, checkout_id and segment are not blank; currency is an ISO 4217 code; the cart
 * value is not negative; event_time is not further ahead of the reference time than the allowed
 * skew. A step that reads as {@code UNKNOWN} (a step newer than this reader) passes: it is still
 * activity on a known checkout and keeps the session alive.
 */
public final class CheckoutEventValidator implements EventValidator<CheckoutEvent> {

  private static final long serialVersionUID = 1L;

  // Shape only, not membership: the JDK's currency list lags new ISO 4217 codes, and a real
  // checkout must not be dead-lettered because the JVM is older than the currency.
  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

  private final Checks checks;

  /** A validator allowing event_time up to one hour ahead of the reference time. */
  public CheckoutEventValidator() {
    this(Checks.DEFAULT_MAX_FUTURE_SKEW);
  }

  /** A validator allowing event_time up to {@code maxFutureSkew} ahead of the reference time. */
  public CheckoutEventValidator(Duration maxFutureSkew) {
    this.checks = new Checks(maxFutureSkew);
  }

  /** How far event_time may run ahead of the reference time. */
  public Duration maxFutureSkew() {
    return checks.maxFutureSkew();
  }

  @Override
  public ValidationResult validate(CheckoutEvent event, long referenceTimeMillis) {
    ValidationResult failure = Checks.requireText("event_id", event.getEventId());
    if (failure == null) {
      failure = Checks.requireText("checkout_id", event.getCheckoutId());
    }
    if (failure == null) {
      failure = Checks.requireText("segment", event.getSegment());
    }
    if (failure == null) {
      failure = Checks.requireText("currency", event.getCurrency());
    }
    if (failure == null) {
      failure = Checks.requirePresent("event_time", event.getEventTime());
    }
    if (failure == null) {
      failure = Checks.requirePresent("channel", event.getChannel());
    }
    if (failure == null) {
      failure = Checks.requirePresent("step", event.getStep());
    }
    if (failure != null) {
      return failure;
    }
    if (event.getCartValueMinor() < 0) {
      return ValidationResult.reject(
          RejectReason.OUT_OF_RANGE,
          "cart_value_minor " + event.getCartValueMinor() + " is negative");
    }
    if (!CURRENCY.matcher(event.getCurrency()).matches()) {
      return ValidationResult.reject(
          RejectReason.OUT_OF_RANGE,
          "currency '" + event.getCurrency() + "' is not an ISO 4217 code (three capitals)");
    }
    failure = checks.checkNotInFuture(event.getEventTime(), referenceTimeMillis);
    return failure != null ? failure : ValidationResult.ok();
  }
}
