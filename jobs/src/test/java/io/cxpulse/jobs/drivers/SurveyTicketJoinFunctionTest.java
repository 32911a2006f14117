package io.cxpulse.jobs.drivers;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.events.SurveyType;
import io.cxpulse.jobs.TestEvents;
import io.cxpulse.jobs.pipeline.DecodedEvent;
import io.cxpulse.jobs.pipeline.RawRecord;
import io.cxpulse.jobs.tickets.TicketOutcome;
import io.cxpulse.jobs.tickets.TicketOutcomeKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The survey–ticket join on Flink's operator test harness: a survey before or after its ticket's
 * outcome, a ticket never answered (breached at the deadline), a reply that overtakes the breach,
 * the horizon, and state cleanup.
 */
class SurveyTicketJoinFunctionTest {

  private static final Duration HORIZON = Duration.ofDays(2);
  private static final Duration SETTLE = Duration.ofHours(2);
  private static final Instant OPENED = Instant.parse("2025-06-01T12:00:00Z");
  private static final Duration TARGET = Duration.ofMinutes(10);
  private static final Instant DEADLINE = OPENED.plus(TARGET);
  private static final String TICKET = "tkt-1";

  private KeyedTwoInputStreamOperatorTestHarness<
          String, DecodedEvent<SurveyResponse>, TicketOutcome, JoinedSurvey>
      harness;
  private int surveys;

