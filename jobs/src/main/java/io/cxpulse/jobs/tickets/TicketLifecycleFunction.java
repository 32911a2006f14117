package io.cxpulse.jobs.tickets;

import io.cxpulse.events.TicketEvent;
import io.cxpulse.jobs.pipeline.DecodedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns the events of each support ticket (keyed by ticket_id) into {@link TicketOutcome} facts:
 * openings, first responses, SLA breaches at the deadline, resolutions; corrected by retract + add
 * when late events change them.
 *
 * <p>The rules are {@link TicketLifecycle}, a pure function of the events seen; this function keeps
 * the events in keyed state and decides <em>when</em> a fact is emitted, in event time only:
 *
 * <ul>
 *   <li>A fact is emitted once the watermark reaches its time ({@link TicketOutcome#getAt()}). For
 *       {@code SLA_BREACHED_UNANSWERED} that time is the deadline: with no agent reply by then, the
 *       breach is emitted by the event-time timer at the deadline, without waiting for a reply. One
 *       timer per ticket is kept, at the earliest fact not yet emitted (or the cleanup time).
 *   <li>Waiting for OPENED: events of a ticket whose OPENED has not arrived yet are kept in state
 *       and establish nothing until it arrives; then every fact is derived from all of them in
 *       event-time order, so an agent reply that overtook its OPENED still counts. If OPENED never
 *       comes, the events are dropped at {@code latest event time + allowed lateness} (by then an
 *       OPENED would be rejected as too late upstream) and counted in {@value
 *       #EVENTS_WITHOUT_OPENING}.
 *   <li>An event arriving after facts were emitted re-applies the rules at once: a changed fact is
 *       retracted and re-added with the next version; a fact that no longer holds (the breach, when
 *       a late agent reply timed before the deadline arrives) is retracted.
 *   <li>State is kept while the ticket is open, and until {@code latest event time + allowed
 *       lateness} after its last resolution; then the timer clears it. A REOPENED after that starts
 *       a new episode from an empty state (see the reopen rule in {@link TicketLifecycle}).
 * </ul>
 *
 * <p>Counters: {@value #CORRECTIONS} (facts corrected or retracted) and {@value
 * #EVENTS_WITHOUT_OPENING}.
 */
public class TicketLifecycleFunction
    extends KeyedProcessFunction<String, DecodedEvent<TicketEvent>, TicketOutcome> {

  private static final long serialVersionUID = 1L;

  /** Keyed state: every event of the ticket. */
  public static final String EVENTS_STATE = "ticket-events";

  /** Keyed state: the facts emitted with sign +1 and not retracted, by fact key. */
  public static final String EMITTED_STATE = "ticket-emitted-facts";

  /** Keyed state: the timestamp of the one registered event-time timer. */
  public static final String TIMER_STATE = "ticket-timer";

  /** Counter: facts corrected (retract + add) or retracted. */
  public static final String CORRECTIONS = "ticketOutcomeCorrections";

  /** Counter: events dropped because their ticket's OPENED (or REOPENED) never arrived. */
  public static final String EVENTS_WITHOUT_OPENING = "ticketEventsWithoutOpening";

  private final SlaPolicy slaPolicy;
  private final long allowedLatenessMillis;
  // Declared with the function, not in open(): the job graph carries them, and NoKryoTest
  // checks every state type reachable from it.
  private final ListStateDescriptor<TicketEvent> eventsState =
      new ListStateDescriptor<>(EVENTS_STATE, TypeInformation.of(TicketEvent.class));
  private final MapStateDescriptor<String, TicketOutcome> emittedState =
      new MapStateDescriptor<>(
          EMITTED_STATE, Types.STRING, TypeInformation.of(TicketOutcome.class));
  private final ValueStateDescriptor<Long> timerState =
      new ValueStateDescriptor<>(TIMER_STATE, Types.LONG);

  private transient ListState<TicketEvent> events;
  private transient MapState<String, TicketOutcome> emitted;
  private transient ValueState<Long> timer;
  private transient Counter corrections;
  private transient Counter eventsWithoutOpening;

  /**
   * @param slaPolicy first-response targets by channel and priority
   * @param allowedLateness how long after its last event a resolved ticket's state is kept for
   *     corrections
   */
  public TicketLifecycleFunction(SlaPolicy slaPolicy, Duration allowedLateness) {
    if (slaPolicy == null) {
      throw new IllegalArgumentException("an SLA policy is required");
    }
    if (allowedLateness.isNegative()) {
      throw new IllegalArgumentException(
          "allowed lateness must not be negative: " + allowedLateness);
    }
    this.slaPolicy = slaPolicy;
    this.allowedLatenessMillis = allowedLateness.toMillis();
  }

  @Override
  public void open(OpenContext openContext) {
    events = getRuntimeContext().getListState(eventsState);
    emitted = getRuntimeContext().getMapState(emittedState);
    timer = getRuntimeContext().getState(timerState);
    corrections = getRuntimeContext().getMetricGroup().counter(CORRECTIONS);
    eventsWithoutOpening = getRuntimeContext().getMetricGroup().counter(EVENTS_WITHOUT_OPENING);
  }

  @Override
  public void processElement(
      DecodedEvent<TicketEvent> decoded, Context ctx, Collector<TicketOutcome> out)
      throws Exception {
    events.add(decoded.getEvent());
    long watermark = ctx.timerService().currentWatermark();
    TicketLifecycle lifecycle = decideAndEmit(watermark, out);
    schedule(nextWakeUp(lifecycle, watermark), ctx.timerService());
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<TicketOutcome> out)
      throws Exception {
    Long registered = timer.value();
    if (registered != null && registered == timestamp) {
      timer.clear(); // it has just fired
    }
    if (!events.get().iterator().hasNext()) {
      return;
    }
    // Decide at the timer's time, not the (possibly further) watermark: the same facts in the same
    // order for any watermark granularity.
    TicketLifecycle lifecycle = decideAndEmit(timestamp, out);
    long next = nextWakeUp(lifecycle, timestamp);
    if (next == cleanupTime(lifecycle) && next <= timestamp) {
      if (!lifecycle.isStarted()) {
        long dropped = 0;
        for (TicketEvent ignored : events.get()) {
          dropped++;
        }
        eventsWithoutOpening.inc(dropped);
      }
      events.clear();
      emitted.clear();
      timer.clear();
      return;
    }
    schedule(next, ctx.timerService());
  }

  /** Applies the rules to the events seen and emits every decided fact that changed. */
  private TicketLifecycle decideAndEmit(long now, Collector<TicketOutcome> out) throws Exception {
    TicketLifecycle lifecycle = TicketLifecycle.of(events.get(), slaPolicy);
    Map<String, TicketOutcome> current = new HashMap<>();
    for (TicketOutcome fact : lifecycle.facts()) {
      current.put(fact.factKey(), fact);
    }
    // Facts that no longer hold are taken back whether or not their time has come: what made
    // them false (an earlier reply, say) is already in state and nothing can make them true again.
    List<String> gone = new ArrayList<>();
    for (Map.Entry<String, TicketOutcome> entry : emitted.entries()) {
      if (!current.containsKey(entry.getKey())) {
        out.collect(entry.getValue().retraction());
        gone.add(entry.getKey());
      }
    }
    for (String key : gone) {
      emitted.remove(key);
      corrections.inc();
    }
    for (TicketOutcome fact : lifecycle.facts()) {
      if (fact.getAt().toEpochMilli() > now) {
        continue; // not decided yet: an emitted earlier version stands until then
      }
      TicketOutcome previous = emitted.get(fact.factKey());
      if (previous == null) {
        out.collect(fact);
        emitted.put(fact.factKey(), fact);
      } else if (!previous.sameFactAs(fact)) {
        TicketOutcome next = fact.withVersion(previous.getVersion() + 1);
        out.collect(previous.retraction());
        out.collect(next);
        emitted.put(next.factKey(), next);
        corrections.inc();
      }
    }
    return lifecycle;
  }

  /**
   * The earliest fact not decided at {@code now}; else the cleanup time; {@code Long.MAX_VALUE} (no
   * timer) for an open ticket with nothing pending.
   */
  private long nextWakeUp(TicketLifecycle lifecycle, long now) {
    for (TicketOutcome fact : lifecycle.facts()) { // ordered by time
      long at = fact.getAt().toEpochMilli();
      if (at > now) {
        return at;
      }
    }
    return cleanupTime(lifecycle);
  }

  /** When a resolved ticket, or events without an opening, can be forgotten; else never. */
  private long cleanupTime(TicketLifecycle lifecycle) {
    if (lifecycle.isStarted() && lifecycle.isOpen()) {
      return Long.MAX_VALUE;
    }
    long latest = lifecycle.latestEventTime().toEpochMilli();
    long cleanup = latest + allowedLatenessMillis;
    return cleanup < latest ? Long.MAX_VALUE : cleanup;
  }

  /** Keeps at most one timer per ticket, at {@code time} ({@code Long.MAX_VALUE}: none). */
  private void schedule(long time, TimerService timers) throws Exception {
    Long registered = timer.value();
    if (registered != null) {
      if (registered == time) {
        return;
      }
      timers.deleteEventTimeTimer(registered);
      timer.clear();
    }
    if (time != Long.MAX_VALUE) {
      timers.registerEventTimeTimer(time);
      timer.update(time);
    }
  }
}
