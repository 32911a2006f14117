package io.cxpulse.jobs.generator;

import io.cxpulse.events.CheckoutEvent;
import java.util.List;
import java.util.Objects;

/**
 * One checkout made up by {@link CheckoutTrafficGenerator}: its events in event-time order (times
 * strictly increasing) and the {@link CheckoutTruth} recorded while they were made.
 *
 * @param events every event of the checkout, first to last, at least one
 * @param truth what the checkout was
 */
public record GeneratedCheckout(List<CheckoutEvent> events, CheckoutTruth truth) {

  public GeneratedCheckout {
    events = List.copyOf(events);
    Objects.requireNonNull(truth, "truth");
    if (events.isEmpty()) {
      throw new IllegalArgumentException("a checkout has at least one event");
    }
  }

  /** The checkout_id. */
  public String checkoutId() {
    return truth.checkoutId();
  }
}
