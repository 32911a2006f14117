package io.cxpulse.jobs.generator;

import io.cxpulse.events.FunnelStep;
import io.cxpulse.jobs.checkout.CheckoutStatus;
import java.time.Instant;
import java.util.Objects;

/**
 * What a generated checkout really was, recorded by {@link CheckoutTrafficGenerator} while it made
 * the funnel up, not derived from the events afterwards: the independent expectation the end-to-end
 * tests hold the pipeline's results against.
 *
 * <p>Every field is what the DESIGN's definitions say the pipeline must find when it sees all of
 * the checkout's events: the status (an order was placed, or the customer stopped), the window it
 * belongs to ({@link #start()}, its first event), its channel and segment, the highest funnel step
 * reached, the cart value and currency at its last event, the reason of its last failed payment
 * attempt, and the time from its first event to the order.
 *
 * @param checkoutId the checkout_id of all its events
 * @param channel channel as stored (lower case, e.g. {@code mobile_app})
 * @param segment customer segment
 * @param start event time of the first event
 * @param lastEventTime event time of the last event (the order for a completed checkout)
 * @param status completed (an order was placed) or abandoned
 * @param lastStep highest funnel step reached ({@code ORDER_PLACED} when completed)
 * @param cartValueMinor cart value of the last event, in minor units of {@link #currency()}
 * @param currency ISO 4217 code
 * @param lastPaymentFailureReason reason of the last failed payment attempt, null if none failed
 * @param completionTimeMillis order time − start when completed, null when abandoned
 * @param events number of events generated for it
 */
public record CheckoutTruth(
    String checkoutId,
    String channel,
    String segment,
    Instant start,
    Instant lastEventTime,
    CheckoutStatus status,
    FunnelStep lastStep,
    long cartValueMinor,
    String currency,
    String lastPaymentFailureReason,
    Long completionTimeMillis,
    int events) {

  public CheckoutTruth {
    Objects.requireNonNull(checkoutId, "checkoutId");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(segment, "segment");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(lastEventTime, "lastEventTime");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(lastStep, "lastStep");
    Objects.requireNonNull(currency, "currency");
    if ((status == CheckoutStatus.COMPLETED) != (completionTimeMillis != null)) {
      throw new IllegalArgumentException("a completion time exactly when completed: " + status);
    }
  }

  /** Whether an order was placed. */
  public boolean completed() {
    return status == CheckoutStatus.COMPLETED;
  }
}
