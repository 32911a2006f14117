package io.cxpulse.jobs.validation;

import io.cxpulse.events.CheckoutEvent;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Validates {@link CheckoutEvent}s before they enter checkout sessions.
 *
 * <p>Rules: event_id, checkout_id and segment are not blank (nor the rollup marker {@code all});
 * currency is an ISO 4217 code; the cart value is between 0 and {@link #MAX_CART_VALUE_MINOR};
 * every string field and event_time are within the {@link EventGate} bounds. A step that reads as
 * {@code UNKNOWN} (a step newer than this reader) passes: it is still activity on a known checkout
 * and keeps the session alive.
 */
public final class CheckoutEventValidator implements EventValidator<CheckoutEvent> {

  private static final long serialVersionUID = 1L;

  // Shape only, not membership: the JDK's currency list lags new ISO 4217 codes, and a real
  // checkout must not be dead-lettered because the JVM is older than the currency.
  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

  /**
   * The largest cart value accepted, in minor units: 10^12, ten billion in a two-decimal currency
   * and still hundreds of millions of dollars in the zero-decimal ones; no real cart comes near.
   * The bound is what keeps the windows' value sums exact: they add and retract values in a {@code
   * long} (a retraction must cancel its outcome exactly, so they cannot saturate), and at this
   * bound a sum overflows only past 9.2 million such carts in one window and currency.
   */
  public static final long MAX_CART_VALUE_MINOR = 1_000_000_000_000L;

  private final Checks checks;

  /** A validator with the default bounds, {@link EventGate#DEFAULT}. */
  public CheckoutEventValidator() {
    this(EventGate.DEFAULT);
  }

  /** A validator with the default bounds but allowing event_time {@code maxFutureSkew} ahead. */
  public CheckoutEventValidator(Duration maxFutureSkew) {
    this(EventGate.DEFAULT.withMaxFutureSkew(maxFutureSkew));
  }

  /** A validator with the bounds of {@code gate}. */
  public CheckoutEventValidator(EventGate gate) {
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
  public ValidationResult validate(CheckoutEvent event, long referenceTimeMillis) {
    ValidationResult failure = Checks.requireText("event_id", event.getEventId());
    if (failure == null) {
      failure = Checks.requireText("checkout_id", event.getCheckoutId());
    }
    if (failure == null) {
      failure = Checks.requireSegment(event.getSegment());
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
    if (failure == null) {
      failure = checks.checkText(event);
    }
    if (failure != null) {
      return failure;
    }
    if (event.getCartValueMinor() < 0) {
      return ValidationResult.reject(
          RejectReason.OUT_OF_RANGE,
          "cart_value_minor " + event.getCartValueMinor() + " is negative");
    }
    if (event.getCartValueMinor() > MAX_CART_VALUE_MINOR) {
      return ValidationResult.reject(
          RejectReason.OUT_OF_RANGE,
          "cart_value_minor "
              + event.getCartValueMinor()
              + " is more than the largest accepted "
              + MAX_CART_VALUE_MINOR);
    }
    if (!CURRENCY.matcher(event.getCurrency()).matches()) {
      return ValidationResult.reject(
          RejectReason.OUT_OF_RANGE,
          "currency '" + event.getCurrency() + "' is not an ISO 4217 code (three capitals)");
    }
    failure = checks.checkEventTime(event.getEventTime(), referenceTimeMillis);
    return failure != null ? failure : ValidationResult.ok();
  }
}
