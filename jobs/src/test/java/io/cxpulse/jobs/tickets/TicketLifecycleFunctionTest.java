package io.cxpulse.jobs.tickets;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.Channel;
import io.cxpulse.events.TicketActor;
import io.cxpulse.events.TicketEvent;
import io.cxpulse.events.TicketEventType;
import io.cxpulse.events.TicketPriority;
import io.cxpulse.jobs.TestEvents;
import io.cxpulse.jobs.pipeline.DecodedEvent;
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

class TicketLifecycleFunctionTest {

  private static final Duration CHAT_TARGET = Duration.ofMinutes(10);
  private static final SlaPolicy SLA =
      (channel, priority) -> channel == Channel.CHAT ? CHAT_TARGET : Duration.ofHours(4);
  private static final Duration ALLOWED_LATENESS = Duration.ofHours(1);
  private static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");
  private static final Instant DEADLINE = T0.plus(CHAT_TARGET);
  private static final String TICKET = "tkt-1";

  private KeyedOneInputStreamOperatorTestHarness<String, DecodedEvent<TicketEvent>, TicketOutcome>
      harness;
  private int eventCounter;

  @BeforeEach
  void setUp() throws Exception {
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new TicketLifecycleFunction(SLA, ALLOWED_LATENESS)),
            decoded -> decoded.getEvent().getTicketId(),
            Types.STRING);
    harness.open();
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  @Test
  void slaBreachIsCountedAtTheDeadlineForAnUnansweredTicket() throws Exception {
    process(TicketEventType.OPENED, T0);
    process(TicketEventType.BOT_REPLY, T0.plusSeconds(5));

    harness.processWatermark(DEADLINE.toEpochMilli() - 1);
    assertThat(kinds()).containsExactly(TicketOutcomeKind.OPENED);

    harness.processWatermark(DEADLINE.toEpochMilli());
    assertThat(kinds())
        .containsExactly(TicketOutcomeKind.OPENED, TicketOutcomeKind.SLA_BREACHED_UNANSWERED);
    TicketOutcome breach = outcomes().get(1);
    assertThat(breach.getAt()).isEqualTo(DEADLINE);
    assertThat(breach.getOpenedAt()).isEqualTo(T0);
    assertThat(breach.getSlaTargetMillis()).isEqualTo(CHAT_TARGET.toMillis());
    assertThat(breach.getChannel()).isEqualTo("chat");
    assertThat(breach.getPriority()).isEqualTo(TicketPriority.HIGH);

    // The agent answers 25 minutes late: a breached first response, not a second breach.
    Instant reply = DEADLINE.plus(Duration.ofMinutes(25));
    process(TicketEventType.AGENT_REPLY, reply);
    harness.processWatermark(reply.toEpochMilli());
    TicketOutcome response = outcomes().get(2);
    assertThat(response.getKind()).isEqualTo(TicketOutcomeKind.FIRST_RESPONSE);
    assertThat(response.getDurationMillis()).isEqualTo(Duration.ofMinutes(35).toMillis());
    assertThat(response.isSlaBreached()).isTrue();
    assertThat(response.isBreachCountedAtDeadline()).isTrue();
    assertThat(breachesCounted(outcomes())).isOne();
  }

  @Test
  void botAndCustomerRepliesAreNotFirstResponses() throws Exception {
    process(TicketEventType.OPENED, T0);
    process(TicketEventType.BOT_REPLY, T0.plusSeconds(1));
    process(TicketEventType.CUSTOMER_REPLY, T0.plusSeconds(60));
    process(TicketEventType.BOT_REPLY, T0.plusSeconds(90));
    harness.processWatermark(T0.plus(Duration.ofMinutes(5)).toEpochMilli());
    assertThat(kinds()).containsExactly(TicketOutcomeKind.OPENED);

    Instant reply = T0.plus(Duration.ofMinutes(7)).plusMillis(500);
    process(TicketEventType.AGENT_REPLY, reply);
    process(TicketEventType.AGENT_REPLY, reply.plusSeconds(30));
    harness.processWatermark(T0.plus(Duration.ofHours(1)).toEpochMilli());

    assertThat(kinds()).containsExactly(TicketOutcomeKind.OPENED, TicketOutcomeKind.FIRST_RESPONSE);
    TicketOutcome response = outcomes().get(1);
    assertThat(response.getDurationMillis())
        .isEqualTo(Duration.ofMinutes(7).plusMillis(500).toMillis());
    assertThat(response.getAt()).isEqualTo(reply);
    assertThat(response.isSlaBreached()).isFalse();
    assertThat(breachesCounted(outcomes())).isZero();
  }

  @Test
  void replyExactlyAtTheDeadlineMeetsTheSla() throws Exception {
    process(TicketEventType.OPENED, T0);
    process(TicketEventType.AGENT_REPLY, DEADLINE);
    harness.processWatermark(DEADLINE.toEpochMilli());

    assertThat(kinds()).containsExactly(TicketOutcomeKind.OPENED, TicketOutcomeKind.FIRST_RESPONSE);
    assertThat(outcomes().get(1).isSlaBreached()).isFalse();
  }

  @Test
  void agentReplyArrivingBeforeItsOpenedWaitsForIt() throws Exception {
    process(TicketEventType.AGENT_REPLY, T0.plus(Duration.ofMinutes(3)));
    harness.processWatermark(T0.minusSeconds(1).toEpochMilli());
    assertThat(outcomes()).isEmpty();

    process(TicketEventType.OPENED, T0);
    harness.processWatermark(T0.plus(Duration.ofMinutes(20)).toEpochMilli());

    assertThat(kinds()).containsExactly(TicketOutcomeKind.OPENED, TicketOutcomeKind.FIRST_RESPONSE);
    assertThat(outcomes().get(1).getDurationMillis()).isEqualTo(Duration.ofMinutes(3).toMillis());
  }

  @Test
  void lateReplyTimedBeforeTheDeadlineRetractsTheBreach() throws Exception {
    process(TicketEventType.OPENED, T0);
    harness.processWatermark(DEADLINE.toEpochMilli());
    assertThat(kinds())
        .containsExactly(TicketOutcomeKind.OPENED, TicketOutcomeKind.SLA_BREACHED_UNANSWERED);

    process(TicketEventType.AGENT_REPLY, DEADLINE.minusSeconds(60));

    List<TicketOutcome> outcomes = outcomes();
    assertThat(outcomes).hasSize(4);
    assertThat(outcomes.get(2)).isEqualTo(outcomes.get(1).retraction());
    assertThat(outcomes.get(3).getKind()).isEqualTo(TicketOutcomeKind.FIRST_RESPONSE);
    assertThat(outcomes.get(3).isSlaBreached()).isFalse();
    assertThat(breachesCounted(outcomes)).isZero();
  }

  @Test
  void ticketResolvedBeforeItsDeadlineWithoutAgentReplyIsNotBreached() throws Exception {
    process(TicketEventType.OPENED, T0);
    process(TicketEventType.BOT_REPLY, T0.plusSeconds(10));
    process(TicketEventType.RESOLVED, T0.plusSeconds(20));
    harness.processWatermark(DEADLINE.plusSeconds(1).toEpochMilli());

    assertThat(kinds()).containsExactly(TicketOutcomeKind.OPENED, TicketOutcomeKind.RESOLVED);
    assertThat(outcomes().get(1).getDurationMillis()).isEqualTo(20_000L);
  }

  /** Reopen rule: each episode is counted, from its start; no earlier resolution is taken back. */
  @Test
  void reopenedTicketCountsEachResolutionEpisode() throws Exception {
    process(TicketEventType.OPENED, T0);
    process(TicketEventType.AGENT_REPLY, T0.plus(Duration.ofMinutes(2)));
    process(TicketEventType.RESOLVED, T0.plus(Duration.ofHours(1)));
    harness.processWatermark(T0.plus(Duration.ofMinutes(90)).toEpochMilli());
    // Reopened and resolved again, the REOPENED arriving after the second RESOLVED.
    process(TicketEventType.RESOLVED, T0.plus(Duration.ofHours(5)));
    process(TicketEventType.REOPENED, T0.plus(Duration.ofHours(2)));
    harness.processWatermark(T0.plus(Duration.ofHours(5)).toEpochMilli());

    List<TicketOutcome> outcomes = outcomes();
    assertThat(outcomes).noneMatch(TicketOutcome::isRetraction);
    assertThat(kinds())
        .containsExactly(
            TicketOutcomeKind.OPENED,
            TicketOutcomeKind.FIRST_RESPONSE,
            TicketOutcomeKind.RESOLVED,
            TicketOutcomeKind.OPENED,
            TicketOutcomeKind.RESOLVED);
    assertThat(outcomes.get(2).getDurationMillis()).isEqualTo(Duration.ofHours(1).toMillis());
    assertThat(outcomes.get(2).isReopened()).isFalse();
    assertThat(outcomes.get(3).isReopened()).isTrue();
    assertThat(outcomes.get(3).getEpisode()).isOne();
    assertThat(outcomes.get(4).getDurationMillis()).isEqualTo(Duration.ofHours(3).toMillis());
    assertThat(outcomes.get(4).getOpenedAt()).isEqualTo(T0.plus(Duration.ofHours(2)));
    // Backlog (Σ opened − Σ resolved, with signs) is back to zero.
    assertThat(backlog(outcomes)).isZero();
  }

  @Test
  void reopenAfterCleanupStartsAReopenedEpisode() throws Exception {
    process(TicketEventType.OPENED, T0);
    process(TicketEventType.RESOLVED, T0.plusSeconds(60));
    harness.processWatermark(T0.plus(Duration.ofDays(1)).toEpochMilli());
    assertThat(harness.numKeyedStateEntries()).isZero();

    Instant reopen = T0.plus(Duration.ofDays(2));
    process(TicketEventType.REOPENED, reopen);
    process(TicketEventType.RESOLVED, reopen.plus(Duration.ofHours(2)));
    harness.processWatermark(reopen.plus(Duration.ofHours(2)).toEpochMilli());

    List<TicketOutcome> outcomes = outcomes();
    assertThat(kinds())
        .containsExactly(
            TicketOutcomeKind.OPENED,
            TicketOutcomeKind.RESOLVED,
            TicketOutcomeKind.OPENED,
            TicketOutcomeKind.RESOLVED);
    assertThat(outcomes.get(2).isReopened()).isTrue();
    assertThat(outcomes.get(3).getDurationMillis()).isEqualTo(Duration.ofHours(2).toMillis());
    assertThat(outcomes).noneMatch(o -> o.getKind() == TicketOutcomeKind.SLA_BREACHED_UNANSWERED);
  }

  @Test
  void stateIsClearedAfterResolutionPlusAllowedLateness() throws Exception {
    process(TicketEventType.OPENED, T0);
    process(TicketEventType.AGENT_REPLY, T0.plusSeconds(30));
    Instant resolved = T0.plus(Duration.ofMinutes(40));
    process(TicketEventType.RESOLVED, resolved);

    long cleanup = resolved.plus(ALLOWED_LATENESS).toEpochMilli();
    harness.processWatermark(cleanup - 1);
    assertThat(kinds())
        .containsExactly(
            TicketOutcomeKind.OPENED, TicketOutcomeKind.FIRST_RESPONSE, TicketOutcomeKind.RESOLVED);
    assertThat(harness.numKeyedStateEntries()).isPositive();
    assertThat(harness.numEventTimeTimers()).isOne();

    harness.processWatermark(cleanup);
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
    assertThat(outcomes()).hasSize(3);
  }

  @Test
  void openTicketKeepsItsStateButHasNoTimerOnceEverythingIsDecided() throws Exception {
    process(TicketEventType.OPENED, T0);
    process(TicketEventType.AGENT_REPLY, T0.plusSeconds(30));
    harness.processWatermark(T0.plus(Duration.ofDays(3)).toEpochMilli());

    assertThat(harness.numKeyedStateEntries()).isPositive();
    assertThat(harness.numEventTimeTimers()).isZero();
    assertThat(backlog(outcomes())).isOne();
  }

  @Test
  void eventsWithoutAnOpeningAreDroppedAfterTheAllowedLateness() throws Exception {
    Instant reply = T0.plusSeconds(30);
    process(TicketEventType.AGENT_REPLY, reply);
    process(TicketEventType.CUSTOMER_REPLY, reply.plusSeconds(30));
    harness.processWatermark(reply.plusSeconds(30).plus(ALLOWED_LATENESS).toEpochMilli() - 1);
    assertThat(harness.numKeyedStateEntries()).isPositive();

    harness.processWatermark(reply.plusSeconds(30).plus(ALLOWED_LATENESS).toEpochMilli());
    assertThat(outcomes()).isEmpty();
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void outcomeIsAFlinkPojo() {
    assertThat(TypeInformation.of(TicketOutcome.class)).isInstanceOf(PojoTypeInfo.class);
  }

  /** Breaches as the window aggregation counts them: each breached ticket once. */
  static long breachesCounted(List<TicketOutcome> outcomes) {
    return outcomes.stream()
        .filter(
            o ->
                o.getKind() == TicketOutcomeKind.SLA_BREACHED_UNANSWERED
                    || (o.getKind() == TicketOutcomeKind.FIRST_RESPONSE
                        && o.isSlaBreached()
                        && !o.isBreachCountedAtDeadline()))
        .mapToLong(TicketOutcome::getSign)
        .sum();
  }

  /** Backlog as the window aggregation computes it: Σ opened − Σ resolved, with signs. */
  static long backlog(List<TicketOutcome> outcomes) {
    return outcomes.stream()
        .mapToLong(
            o ->
                switch (o.getKind()) {
                  case OPENED -> o.getSign();
                  case RESOLVED -> -o.getSign();
                  default -> 0;
                })
        .sum();
  }

  private void process(TicketEventType type, Instant time) throws Exception {
    TicketEvent event =
        TestEvents.ticket()
            .setEventId("evt-" + eventCounter++)
            .setTicketId(TICKET)
            .setEventType(type)
            .setActor(actor(type))
            .setEventTime(time)
            .build();
    harness.processElement(new DecodedEvent<>(event, null), time.toEpochMilli());
  }

  private static TicketActor actor(TicketEventType type) {
    return switch (type) {
      case AGENT_REPLY, RESOLVED -> TicketActor.AGENT;
      case BOT_REPLY -> TicketActor.BOT;
      default -> TicketActor.CUSTOMER;
    };
  }

  private List<TicketOutcome> outcomes() {
    return harness.extractOutputValues();
  }

  private List<TicketOutcomeKind> kinds() {
    return outcomes().stream().map(TicketOutcome::getKind).toList();
  }
}
