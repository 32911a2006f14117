package io.cxpulse.jobs.checkout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cxpulse.events.CheckoutEvent;
import io.cxpulse.events.FunnelStep;
import io.cxpulse.jobs.TestEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckoutSessionTest {

  private static final Duration TIMEOUT = Duration.ofMinutes(30);
  private static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");

  private int eventCounter;

  @Test
  void everyArrivalOrderGivesTheSameSession() {
    List<CheckoutEvent> events =
        List.of(
            event(FunnelStep.CART, T0, null),
            event(FunnelStep.CHECKOUT_STARTED, T0.plusSeconds(60), null),
            event(FunnelStep.PAYMENT, T0.plusSeconds(120), "card_declined"),
            event(FunnelStep.SHIPPING, T0.plusSeconds(90), null),
            event(FunnelStep.PAYMENT, T0.plusSeconds(150), "insufficient_funds"));
    CheckoutSession expected = CheckoutSession.of(events, TIMEOUT);
    assertThat(expected.status()).isEqualTo(CheckoutStatus.ABANDONED);
    assertThat(expected.lastStep()).isEqualTo(FunnelStep.PAYMENT);
    assertThat(expected.decidedAt()).isEqualTo(T0.plusSeconds(150).plus(TIMEOUT));
    assertThat(expected.paymentFailureReasons())
        .containsExactly("card_declined", "insufficient_funds");
    for (List<CheckoutEvent> permutation : permutations(events)) {
      assertThat(CheckoutSession.of(permutation, TIMEOUT)).isEqualTo(expected);
    }
  }

  @Test
  void aGapOfExactlyTheTimeoutStillBelongsToTheSession() {
    CheckoutSession session =
        CheckoutSession.of(
            List.of(
                event(FunnelStep.CART, T0, null),
                event(FunnelStep.ORDER_PLACED, T0.plus(TIMEOUT), null)),
            TIMEOUT);
    assertThat(session.status()).isEqualTo(CheckoutStatus.COMPLETED);
    assertThat(session.toOutcome("c").getCompletionTimeMillis()).isEqualTo(TIMEOUT.toMillis());

    CheckoutSession late =
        CheckoutSession.of(
            List.of(
                event(FunnelStep.CART, T0, null),
                event(FunnelStep.ORDER_PLACED, T0.plus(TIMEOUT).plusMillis(1), null)),
            TIMEOUT);
    assertThat(late.status()).isEqualTo(CheckoutStatus.ABANDONED);
    assertThat(late.decidedAt()).isEqualTo(T0.plus(TIMEOUT));
    assertThat(late.lastStep()).isEqualTo(FunnelStep.CART);
    assertThat(late.eventsAfterEnd()).isOne();
  }

  @Test
  void eventsAfterTheOrderDoNotChangeTheOutcome() {
    CheckoutSession session =
        CheckoutSession.of(
            List.of(
                event(FunnelStep.CART, T0, null),
                event(FunnelStep.ORDER_PLACED, T0.plusSeconds(60), null),
                event(FunnelStep.PAYMENT, T0.plusSeconds(90), "card_declined")),
            TIMEOUT);
    assertThat(session.status()).isEqualTo(CheckoutStatus.COMPLETED);
    assertThat(session.decidedAt()).isEqualTo(T0.plusSeconds(60));
    assertThat(session.paymentFailureReasons()).isEmpty();
    assertThat(session.eventsAfterEnd()).isOne();
  }

  @Test
  void unknownStepKeepsTheSessionAliveButNeverRanksAboveAKnownStep() {
    CheckoutSession session =
        CheckoutSession.of(
            List.of(
                event(FunnelStep.SHIPPING, T0, null),
                event(FunnelStep.UNKNOWN, T0.plus(Duration.ofMinutes(20)), null)),
            TIMEOUT);
    assertThat(session.lastStep()).isEqualTo(FunnelStep.SHIPPING);
    assertThat(session.decidedAt()).isEqualTo(T0.plus(Duration.ofMinutes(50)));

    CheckoutSession unknownOnly =
        CheckoutSession.of(List.of(event(FunnelStep.UNKNOWN, T0, null)), TIMEOUT);
    assertThat(unknownOnly.lastStep()).isEqualTo(FunnelStep.UNKNOWN);
  }

  @Test
  void outcomeCarriesTheLastFailureReason() {
    CheckoutOutcome outcome =
        CheckoutSession.of(
                List.of(
                    event(FunnelStep.PAYMENT, T0, "card_declined"),
                    event(FunnelStep.PAYMENT, T0.plusSeconds(10), "fraud_suspected"),
                    event(FunnelStep.PAYMENT, T0.plusSeconds(20), "card_declined")),
                TIMEOUT)
            .toOutcome("chk-9");
    assertThat(outcome.getPaymentFailureReasons())
        .containsExactly("fraud_suspected", "card_declined");
    assertThat(outcome.getLastPaymentFailureReason()).isEqualTo("card_declined");
    assertThat(outcome.getCheckoutId()).isEqualTo("chk-9");
    assertThat(outcome.getVersion()).isOne();
    assertThat(outcome.getSign()).isEqualTo(CheckoutOutcome.ADD);
  }

  @Test
  void valueAtRiskIsTheLatestEventsCartValueNotTheHighest() {
    CheckoutSession session =
        CheckoutSession.of(
            List.of(
                withCartValue(event(FunnelStep.CART, T0, null), 9_000),
                withCartValue(event(FunnelStep.SHIPPING, T0.plusSeconds(60), null), 4_000)),
            TIMEOUT);
    assertThat(session.status()).isEqualTo(CheckoutStatus.ABANDONED);
    assertThat(session.toOutcome("c").getCartValueMinor()).isEqualTo(4_000);
  }

  @Test
  void theFailureReasonIsTheLastFailureEvenAfterASuccessfulPayment() {
    CheckoutOutcome outcome =
        CheckoutSession.of(
                List.of(
                    event(FunnelStep.PAYMENT, T0, "card_declined"),
                    event(FunnelStep.PAYMENT, T0.plusSeconds(30), null)),
                TIMEOUT)
            .toOutcome("c");
    assertThat(outcome.getStatus()).isEqualTo(CheckoutStatus.ABANDONED);
    assertThat(outcome.getLastPaymentFailureReason()).isEqualTo("card_declined");
  }

  @Test
  void rejectsNoEventsAndNonPositiveTimeouts() {
    assertThatThrownBy(() -> CheckoutSession.of(List.of(), TIMEOUT))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> CheckoutSession.of(List.of(event(FunnelStep.CART, T0, null)), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static CheckoutEvent withCartValue(CheckoutEvent event, long cartValueMinor) {
    return CheckoutEvent.newBuilder(event).setCartValueMinor(cartValueMinor).build();
  }

  private CheckoutEvent event(FunnelStep step, Instant time, String failureReason) {
    return TestEvents.checkout()
        .setEventId("evt-" + eventCounter++)
        .setStep(step)
        .setEventTime(time)
        .setPaymentFailureReason(failureReason)
        .build();
  }

  private static <T> List<List<T>> permutations(List<T> items) {
    if (items.isEmpty()) {
      return List.of(List.of());
    }
    List<List<T>> result = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      List<T> rest = new ArrayList<>(items);
      T head = rest.remove(i);
      for (List<T> tail : permutations(rest)) {
        List<T> permutation = new ArrayList<>();
        permutation.add(head);
        permutation.addAll(tail);
        result.add(permutation);
      }
    }
    return result;
  }
}
