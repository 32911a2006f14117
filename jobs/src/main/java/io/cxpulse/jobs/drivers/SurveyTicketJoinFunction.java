package io.cxpulse.jobs.drivers;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.jobs.pipeline.DecodedEvent;
import io.cxpulse.jobs.tickets.TicketOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Joins survey responses that reference a ticket with that ticket's first-response outcome (keyed
 * by ticket_id): input 1 are the de-duplicated survey responses, input 2 the ticket job's {@code
 * FIRST_RESPONSE} and {@code SLA_BREACHED_UNANSWERED} facts (with their retractions) from {@code
 * TicketLifecycleFunction}.
 *
 * <p>Every survey is emitted at most once, so the window rows stay plain sums. That needs the
 * ticket's outcome to be final when a survey is joined, hence the <b>decision</b>: the outcome
 * ({@link DriverOutcome#of}) is decided by an event-time timer at {@code outcomeAt + settle}, where
 * {@code settle} is the ticket pipeline's allowed lateness plus one window. By then no late ticket
 * event can change a fact timed before {@code outcomeAt} any more (the de-duplication gate rejects
 * it), so a reply that overtook the breach at the deadline has arrived and replaced it. Facts that
 * arrive after the decision are ignored and counted ({@value #FACTS_AFTER_DECISION}), e.g. the
 * first agent reply to a ticket answered more than {@code settle} after its deadline: its surveys
 * stay {@code breached}/{@code no_reply}. A first response timed after the decision time counts as
 * not there even if it has already arrived (a watermark step may pass both at once), so a ticket
 * answered more than {@code settle} after its deadline is always {@code no_reply}.
 *
 * <p>The join is <b>bounded in time</b>: a survey joins the outcome iff {@code |survey time −
 * outcomeAt| ≤ joinHorizon}, checked explicitly so the answer does not depend on arrival order.
 *
 * <ul>
 *   <li>A survey arriving after the decision is joined at once (or counted in {@value
 *       #SURVEYS_WITHOUT_OUTCOME} if outside the horizon).
 *   <li>A survey arriving before it waits in state; it is joined at the decision, or, if no outcome
 *       is decided by {@code survey time + joinHorizon + settle} (when every outcome it could join
 *       has been decided), dropped and counted in {@value #SURVEYS_WITHOUT_OUTCOME}.
 *   <li>The decided outcome is kept until {@code outcomeAt + joinHorizon + settle}, after which no
 *       survey within the horizon can pass the survey lateness gate (the same allowed lateness and
 *       window), then the timer clears the state.
 * </ul>
 *
 * <p>All decisions happen in event time, so the output is a function of the input, not of arrival
 * order or processing speed. Counters: {@value #SURVEYS_JOINED}, {@value #SURVEYS_WITHOUT_OUTCOME},
 * {@value #FACTS_AFTER_DECISION}.
 */
public class SurveyTicketJoinFunction
    extends KeyedCoProcessFunction<
        String, DecodedEvent<SurveyResponse>, TicketOutcome, JoinedSurvey> {

  private static final long serialVersionUID = 1L;

  /** Counter: surveys joined with their ticket's outcome (each exactly once). */
  public static final String SURVEYS_JOINED = "driverSurveysJoined";

  /** Counter: surveys whose ticket outcome never came within the join horizon. */
  public static final String SURVEYS_WITHOUT_OUTCOME = "driverSurveysWithoutTicketOutcome";

  /** Counter: ticket facts that arrived after the ticket's outcome was decided. */
  public static final String FACTS_AFTER_DECISION = "driverTicketFactsAfterDecision";

  /**
   * Keyed state: surveys waiting for the outcome, by event id, with their Kafka records (so that a
   * joined survey the window refuses can be dead-lettered). Named anew when the records were added:
   * surveys pending in a savepoint of an earlier version ({@code driver-pending-surveys}, events
   * only) are not restored.
   */
  public static final String PENDING_STATE = "driver-pending-survey-records";

  private final long horizonMillis;
  private final long settleMillis;
  // Declared with the function, not in open(): the job graph carries them, and NoKryoTest
  // checks every state type reachable from it.
  private final MapStateDescriptor<String, DecodedEvent<SurveyResponse>> pendingState =
      new MapStateDescriptor<>(
          PENDING_STATE, Types.STRING, DecodedEvent.typeInfo(SurveyResponse.class));
  private final ValueStateDescriptor<TicketOutcome> firstResponseState =
      new ValueStateDescriptor<>("driver-first-response", TypeInformation.of(TicketOutcome.class));
  private final ValueStateDescriptor<TicketOutcome> breachedUnansweredState =
      new ValueStateDescriptor<>(
          "driver-breached-unanswered", TypeInformation.of(TicketOutcome.class));
  private final ValueStateDescriptor<DriverOutcome> decidedState =
      new ValueStateDescriptor<>("driver-decided-outcome", TypeInformation.of(DriverOutcome.class));

  private transient MapState<String, DecodedEvent<SurveyResponse>> pending;
  private transient ValueState<TicketOutcome> firstResponse;
  private transient ValueState<TicketOutcome> breachedUnanswered;
  private transient ValueState<DriverOutcome> decided;
  private transient Counter joined;
  private transient Counter withoutOutcome;
  private transient Counter factsAfterDecision;

  /**
   * @param joinHorizon how far apart a survey and its ticket's outcome may be, in event time
   * @param settle how long after a fact's time the ticket pipeline may still correct it: its
   *     allowed lateness plus one window
   */
  public SurveyTicketJoinFunction(Duration joinHorizon, Duration settle) {
    if (joinHorizon.isNegative() || settle.isNegative()) {
      throw new IllegalArgumentException(
          "join horizon and settle time must not be negative: " + joinHorizon + ", " + settle);
    }
    this.horizonMillis = joinHorizon.toMillis();
    this.settleMillis = settle.toMillis();
  }

  @Override
  public void open(OpenContext openContext) {
    pending = getRuntimeContext().getMapState(pendingState);
    firstResponse = getRuntimeContext().getState(firstResponseState);
    breachedUnanswered = getRuntimeContext().getState(breachedUnansweredState);
    decided = getRuntimeContext().getState(decidedState);
    joined = getRuntimeContext().getMetricGroup().counter(SURVEYS_JOINED);
    withoutOutcome = getRuntimeContext().getMetricGroup().counter(SURVEYS_WITHOUT_OUTCOME);
    factsAfterDecision = getRuntimeContext().getMetricGroup().counter(FACTS_AFTER_DECISION);
  }

  @Override
  public void processElement1(
      DecodedEvent<SurveyResponse> survey, Context ctx, Collector<JoinedSurvey> out)
      throws Exception {
    SurveyResponse response = survey.getEvent();
    DriverOutcome outcome = decided.value();
    if (outcome != null) {
      joinOrCount(survey, outcome, out);
      return;
    }
    pending.put(response.getEventId(), survey);
    ctx.timerService().registerEventTimeTimer(expiry(response));
  }

  @Override
  public void processElement2(TicketOutcome fact, Context ctx, Collector<JoinedSurvey> out)
      throws Exception {
    if (decided.value() != null) {
      factsAfterDecision.inc();
      return;
    }
    ValueState<TicketOutcome> slot =
        switch (fact.getKind()) {
          case FIRST_RESPONSE -> firstResponse;
          case SLA_BREACHED_UNANSWERED -> breachedUnanswered;
          default -> null; // openings and resolutions say nothing about the first response
        };
    if (slot == null) {
      return;
    }
    if (fact.isRetraction()) {
      // Only the version it takes back: the ticket job retracts before it re-adds, but a stale
      // retraction must never erase the newer fact.
      TicketOutcome current = slot.value();
      if (current != null && current.getVersion() == fact.getVersion()) {
        slot.clear();
      }
    } else {
      slot.update(fact);
    }
    long at = DriverOutcome.outcomeAt(firstResponse.value(), breachedUnanswered.value());
    if (at != Long.MAX_VALUE) {
      ctx.timerService().registerEventTimeTimer(saturatingAdd(at, settleMillis));
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<JoinedSurvey> out)
      throws Exception {
    DriverOutcome outcome = decided.value();
    if (outcome != null) {
      if (timestamp >= cleanupTime(outcome)) {
        decided.clear();
      }
      return;
    }
    TicketOutcome reply = firstResponse.value();
    TicketOutcome breach = breachedUnanswered.value();
    long at = DriverOutcome.outcomeAt(reply, breach);
    long decisionTime = saturatingAdd(at, settleMillis);
    if (at != Long.MAX_VALUE && timestamp >= decisionTime) {
      // As of the decision time, not of whatever the watermark jumped to: a reply timed after it
      // does not count even if it is already here, so the outcome never depends on how far one
      // watermark step reached.
      outcome =
          DriverOutcome.of(
              reply != null && reply.getAt().toEpochMilli() <= decisionTime ? reply : null, breach);
      decided.update(outcome);
      firstResponse.clear();
      breachedUnanswered.clear();
      for (DecodedEvent<SurveyResponse> survey : pending.values()) {
        joinOrCount(survey, outcome, out);
      }
      pending.clear();
      ctx.timerService().registerEventTimeTimer(cleanupTime(outcome));
      return;
    }
    List<String> expired = new ArrayList<>();
    for (Map.Entry<String, DecodedEvent<SurveyResponse>> entry : pending.entries()) {
      if (expiry(entry.getValue().getEvent()) <= timestamp) {
        expired.add(entry.getKey());
      }
    }
    for (String eventId : expired) {
      pending.remove(eventId);
      withoutOutcome.inc();
    }
  }

  private void joinOrCount(
      DecodedEvent<SurveyResponse> survey, DriverOutcome outcome, Collector<JoinedSurvey> out) {
    long distance =
        Math.abs(survey.getEvent().getEventTime().toEpochMilli() - outcome.getOutcomeAt());
    if (distance <= horizonMillis) {
      out.collect(new JoinedSurvey(survey, outcome));
      joined.inc();
    } else {
      withoutOutcome.inc();
    }
  }

  /** When every outcome a waiting survey could join has been decided. */
  private long expiry(SurveyResponse response) {
    return saturatingAdd(
        response.getEventTime().toEpochMilli(), saturatingAdd(horizonMillis, settleMillis));
  }

  private long cleanupTime(DriverOutcome outcome) {
    return saturatingAdd(outcome.getOutcomeAt(), saturatingAdd(horizonMillis, settleMillis));
  }

  private static long saturatingAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }
}
