package io.cxpulse.jobs.checkout;

import io.cxpulse.events.CheckoutEvent;
import io.cxpulse.events.FunnelStep;
import io.cxpulse.jobs.pipeline.Dimensions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The checkout-abandonment rule as a pure function of the events seen for one checkout_id: no
 * Flink, so it is unit-testable and {@link CheckoutSessionFunction} only adds state and timers
 * around it.
 *
 * <p>Why a function of the whole event set rather than a state machine fed in arrival order: events
 * of one checkout arrive out of order (payment before shipping, an order after the abandonment
 * timer fired), and the final answer must not depend on the arrival order. Sorting by (event_time,
 * event_id) and re-deriving the session each time gives the same answer for every permutation of
 * the same events, so a replay or a different parallelism gives the same outcomes.
 *
 * <p>The rule, walking the events in event-time order from the earliest:
 *
 * <ul>
 *   <li>the session starts at the earliest event; channel and segment come from that event;
 *   <li>each next event belongs to the session if it is at most {@code inactivityTimeout} after the
 *       previous one (a gap of exactly the timeout still belongs: the abandonment timer at {@code
 *       previous + timeout} fires only once the watermark says nothing at or before that time is
 *       still coming);
 *   <li>the first {@code ORDER_PLACED} in the session completes it at the order's time;
 *   <li>otherwise it is abandoned at {@code last session event + inactivityTimeout}.
 * </ul>
 *
 * Events after the end of the session (after the order, or after a gap longer than the timeout) do
 * not change this session's outcome; they are counted in {@link #eventsAfterEnd()}. The last funnel
 * step is the highest step reached in the session, not the last to arrive; {@code UNKNOWN} (a step
 * newer than this reader) keeps the session alive but is never ranked above a known step. Cart
 * value and currency are those of the latest session event; payment failure reasons are the
 * distinct reasons in event-time order of their last occurrence, so the last one is last.
 */
public final class CheckoutSession {

  /** Event-time order, ties broken by event_id so the order never depends on arrival. */
  private static final Comparator<CheckoutEvent> EVENT_TIME_ORDER =
      Comparator.comparing(CheckoutEvent::getEventTime)
          .thenComparing(e -> e.getEventId().toString());

  private final Instant start;
  private final String channel;
  private final String segment;
  private final CheckoutStatus status;
  private final Instant decidedAt;
  private final FunnelStep lastStep;
  private final long cartValueMinor;
  private final String currency;
  private final List<String> paymentFailureReasons;
  private final int eventsAfterEnd;

  private CheckoutSession(
      Instant start,
      String channel,
      String segment,
      CheckoutStatus status,
      Instant decidedAt,
      FunnelStep lastStep,
      long cartValueMinor,
      String currency,
      List<String> paymentFailureReasons,
      int eventsAfterEnd) {
    this.start = start;
    this.channel = channel;
    this.segment = segment;
    this.status = status;
    this.decidedAt = decidedAt;
    this.lastStep = lastStep;
    this.cartValueMinor = cartValueMinor;
    this.currency = currency;
    this.paymentFailureReasons = paymentFailureReasons;
    this.eventsAfterEnd = eventsAfterEnd;
  }

  /**
   * The session the events of one checkout form, as if all of them had been seen.
   *
   * @param events the events of one checkout_id, in any order, at least one
   * @param inactivityTimeout how long after a step without another step the checkout is abandoned
   */
  public static CheckoutSession of(Iterable<CheckoutEvent> events, Duration inactivityTimeout) {
    if (inactivityTimeout.isNegative() || inactivityTimeout.isZero()) {
      throw new IllegalArgumentException(
          "inactivity timeout must be positive: " + inactivityTimeout);
    }
    List<CheckoutEvent> sorted = new ArrayList<>();
    events.forEach(sorted::add);
    if (sorted.isEmpty()) {
      throw new IllegalArgumentException("a checkout session needs at least one event");
    }
    sorted.sort(EVENT_TIME_ORDER);

    CheckoutEvent first = sorted.get(0);
    CheckoutEvent latest = first;
    FunnelStep highest = FunnelStep.UNKNOWN;
    Set<String> reasons = new LinkedHashSet<>();
    Instant orderPlacedAt = null;
    int included = 0;
    for (CheckoutEvent event : sorted) {
      if (Duration.between(latest.getEventTime(), event.getEventTime()).compareTo(inactivityTimeout)
          > 0) {
        break;
      }
      included++;
      latest = event;
      highest = higher(highest, event.getStep());
      if (event.getPaymentFailureReason() != null) {
        String reason = event.getPaymentFailureReason().toString();
        // Re-adding moves nothing in a LinkedHashSet: remove first so the last reason is last.
        reasons.remove(reason);
        reasons.add(reason);
      }
      if (event.getStep() == FunnelStep.ORDER_PLACED) {
        orderPlacedAt = event.getEventTime();
        break;
      }
    }
    CheckoutStatus status =
        orderPlacedAt != null ? CheckoutStatus.COMPLETED : CheckoutStatus.ABANDONED;
    Instant decidedAt =
        orderPlacedAt != null ? orderPlacedAt : latest.getEventTime().plus(inactivityTimeout);
    return new CheckoutSession(
        first.getEventTime(),
        Dimensions.channel(first.getChannel()),
        first.getSegment().toString(),
        status,
        decidedAt,
        highest,
        latest.getCartValueMinor(),
        latest.getCurrency().toString(),
        List.copyOf(reasons),
        sorted.size() - included);
  }

