package io.cxpulse.jobs.checkout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.cxpulse.events.Channel;
import io.cxpulse.events.CheckoutEvent;
import io.cxpulse.events.FunnelStep;
import io.cxpulse.jobs.TestEvents;
import io.cxpulse.jobs.pipeline.DecodedEvent;
import io.cxpulse.jobs.pipeline.HarnessMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CheckoutSessionFunctionTest {

  private static final Duration TIMEOUT = Duration.ofMinutes(30);
  private static final Duration ALLOWED_LATENESS = Duration.ofHours(1);
  private static final Duration MAX_CHECKOUT_DURATION = Duration.ofHours(6);
  private static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");
  private static final String CHECKOUT = "chk-1";

  private KeyedOneInputStreamOperatorTestHarness<
          String, DecodedEvent<CheckoutEvent>, CheckoutOutcome>
      harness;
  private final HarnessMetrics metrics = new HarnessMetrics();
  private int eventCounter;

  @BeforeEach
  void setUp() throws Exception {
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new CheckoutSessionFunction(TIMEOUT, ALLOWED_LATENESS, MAX_CHECKOUT_DURATION)),
            decoded -> decoded.getEvent().getCheckoutId(),
            Types.STRING,
            metrics.environment());
    harness.open();
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  @Test
  void abandonmentTimerFiresAtExactlyLastEventPlusTimeout() throws Exception {
    process(step(FunnelStep.CART, T0));
    harness.processWatermark(T0.plus(Duration.ofMinutes(20)).toEpochMilli());
    // A later step moves the deadline: the timer at T0 + 30 min must be gone.
    process(step(FunnelStep.SHIPPING, T0.plus(Duration.ofMinutes(25))));
    assertThat(harness.numEventTimeTimers()).isOne();

    long deadline = T0.plus(Duration.ofMinutes(25)).plus(TIMEOUT).toEpochMilli();
    harness.processWatermark(T0.plus(TIMEOUT).toEpochMilli());
    harness.processWatermark(deadline - 1);
    assertThat(outcomes()).isEmpty();

    harness.processWatermark(deadline);
    assertThat(outcomes())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getStatus()).isEqualTo(CheckoutStatus.ABANDONED);
              assertThat(o.getSign()).isEqualTo(CheckoutOutcome.ADD);
              assertThat(o.getVersion()).isOne();
              assertThat(o.getStart()).isEqualTo(T0);
              assertThat(o.getDecidedAt()).isEqualTo(Instant.ofEpochMilli(deadline));
              assertThat(o.getLastStep()).isEqualTo(FunnelStep.SHIPPING);
              assertThat(o.getCompletionTimeMillis()).isNull();
            });
  }

  @Test
  void completedCheckoutEmitsCompletedAndNeverAbandoned() throws Exception {
    process(step(FunnelStep.CART, T0));
    process(step(FunnelStep.PAYMENT, T0.plus(Duration.ofMinutes(3))));
    Instant orderTime = T0.plus(Duration.ofMinutes(4)).plusMillis(250);
    process(step(FunnelStep.ORDER_PLACED, orderTime));

    // Decided once the watermark reaches the order, not on its arrival.
    harness.processWatermark(orderTime.toEpochMilli() - 1);
    assertThat(outcomes()).isEmpty();
    harness.processWatermark(orderTime.toEpochMilli());
    harness.processWatermark(T0.plus(Duration.ofHours(5)).toEpochMilli());

    assertThat(outcomes())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getStatus()).isEqualTo(CheckoutStatus.COMPLETED);
              assertThat(o.getCompletionTimeMillis())
                  .isEqualTo(Duration.ofMinutes(4).plusMillis(250).toMillis());
              assertThat(o.getLastStep()).isEqualTo(FunnelStep.ORDER_PLACED);
              assertThat(o.getDecidedAt()).isEqualTo(orderTime);
            });
  }

  @Test
  void lateOrderAfterAbandonmentRetractsAndCorrects() throws Exception {
    process(step(FunnelStep.CART, T0));
    process(
        step(FunnelStep.PAYMENT, T0.plus(Duration.ofMinutes(2)))
            .setPaymentFailureReason("card_declined")
            .build());
    harness.processWatermark(T0.plus(Duration.ofMinutes(32)).toEpochMilli());
    assertThat(outcomes())
        .singleElement()
        .extracting(CheckoutOutcome::getStatus)
        .isEqualTo(CheckoutStatus.ABANDONED);

    // The order happened 18 min after the payment step (within the timeout) but arrives late.
    process(step(FunnelStep.ORDER_PLACED, T0.plus(Duration.ofMinutes(20))));

    List<CheckoutOutcome> outcomes = outcomes();
    assertThat(outcomes).hasSize(3);
    CheckoutOutcome abandoned = outcomes.get(0);
    assertThat(outcomes.get(1)).isEqualTo(abandoned.retraction());
    assertThat(outcomes.get(1).getVersion()).isOne();
    CheckoutOutcome completed = outcomes.get(2);
    assertThat(completed.getSign()).isEqualTo(CheckoutOutcome.ADD);
    assertThat(completed.getVersion()).isEqualTo(2);
    assertThat(completed.getStatus()).isEqualTo(CheckoutStatus.COMPLETED);
    assertThat(completed.getCompletionTimeMillis()).isEqualTo(Duration.ofMinutes(20).toMillis());
    assertThat(completed.getLastPaymentFailureReason()).isEqualTo("card_declined");
    // Summed with signs, as the window aggregation does: one completed, none abandoned.
    assertThat(signedCount(outcomes, CheckoutStatus.COMPLETED)).isOne();
    assertThat(signedCount(outcomes, CheckoutStatus.ABANDONED)).isZero();

    // Nothing more happens until cleanup.
    harness.processWatermark(T0.plus(Duration.ofHours(3)).toEpochMilli());
    assertThat(outcomes()).hasSize(3);
    assertThat(harness.numKeyedStateEntries()).isZero();
  }

  @Test
  void orderAfterTheInactivityGapDoesNotCorrect() throws Exception {
    process(step(FunnelStep.PAYMENT, T0));
    harness.processWatermark(T0.plus(TIMEOUT).toEpochMilli());
    // One millisecond past the timeout after the last step: the checkout was abandoned.
    process(step(FunnelStep.ORDER_PLACED, T0.plus(TIMEOUT).plusMillis(1)));
    harness.processWatermark(T0.plus(Duration.ofMinutes(45)).toEpochMilli());

    assertThat(outcomes())
        .singleElement()
        .extracting(CheckoutOutcome::getStatus)
        .isEqualTo(CheckoutStatus.ABANDONED);
  }

  @Test
  void aStepAndAnOrderAfterTheInactivityGapCountNowhereButInACounter() throws Exception {
    process(step(FunnelStep.CART, T0));
    harness.processWatermark(T0.plus(TIMEOUT).toEpochMilli());
    process(step(FunnelStep.PAYMENT, T0.plus(Duration.ofMinutes(40))));
    process(step(FunnelStep.ORDER_PLACED, T0.plus(Duration.ofMinutes(41))));
    harness.processWatermark(T0.plus(TIMEOUT).plus(ALLOWED_LATENESS).toEpochMilli());

    assertThat(outcomes())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getStatus()).isEqualTo(CheckoutStatus.ABANDONED);
              assertThat(o.getLastStep()).isEqualTo(FunnelStep.CART);
            });
    assertThat(metrics.count(CheckoutSessionFunction.EVENTS_AFTER_END)).isEqualTo(2);
    assertThat(harness.numKeyedStateEntries()).as("state cleared").isZero();
  }

  @Test
  void aStepAfterTheStateWasClearedStartsANewCheckoutWithTheSameId() throws Exception {
    process(step(FunnelStep.CART, T0));
    harness.processWatermark(T0.plus(TIMEOUT).plus(ALLOWED_LATENESS).toEpochMilli());
    assertThat(harness.numKeyedStateEntries()).isZero();

    Instant later = T0.plus(TIMEOUT).plus(ALLOWED_LATENESS).plus(Duration.ofMinutes(5));
    process(step(FunnelStep.CART, later));
    process(step(FunnelStep.ORDER_PLACED, later.plusSeconds(60)));
    harness.processWatermark(later.plusSeconds(60).toEpochMilli());

    assertThat(outcomes())
        .extracting(CheckoutOutcome::getStatus, CheckoutOutcome::getStart)
        .containsExactly(
            tuple(CheckoutStatus.ABANDONED, T0), tuple(CheckoutStatus.COMPLETED, later));
  }

  @Test
  void outOfOrderStepsGiveTheHighestStep() throws Exception {
    // Arrival order: payment, cart, shipping; event-time order: cart, shipping, payment.
    process(
        step(FunnelStep.PAYMENT, T0.plus(Duration.ofMinutes(3)))
            .setCartValueMinor(5_000)
            .setCurrency("USD")
            .build());
    process(
        step(FunnelStep.CART, T0)
            .setChannel(Channel.MOBILE_APP)
            .setSegment("new")
            .setCartValueMinor(1_000)
            .build());
    process(step(FunnelStep.SHIPPING, T0.plus(Duration.ofMinutes(2))).build());
    harness.processWatermark(T0.plus(Duration.ofMinutes(33)).toEpochMilli());

    assertThat(outcomes())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getStatus()).isEqualTo(CheckoutStatus.ABANDONED);
              assertThat(o.getLastStep()).isEqualTo(FunnelStep.PAYMENT);
              assertThat(o.getStart()).isEqualTo(T0);
              assertThat(o.getChannel()).isEqualTo("mobile_app");
              assertThat(o.getSegment()).isEqualTo("new");
              assertThat(o.getCartValueMinor()).isEqualTo(5_000);
              assertThat(o.getCurrency()).isEqualTo("USD");
            });
  }

  @Test
  void lateEarlierStepMovesTheStartWithRetractAndAdd() throws Exception {
    process(step(FunnelStep.SHIPPING, T0));
    harness.processWatermark(T0.plus(TIMEOUT).toEpochMilli());
    process(step(FunnelStep.CART, T0.minus(Duration.ofMinutes(10))));

    List<CheckoutOutcome> outcomes = outcomes();
    assertThat(outcomes).hasSize(3);
    assertThat(outcomes.get(1).isRetraction()).isTrue();
    assertThat(outcomes.get(1).getStart()).isEqualTo(T0);
    assertThat(outcomes.get(2).getStart()).isEqualTo(T0.minus(Duration.ofMinutes(10)));
    assertThat(outcomes.get(2).getStatus()).isEqualTo(CheckoutStatus.ABANDONED);
    assertThat(outcomes.get(2).getLastStep()).isEqualTo(FunnelStep.SHIPPING);
  }

  @Test
  void lateStepThatExtendsAnAbandonedSessionIsDecidedAgainAtTheNewDeadline() throws Exception {
    process(step(FunnelStep.CART, T0));
    harness.processWatermark(T0.plus(TIMEOUT).toEpochMilli());
    assertThat(outcomes()).hasSize(1);

    // A late step 20 min in: abandonment moves to T0 + 50 min, beyond the watermark.
    process(step(FunnelStep.PAYMENT, T0.plus(Duration.ofMinutes(20))));
    assertThat(outcomes()).as("the emitted outcome stands until re-decided").hasSize(1);

    harness.processWatermark(T0.plus(Duration.ofMinutes(50)).toEpochMilli() - 1);
    assertThat(outcomes()).hasSize(1);
    harness.processWatermark(T0.plus(Duration.ofMinutes(50)).toEpochMilli());
    List<CheckoutOutcome> outcomes = outcomes();
    assertThat(outcomes).hasSize(3);
    assertThat(outcomes.get(1).isRetraction()).isTrue();
    assertThat(outcomes.get(2).getLastStep()).isEqualTo(FunnelStep.PAYMENT);
    assertThat(outcomes.get(2).getDecidedAt()).isEqualTo(T0.plus(Duration.ofMinutes(50)));
    assertThat(outcomes.get(2).getVersion()).isEqualTo(2);
  }

  @Test
  void stateIsClearedByTheCleanupTimer() throws Exception {
    process(step(FunnelStep.CART, T0));
    process(step(FunnelStep.CHECKOUT_STARTED, T0.plusSeconds(30)));
    long abandonedAt = T0.plusSeconds(30).plus(TIMEOUT).toEpochMilli();
    harness.processWatermark(abandonedAt);
    assertThat(outcomes()).hasSize(1);

    harness.processWatermark(abandonedAt + ALLOWED_LATENESS.toMillis() - 1);
    assertThat(harness.numKeyedStateEntries()).isPositive();
    assertThat(harness.numEventTimeTimers()).isOne();

    harness.processWatermark(abandonedAt + ALLOWED_LATENESS.toMillis());
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
    assertThat(outcomes()).hasSize(1);
  }

  @Test
  void aCheckoutIsPendingFromItsStartUntilItsDecisionTakesItBack() throws Exception {
    process(step(FunnelStep.CART, T0).setChannel(Channel.MOBILE_APP).setSegment("new"));
    assertThat(emitted()).as("not before event time reaches its start").isEmpty();
    harness.processWatermark(T0.toEpochMilli());
    assertThat(emitted())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getStatus()).isEqualTo(CheckoutStatus.PENDING);
              assertThat(p.getSign()).isEqualTo(CheckoutOutcome.ADD);
              assertThat(p.getVersion()).isZero();
              assertThat(p.getStart()).isEqualTo(T0);
              assertThat(p.getChannel()).isEqualTo("mobile_app");
              assertThat(p.getSegment()).isEqualTo("new");
            });

    // Steps that leave the attribution as it is change nothing while it is open.
    process(step(FunnelStep.SHIPPING, T0.plus(Duration.ofMinutes(5))).setCartValueMinor(9_900));
    harness.processWatermark(T0.plus(Duration.ofMinutes(20)).toEpochMilli());
    assertThat(emitted()).hasSize(1);
    assertThat(signedCount(emitted(), CheckoutStatus.PENDING)).isOne();

    // The decision takes the pending record back and adds the outcome, in that order.
    harness.processWatermark(T0.plus(Duration.ofMinutes(35)).toEpochMilli());
    List<CheckoutOutcome> all = emitted();
    assertThat(all).hasSize(3);
    assertThat(all.get(1)).isEqualTo(all.get(0).retraction());
    assertThat(all.get(2).getStatus()).isEqualTo(CheckoutStatus.ABANDONED);
    assertThat(all.get(2).getVersion()).isOne();
    assertThat(signedCount(all, CheckoutStatus.PENDING)).isZero();
    assertThat(signedCount(all, CheckoutStatus.ABANDONED)).isOne();
    assertThat(metrics.count(CheckoutSessionFunction.CORRECTIONS))
        .as("a decision is not a correction")
        .isZero();
  }

  @Test
  void aLateEarlierStepMovesAPendingCheckoutToItsNewStartWindow() throws Exception {
    process(step(FunnelStep.SHIPPING, T0));
    harness.processWatermark(T0.toEpochMilli());
    // Behind the watermark: late, like an order after an abandonment.
    process(step(FunnelStep.CART, T0.minus(Duration.ofMinutes(10))));

    List<CheckoutOutcome> all = emitted();
    assertThat(all)
        .extracting(CheckoutOutcome::getStatus, CheckoutOutcome::getSign, CheckoutOutcome::getStart)
        .containsExactly(
            tuple(CheckoutStatus.PENDING, CheckoutOutcome.ADD, T0),
            tuple(CheckoutStatus.PENDING, CheckoutOutcome.RETRACT, T0),
            tuple(CheckoutStatus.PENDING, CheckoutOutcome.ADD, T0.minus(Duration.ofMinutes(10))));
  }

  @Test
  void whatACheckoutEmitsDoesNotDependOnTheOrderItsOnTimeStepsArrivedIn() throws Exception {
    List<CheckoutEvent> steps =
        List.of(
            step(FunnelStep.CART, T0).build(),
            step(FunnelStep.SHIPPING, T0.plusSeconds(30)).build(),
            step(FunnelStep.PAYMENT, T0.plusSeconds(50)).build());
    List<CheckoutEvent> reversed = new java.util.ArrayList<>(steps);
    java.util.Collections.reverse(reversed);
    List<List<CheckoutOutcome>> runs = new java.util.ArrayList<>();
    for (List<CheckoutEvent> order : List.of(steps, reversed)) {
      harness.close();
      setUp();
      for (CheckoutEvent event : order) {
        process(event);
      }
      harness.processWatermark(T0.plus(Duration.ofHours(2)).toEpochMilli());
      runs.add(emitted());
    }
    assertThat(runs.get(1)).isEqualTo(runs.get(0));
    assertThat(runs.get(0))
        .extracting(CheckoutOutcome::getStatus, CheckoutOutcome::getSign)
        .containsExactly(
            tuple(CheckoutStatus.PENDING, CheckoutOutcome.ADD),
            tuple(CheckoutStatus.PENDING, CheckoutOutcome.RETRACT),
            tuple(CheckoutStatus.ABANDONED, CheckoutOutcome.ADD));
  }

  @Test
  void aCheckoutOpenLongerThanTheMaxDurationIsNoLongerPendingThen() throws Exception {
    // A step every 25 minutes keeps the checkout open past the max checkout duration.
    Instant last = T0;
    process(step(FunnelStep.CART, T0));
    while (!last.isAfter(T0.plus(MAX_CHECKOUT_DURATION))) {
      last = last.plus(Duration.ofMinutes(25));
      process(step(FunnelStep.SHIPPING, last));
    }
    harness.processWatermark(T0.plus(MAX_CHECKOUT_DURATION).toEpochMilli() - 1);
    assertThat(signedCount(emitted(), CheckoutStatus.PENDING)).isOne();

    // Taken back while its window is still kept; its outcome will be too late for the window.
    harness.processWatermark(T0.plus(MAX_CHECKOUT_DURATION).toEpochMilli());
    assertThat(signedCount(emitted(), CheckoutStatus.PENDING)).isZero();
    assertThat(outcomes()).isEmpty();

    harness.processWatermark(last.plus(TIMEOUT).toEpochMilli());
    assertThat(outcomes())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getStatus()).isEqualTo(CheckoutStatus.ABANDONED);
              assertThat(o.getVersion()).isOne();
            });
    assertThat(signedCount(emitted(), CheckoutStatus.PENDING)).isZero();
  }

  @Test
  void outcomeIsAFlinkPojo() {
    assertThat(TypeInformation.of(CheckoutOutcome.class)).isInstanceOf(PojoTypeInfo.class);
  }

  private static long signedCount(List<CheckoutOutcome> outcomes, CheckoutStatus status) {
    return outcomes.stream()
        .filter(o -> o.getStatus() == status)
        .mapToLong(CheckoutOutcome::getSign)
        .sum();
  }

  private CheckoutEvent.Builder step(FunnelStep step, Instant time) {
    return TestEvents.checkout()
        .setEventId("evt-" + eventCounter++)
        .setCheckoutId(CHECKOUT)
        .setStep(step)
        .setEventTime(time)
        .setPaymentFailureReason(null);
  }

  private void process(CheckoutEvent.Builder event) throws Exception {
    process(event.build());
  }

  private void process(CheckoutEvent event) throws Exception {
    harness.processElement(new DecodedEvent<>(event, null), event.getEventTime().toEpochMilli());
  }

  /** The decided outcomes and their corrections, pending records left out. */
  private List<CheckoutOutcome> outcomes() {
    return emitted().stream().filter(o -> o.getStatus() != CheckoutStatus.PENDING).toList();
  }

  /** Everything emitted, pending records included. */
  private List<CheckoutOutcome> emitted() {
    return harness.extractOutputValues();
  }
}
