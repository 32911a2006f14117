package io.cxpulse.jobs.checkout;

import io.cxpulse.events.CheckoutEvent;
import io.cxpulse.jobs.pipeline.DecodedEvent;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns the events of each checkout (keyed by checkout_id) into one {@link CheckoutOutcome},
 * corrected by retract + add when late events change it.
 *
 * <p>The rule itself is {@link CheckoutSession}, a pure function of the events seen; this function
 * keeps the events in keyed state and decides <em>when</em> to apply the rule, in event time only:
 *
 * <ul>
 *   <li>A checkout is {@link CheckoutStatus#PENDING} from its start until its decision: a pending
 *       record (attribution only) is emitted when the watermark reaches its first event (a timer
 *       there, so what a checkout emits does not depend on the order its on-time events arrived
 *       in), and the decision takes it back (retract) as it adds the outcome, so a window row says
 *       how many of its checkouts are still open rather than reading 0 % abandoned until they are
 *       decided. A checkout still undecided {@code max checkout duration} after its start is taken
 *       back from pending then: its outcome will come too late for its window ({@link
 *       TooLateOutcomeFunction}), and a pending record retracted after the window's retention would
 *       stay in the row for ever.
 *   <li>An outcome is emitted once the watermark reaches its decision time: the order time for a
 *       completed checkout, {@code last step + inactivity timeout} for an abandoned one. One
 *       event-time timer per checkout is kept at the next decision time; a later step moves it (the
 *       old timer is deleted). Processing time and the end of the stream never decide anything: a
 *       bounded run that ends before the watermark reaches the timeout leaves the checkout open.
 *   <li>Waiting for the watermark before emitting a completion (rather than emitting on arrival of
 *       {@code ORDER_PLACED}) means that steps still in flight within the out-of-orderness bound
 *       are in the first outcome, so corrections happen only for genuinely late events.
 *   <li>An event arriving after the outcome was emitted (late, but let through by the lateness gate
 *       upstream) re-applies the rule at once; if the outcome changed, the old one is retracted and
 *       the new one added with the next version (see {@link CheckoutOutcome}). If the late event
 *       moves the decision time beyond the watermark (a late step extends an abandoned session),
 *       the emitted outcome stands until the new decision time, which then confirms or corrects it:
 *       an outcome is never taken back without a replacement.
 *   <li>State is kept until {@code decision time + allowed lateness}, then cleared by the same
 *       timer; a late order in that span turns an abandoned checkout into a completed one. Events
 *       after that are a new session for the same id (the upstream lateness gate drops most of them
 *       as too late first).
 * </ul>
 *
 * <p>Counters: {@value #CORRECTIONS} (retract + add pairs emitted) and {@value #EVENTS_AFTER_END}
 * (events that arrived for a checkout whose session had already ended, counted at cleanup).
 */
public class CheckoutSessionFunction
    extends KeyedProcessFunction<String, DecodedEvent<CheckoutEvent>, CheckoutOutcome> {

  private static final long serialVersionUID = 1L;

  /** Keyed state: every event of the checkout. */
  public static final String EVENTS_STATE = "checkout-events";

  /** Keyed state: the outcome last emitted with sign +1. */
  public static final String OUTCOME_STATE = "checkout-outcome";

  /** Keyed state: the timestamp of the one registered event-time timer. */
  public static final String TIMER_STATE = "checkout-timer";

  /** Counter: corrections of decided outcomes emitted (each one a retract + add pair). */
  public static final String CORRECTIONS = "checkoutOutcomeCorrections";

  /** Counter: events that arrived after their checkout's session had ended. */
  public static final String EVENTS_AFTER_END = "checkoutEventsAfterSessionEnd";

  private final Duration inactivityTimeout;
  private final long allowedLatenessMillis;
  private final long maxCheckoutDurationMillis;
  // Declared with the function, not in open(): the job graph carries them, and NoKryoTest
  // checks every state type reachable from it.
  private final ListStateDescriptor<CheckoutEvent> eventsState =
      new ListStateDescriptor<>(EVENTS_STATE, TypeInformation.of(CheckoutEvent.class));
  private final ValueStateDescriptor<CheckoutOutcome> outcomeState =
      new ValueStateDescriptor<>(OUTCOME_STATE, TypeInformation.of(CheckoutOutcome.class));
  private final ValueStateDescriptor<Long> timerState =
      new ValueStateDescriptor<>(TIMER_STATE, Types.LONG);

  private transient ListState<CheckoutEvent> events;
  private transient ValueState<CheckoutOutcome> emitted;
  private transient ValueState<Long> timer;
  private transient Counter corrections;
  private transient Counter eventsAfterEnd;

  /**
   * @param inactivityTimeout event time after the last step without an order until the checkout is
   *     abandoned
   * @param allowedLateness how long after its decision a checkout's state is kept for corrections
   * @param maxCheckoutDuration how long after its start a checkout is pending at most; its outcome
   *     is too late for its window after that (the window aggregation's retention)
   */
  public CheckoutSessionFunction(
      Duration inactivityTimeout, Duration allowedLateness, Duration maxCheckoutDuration) {
    if (inactivityTimeout.isNegative() || inactivityTimeout.isZero()) {
      throw new IllegalArgumentException(
          "inactivity timeout must be positive: " + inactivityTimeout);
    }
    if (allowedLateness.isNegative()) {
      throw new IllegalArgumentException(
          "allowed lateness must not be negative: " + allowedLateness);
    }
    if (maxCheckoutDuration.compareTo(inactivityTimeout) < 0) {
      throw new IllegalArgumentException(
          "max checkout duration must be at least the inactivity timeout: " + maxCheckoutDuration);
    }
    this.inactivityTimeout = inactivityTimeout;
    this.allowedLatenessMillis = allowedLateness.toMillis();
    this.maxCheckoutDurationMillis = maxCheckoutDuration.toMillis();
  }

  @Override
  public void open(OpenContext openContext) {
    events = getRuntimeContext().getListState(eventsState);
    emitted = getRuntimeContext().getState(outcomeState);
    timer = getRuntimeContext().getState(timerState);
    corrections = getRuntimeContext().getMetricGroup().counter(CORRECTIONS);
    eventsAfterEnd = getRuntimeContext().getMetricGroup().counter(EVENTS_AFTER_END);
  }

  @Override
  public void processElement(
      DecodedEvent<CheckoutEvent> decoded, Context ctx, Collector<CheckoutOutcome> out)
      throws Exception {
    events.add(decoded.getEvent());
    long watermark = ctx.timerService().currentWatermark();
    CheckoutSession session = decideAndEmit(ctx.getCurrentKey(), watermark, out);
    schedule(nextWakeUp(session, watermark), ctx.timerService());
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<CheckoutOutcome> out)
      throws Exception {
    Long registered = timer.value();
    if (registered != null && registered == timestamp) {
      timer.clear(); // it has just fired
    }
    if (!events.get().iterator().hasNext()) {
      return;
    }
    // Decide at the timer's time, not the (possibly further) watermark: the same outcomes for any
    // watermark granularity.
    CheckoutSession session = decideAndEmit(ctx.getCurrentKey(), timestamp, out);
    if (session.isDecidedAt(timestamp) && timestamp >= cleanupTime(session)) {
      eventsAfterEnd.inc(session.eventsAfterEnd());
      TimerService timers = ctx.timerService();
      Long pending = timer.value();
      if (pending != null) {
        timers.deleteEventTimeTimer(pending);
      }
      events.clear();
      emitted.clear();
      timer.clear();
      return;
    }
    schedule(nextWakeUp(session, timestamp), ctx.timerService());
  }

  /**
   * Applies the rule to the events seen at event time {@code now} and emits what changed: the
   * pending record of a new checkout, the outcome that replaces it once decided, a correction, or
   * the retraction of a pending record that has waited longer than the max checkout duration.
   */
  private CheckoutSession decideAndEmit(String checkoutId, long now, Collector<CheckoutOutcome> out)
      throws Exception {
    CheckoutSession session = CheckoutSession.of(events.get(), inactivityTimeout);
    CheckoutOutcome previous = emitted.value();
    if (previous == null) {
      // Pending from the moment event time reaches its start (a timer there), not from its first
      // event's arrival: steps that arrive out of order within the out-of-orderness bound are all
      // in by then, so the records a checkout produces, and the row versions, do not depend on
      // the order its events arrived in (another parallelism, a replay after a restore). Only a
      // late event (behind the watermark) can still move it, as it can correct an outcome.
      if (now < session.start().toEpochMilli()) {
        return session;
      }
      previous = session.toPendingOutcome(checkoutId);
      out.collect(previous);
      emitted.update(previous);
    }
    boolean counted = previous != null && !previous.isRetraction();
    CheckoutOutcome current;
    if (session.isDecidedAt(now)) {
      current = session.toOutcome(checkoutId);
    } else if (counted && previous.getStatus() != CheckoutStatus.PENDING) {
      return session; // a late step re-opened a decided checkout: the outcome stands until decided
    } else if (now < pendingUntil(session)) {
      current = session.toPendingOutcome(checkoutId);
    } else {
      current = null; // open for longer than the max checkout duration: no longer pending
    }
    if (counted && current != null && previous.sameOutcomeAs(current)) {
      return session;
    }
    if (counted) {
      out.collect(previous.retraction());
      if (previous.getStatus() != CheckoutStatus.PENDING) {
        corrections.inc();
      }
    }
    if (current == null) {
      emitted.update(counted ? previous.retraction() : previous);
      return session;
    }
    // Pending records are version 0, a checkout's first decided outcome is version 1 and each
    // correction adds one, as before pending records existed.
    CheckoutOutcome next =
        current.getStatus() == CheckoutStatus.PENDING
                || previous.getStatus() == CheckoutStatus.PENDING
            ? current
            : current.withVersion(previous.getVersion() + 1);
    out.collect(next);
    emitted.update(next);
    return session;
  }

  private long nextWakeUp(CheckoutSession session, long now) {
    long start = session.start().toEpochMilli();
    // Not pending yet exactly while event time is before its start (decideAndEmit makes it
    // pending from then on, and a late step can only move the start earlier): no state read.
    if (now < start) {
      return start; // when it becomes pending
    }
    if (session.isDecidedAt(now)) {
      return cleanupTime(session);
    }
    long decision = session.decidedAt().toEpochMilli();
    long pendingUntil = pendingUntil(session);
    return now < pendingUntil ? Math.min(decision, pendingUntil) : decision;
  }

  /** The event time from which an undecided checkout is no longer pending. */
  private long pendingUntil(CheckoutSession session) {
    long start = session.start().toEpochMilli();
    long until = start + maxCheckoutDurationMillis;
    return until < start ? Long.MAX_VALUE : until;
  }

  private long cleanupTime(CheckoutSession session) {
    long decided = session.decidedAt().toEpochMilli();
    long cleanup = decided + allowedLatenessMillis;
    return cleanup < decided ? Long.MAX_VALUE : cleanup; // overflow means never
  }

  /** Keeps exactly one timer per checkout, at {@code time}. */
  private void schedule(long time, TimerService timers) throws Exception {
    Long registered = timer.value();
    if (registered != null) {
      if (registered == time) {
        return;
      }
      timers.deleteEventTimeTimer(registered);
    }
    timers.registerEventTimeTimer(time);
    timer.update(time);
  }
}