  /** The higher of two funnel steps; {@code UNKNOWN} ranks below every known step. */
  static FunnelStep higher(FunnelStep a, FunnelStep b) {
    if (a == FunnelStep.UNKNOWN) {
      return b;
    }
    if (b == FunnelStep.UNKNOWN) {
      return a;
    }
    return a.ordinal() >= b.ordinal() ? a : b;
  }

  /**
   * Whether the outcome is decided once event time (the watermark) has reached {@code now}: nothing
   * that could still arrive on time can change the status any more.
   */
  public boolean isDecidedAt(long nowMillis) {
    return decidedAt.toEpochMilli() <= nowMillis;
  }

  /** The outcome record of this session, with version 1 and sign +1. */
  public CheckoutOutcome toOutcome(String checkoutId) {
    CheckoutOutcome outcome = new CheckoutOutcome();
    outcome.setCheckoutId(checkoutId);
    outcome.setVersion(1);
    outcome.setSign(CheckoutOutcome.ADD);
    outcome.setStatus(status);
    outcome.setStart(start);
    outcome.setDecidedAt(decidedAt);
    outcome.setChannel(channel);
    outcome.setSegment(segment);
    outcome.setLastStep(lastStep);
    outcome.setCartValueMinor(cartValueMinor);
    outcome.setCurrency(currency);
    outcome.setPaymentFailureReasons(paymentFailureReasons.toArray(String[]::new));
    outcome.setLastPaymentFailureReason(
        paymentFailureReasons.isEmpty()
            ? null
            : paymentFailureReasons.get(paymentFailureReasons.size() - 1));
    outcome.setCompletionTimeMillis(
        status == CheckoutStatus.COMPLETED ? Duration.between(start, decidedAt).toMillis() : null);
    return outcome;
  }

  /**
   * The record saying this checkout started and is not decided yet, with version 0 (the decided
   * outcome that takes it back is version 1) and sign +1. It carries the attribution only (start,
   * channel, segment): later steps that change nothing but the cart or the step leave it as it is,
   * so an open checkout is not retracted and re-added on every step.
   */
  public CheckoutOutcome toPendingOutcome(String checkoutId) {
    CheckoutOutcome outcome = new CheckoutOutcome();
    outcome.setCheckoutId(checkoutId);
    outcome.setVersion(0);
    outcome.setSign(CheckoutOutcome.ADD);
    outcome.setStatus(CheckoutStatus.PENDING);
    outcome.setStart(start);
    outcome.setChannel(channel);
    outcome.setSegment(segment);
    outcome.setPaymentFailureReasons(new String[0]);
    return outcome;
  }

  /** The earliest event time of the session. */
  public Instant start() {
    return start;
  }

  public CheckoutStatus status() {
    return status;
  }

  /** The order time when completed, {@code last session event + timeout} when abandoned. */
  public Instant decidedAt() {
    return decidedAt;
  }

  /** The highest known funnel step reached, {@code UNKNOWN} if none is known. */
  public FunnelStep lastStep() {
    return lastStep;
  }

  public String channel() {
    return channel;
  }

  public String segment() {
    return segment;
  }

  public long cartValueMinor() {
    return cartValueMinor;
  }

  public String currency() {
    return currency;
  }

  /** Distinct payment failure reasons in event-time order of their last occurrence. */
  public List<String> paymentFailureReasons() {
    return paymentFailureReasons;
  }

  /** Events after the session ended (after its order, or after an inactivity gap). */
  public int eventsAfterEnd() {
    return eventsAfterEnd;
  }

  @Override
  public String toString() {
    return "CheckoutSession{"
        + status
        + " start="
        + start
        + " decidedAt="
        + decidedAt
        + " lastStep="
        + lastStep
        + " cart="
        + cartValueMinor
        + " "
        + currency
        + " reasons="
        + paymentFailureReasons
        + " eventsAfterEnd="
        + eventsAfterEnd
        + "}";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CheckoutSession other
        && start.equals(other.start)
        && channel.equals(other.channel)
        && segment.equals(other.segment)
        && status == other.status
        && decidedAt.equals(other.decidedAt)
        && lastStep == other.lastStep
        && cartValueMinor == other.cartValueMinor
        && currency.equals(other.currency)
        && paymentFailureReasons.equals(other.paymentFailureReasons)
        && eventsAfterEnd == other.eventsAfterEnd;
  }

  @Override
  public int hashCode() {
    return Objects.hash(start, channel, segment, status, decidedAt, lastStep, cartValueMinor);
  }
}