  @BeforeEach
  void setUp() throws Exception {
    harness =
        new KeyedTwoInputStreamOperatorTestHarness<>(
            new KeyedCoProcessOperator<>(new SurveyTicketJoinFunction(HORIZON, SETTLE)),
            survey -> survey.getEvent().getTicketId(),
            TicketOutcome::getTicketId,
            Types.STRING);
    harness.open();
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  @Test
  void surveyBeforeTheOutcomeWaitsForTheDecision() throws Exception {
    Instant reply = OPENED.plus(Duration.ofMinutes(3));
    survey(reply.plus(Duration.ofHours(1)), 5);
    firstResponse(reply, false);
    watermark(reply.plus(SETTLE).minusMillis(1));
    assertThat(joined()).isEmpty();

    watermark(reply.plus(SETTLE));
    assertThat(joined())
        .singleElement()
        .satisfies(
            j -> {
              assertThat(j.getOutcome())
                  .isEqualTo(
                      new DriverOutcome(
                          SlaOutcome.MET, FirstResponseBucket.UNDER_5M, reply.toEpochMilli()));
              assertThat(j.getResponse().getScore()).isEqualTo(5);
              // Kept through the wait, for a dead letter should the window refuse it.
              assertThat(j.getSource().getTopic()).isEqualTo("cx.surveys");
              assertThat(j.getSource().getOffset()).isEqualTo(1);
              assertThat(j.getSource().getValue()).containsExactly(5);
            });
  }

  @Test
  void surveyAfterTheDecisionIsJoinedAtOnce() throws Exception {
    Instant reply = OPENED.plus(Duration.ofMinutes(40)); // after the 10-minute target
    firstResponse(reply, true);
    watermark(reply.plus(SETTLE));
    assertThat(joined()).isEmpty();

    survey(reply.plus(Duration.ofDays(1)), 2);
    assertThat(joined())
        .singleElement()
        .satisfies(
            j -> {
              assertThat(j.getOutcome().getSlaOutcome()).isEqualTo(SlaOutcome.BREACHED);
              assertThat(j.getOutcome().getFrtBucket())
                  .isEqualTo(FirstResponseBucket.FROM_30M_TO_2H);
            });
  }

  @Test
  void neverAnsweredTicketIsBreachedWithoutReplyAtTheDeadline() throws Exception {
    survey(DEADLINE.plus(Duration.ofHours(3)), 1);
    breachedUnanswered(DEADLINE);
    watermark(DEADLINE.plus(SETTLE));

    assertThat(joined())
        .singleElement()
        .satisfies(
            j ->
                assertThat(j.getOutcome())
                    .isEqualTo(
                        new DriverOutcome(
                            SlaOutcome.BREACHED,
                            FirstResponseBucket.NO_REPLY,
                            DEADLINE.toEpochMilli())));
  }

  @Test
  void aReplyBeforeTheDecisionGivesTheBreachItsResponseTime() throws Exception {
    survey(DEADLINE.plus(Duration.ofHours(5)), 3);
    breachedUnanswered(DEADLINE);
    Instant reply = OPENED.plus(Duration.ofHours(2)); // before the decision at deadline + settle
    firstResponse(reply, true);
    watermark(DEADLINE.plus(SETTLE));

    assertThat(joined())
        .singleElement()
        .satisfies(
            j -> {
              assertThat(j.getOutcome().getSlaOutcome()).isEqualTo(SlaOutcome.BREACHED);
              assertThat(j.getOutcome().getFrtBucket())
                  .isEqualTo(FirstResponseBucket.FROM_2H_TO_8H);
              assertThat(j.getOutcome().getOutcomeAt()).isEqualTo(DEADLINE.toEpochMilli());
            });
  }

  @Test
  void aReplyAfterTheDecisionTimeDoesNotCountEvenIfAlreadyHere() throws Exception {
    survey(DEADLINE.plus(Duration.ofHours(1)), 2);
    breachedUnanswered(DEADLINE);
    Instant reply = DEADLINE.plus(SETTLE).plusMillis(1);
    firstResponse(reply, true);
    watermark(reply); // one watermark step past both the decision time and the reply

    assertThat(joined())
        .singleElement()
        .satisfies(
            j -> assertThat(j.getOutcome().getFrtBucket()).isEqualTo(FirstResponseBucket.NO_REPLY));
  }

  @Test
  void aLateReplyThatRetractsTheBreachMeetsTheSla() throws Exception {
    survey(DEADLINE.plus(Duration.ofHours(1)), 4);
    TicketOutcome breach = breachedUnanswered(DEADLINE);
    // The ticket job retracts the breach when a reply timed before the deadline arrives late.
    harness.processElement2(breach.retraction(), DEADLINE.toEpochMilli());
    Instant reply = OPENED.plus(Duration.ofMinutes(8));
    firstResponse(reply, false);
    watermark(DEADLINE.plus(SETTLE));

    assertThat(joined())
        .singleElement()
        .satisfies(
            j ->
                assertThat(j.getOutcome())
                    .isEqualTo(
                        new DriverOutcome(
                            SlaOutcome.MET,
                            FirstResponseBucket.FROM_5M_TO_30M,
                            reply.toEpochMilli())));
  }

  @Test
  void surveyWhoseOutcomeNeverComesIsDroppedAtTheHorizon() throws Exception {
    Instant surveyTime = OPENED.plus(Duration.ofHours(1));
    survey(surveyTime, 5);
    watermark(surveyTime.plus(HORIZON).plus(SETTLE).minusMillis(1));
    assertThat(harness.numKeyedStateEntries()).isPositive();

    watermark(surveyTime.plus(HORIZON).plus(SETTLE));
    assertThat(joined()).isEmpty();
    assertThat(harness.numKeyedStateEntries()).isZero();
  }

  @Test
  void surveysOutsideTheHorizonAreNotJoined() throws Exception {
    Instant reply = OPENED.plus(Duration.ofMinutes(1));
    survey(reply.minus(HORIZON).minusMillis(1), 5); // too early: expires before the decision
    firstResponse(reply, false);
    watermark(reply.plus(SETTLE));
    survey(reply.plus(HORIZON), 4); // exactly at the horizon: joined
    survey(reply.plus(HORIZON).plusMillis(1), 3); // past it: not joined

    assertThat(joined()).extracting(j -> j.getResponse().getScore()).containsExactly(4);
  }

  @Test
  void factsAfterTheDecisionChangeNothingAndStateIsClearedAfterTheHorizon() throws Exception {
    Instant reply = OPENED.plus(Duration.ofMinutes(1));
    firstResponse(reply, false);
    watermark(reply.plus(SETTLE));
    firstResponse(reply.minusSeconds(30), true); // a correction too late to matter
    survey(reply.plus(Duration.ofHours(1)), 5);
    assertThat(joined())
        .singleElement()
        .satisfies(j -> assertThat(j.getOutcome().getSlaOutcome()).isEqualTo(SlaOutcome.MET));

    watermark(reply.plus(HORIZON).plus(SETTLE));
    assertThat(harness.numKeyedStateEntries()).isZero();
  }

  @Test
  void openingsAndResolutionsAreIgnored() throws Exception {
    harness.processElement2(fact(TicketOutcomeKind.OPENED, OPENED, null, false), 0);
    watermark(OPENED.plus(SETTLE).plus(HORIZON));
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(joined()).isEmpty();
  }

  private void survey(Instant time, int score) throws Exception {
    surveys++;
    SurveyResponse response =
        TestEvents.survey()
            .setEventId("evt-s-" + surveys)
            .setResponseId("resp-" + surveys)
            .setEventTime(time)
            .setSurveyType(SurveyType.CSAT)
            .setScore(score)
            .setTicketId(TICKET)
            .build();
    harness.processElement1(
        new DecodedEvent<>(
            response,
            new RawRecord(
                "cx.surveys", 0, surveys, time.toEpochMilli(), new byte[] {(byte) score})),
        time.toEpochMilli());
  }

  private TicketOutcome firstResponse(Instant at, boolean breached) throws Exception {
    TicketOutcome fact =
        fact(
            TicketOutcomeKind.FIRST_RESPONSE,
            at,
            Duration.between(OPENED, at).toMillis(),
            breached);
    harness.processElement2(fact, at.toEpochMilli());
    return fact;
  }

  private TicketOutcome breachedUnanswered(Instant at) throws Exception {
    TicketOutcome fact = fact(TicketOutcomeKind.SLA_BREACHED_UNANSWERED, at, null, true);
    harness.processElement2(fact, at.toEpochMilli());
    return fact;
  }

  private static TicketOutcome fact(
      TicketOutcomeKind kind, Instant at, Long durationMillis, boolean breached) {
    TicketOutcome fact = new TicketOutcome();
    fact.setTicketId(TICKET);
    fact.setKind(kind);
    fact.setVersion(1);
    fact.setSign(TicketOutcome.ADD);
    fact.setAt(at);
    fact.setOpenedAt(OPENED);
    fact.setChannel("chat");
    fact.setSegment("vip");
    fact.setDurationMillis(durationMillis);
    fact.setSlaTargetMillis(TARGET.toMillis());
    fact.setSlaBreached(breached);
    return fact;
  }

  private void watermark(Instant time) throws Exception {
    harness.processBothWatermarks(
        new org.apache.flink.streaming.api.watermark.Watermark(time.toEpochMilli()));
  }

  private List<JoinedSurvey> joined() {
    return harness.extractOutputValues();
  }
}
