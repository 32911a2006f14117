package io.cxpulse.jobs.tickets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cxpulse.events.TicketActor;
import io.cxpulse.events.TicketEvent;
import io.cxpulse.events.TicketEventType;
import io.cxpulse.events.TicketPriority;
import io.cxpulse.jobs.TestEvents;
import io.cxpulse.metrics.LogHistogram;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TicketComponentsTest {

  private static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");
  private static final SlaPolicy TEN_MINUTES = (channel, priority) -> Duration.ofMinutes(10);

  @Test
  void countsEachKindOfFact() {
    TicketComponents c = new TicketComponents();
    c.add(opened("t1", false));
    c.add(opened("t2", false));
    c.add(opened("t2", true));
    c.add(firstResponse("t1", 60_000, false, false));
    c.add(firstResponse("t2", 900_000, true, true));
    c.add(breachAtDeadline("t2"));
    c.add(resolved("t1", 3_600_000));

    assertThat(c.getOpened()).isEqualTo(2);
    assertThat(c.getReopened()).isEqualTo(1);
    assertThat(c.firstResponses()).isEqualTo(2);
    assertThat(c.getFirstResponseTimes().getSumMillis()).isEqualTo(960_000);
    assertThat(c.getSlaMet()).isEqualTo(1);
    assertThat(c.getSlaBreached()).as("the late reply does not count the breach again").isOne();
    assertThat(c.getSlaBreachedUnanswered()).isOne();
    assertThat(c.getResolved()).isOne();
    assertThat(c.getResolutionTimes().getSumMillis()).isEqualTo(3_600_000);
    assertThat(c.backlogDelta()).isEqualTo(2);
    assertThat(c.records()).isEqualTo(7);
    LogHistogram frt = c.getFirstResponseTimes().toLogHistogram();
    assertThat(frt.count()).isEqualTo(2);
    assertThat(frt.countOf(LogHistogram.bucketIndex(60_000))).isOne();
    assertThat(frt.countOf(LogHistogram.bucketIndex(900_000))).isOne();
  }

  @Test
  void aBreachIsCountedOnceWhereverItIsDecided() {
    // Unanswered at the deadline, answered later: counted at the deadline only.
    TicketComponents atDeadline = new TicketComponents();
    atDeadline.add(breachAtDeadline("t1"));
    atDeadline.add(firstResponse("t1", 20 * 60_000, true, true));
    assertThat(atDeadline.getSlaBreached()).isOne();
    assertThat(atDeadline.getSlaBreachedUnanswered()).isOne();
    assertThat(atDeadline.getSlaMet()).isZero();

    // Resolved before the deadline without a reply, answered after it: counted at the reply.
    TicketComponents atReply = new TicketComponents();
    atReply.add(firstResponse("t2", 20 * 60_000, true, false));
    assertThat(atReply.getSlaBreached()).isOne();
    assertThat(atReply.getSlaBreachedUnanswered()).isZero();

    // A reply that overtook the deadline retracts the breach counted there.
    TicketComponents retracted = new TicketComponents();
    TicketOutcome breach = breachAtDeadline("t3");
    retracted.add(breach);
    retracted.add(breach.retraction());
    retracted.add(firstResponse("t3", 9 * 60_000, false, false));
    assertThat(retracted.getSlaBreached()).isZero();
    assertThat(retracted.getSlaBreachedUnanswered()).isZero();
    assertThat(retracted.getSlaMet()).isOne();
    assertThat(retracted.records()).isEqualTo(3);
  }

  @Test
  void retractionsCancelExactlyInEveryComponentAndBucket() {
    List<TicketOutcome> facts =
        List.of(
            opened("t1", false),
            opened("t1", true),
            firstResponse("t1", 123_456, false, false),
            firstResponse("t2", 7_200_000, true, false),
            breachAtDeadline("t3"),
            resolved("t1", 0),
            resolved("t2", 86_400_000L * 40)); // overflow bucket
    TicketComponents c = new TicketComponents();
    facts.forEach(c::add);
    facts.forEach(f -> c.add(f.retraction()));

    assertThat(c.sameComponentsAs(new TicketComponents())).as("%s", c).isTrue();
    assertThat(c.getFirstResponseTimes().getBucketIndexes()).isEmpty();
    assertThat(c.getResolutionTimes().getBucketCounts()).isEmpty();
    assertThat(c.records()).isEqualTo(2L * facts.size());
  }

  @Test
  void partialsMergeToTheSameTotalHoweverTheFactsAreSplit() {
    SplittableRandom random = new SplittableRandom(7);
    List<TicketOutcome> records = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      TicketOutcome fact =
          switch (random.nextInt(4)) {
            case 0 -> opened("t" + i, random.nextBoolean());
            case 1 ->
                firstResponse("t" + i, random.nextLong(1, 40_000_000), random.nextBoolean(), false);
            case 2 -> breachAtDeadline("t" + i);
            default -> resolved("t" + i, random.nextLong(0, 400_000_000));
          };
      records.add(fact);
      if (random.nextInt(4) == 0) {
        records.add(fact.retraction());
      }
    }
    TicketComponents serial = new TicketComponents();
    records.forEach(serial::add);

    for (int split = 1; split < records.size(); split += 37) {
      TicketComponents head = new TicketComponents();
      TicketComponents tail = new TicketComponents();
      records.subList(0, split).forEach(head::add);
      records.subList(split, records.size()).forEach(tail::add);
      // A tail may hold only retractions: a negative partial, still merging exactly.
      assertThat(head.merge(tail)).isEqualTo(serial);
    }
    TicketComponents reversed = new TicketComponents();
    for (int i = records.size() - 1; i >= 0; i--) {
      reversed.add(records.get(i));
    }
    assertThat(reversed).isEqualTo(serial);
  }

  @Test
  void aPartialHoldingOnlyARetractionIsNegativeAndCancelsOnMerge() {
    TicketOutcome reply = firstResponse("t1", 300_000, false, false);
    TicketComponents first = new TicketComponents().add(reply);
    TicketComponents second = new TicketComponents().add(reply.retraction());

    assertThat(second.getSlaMet()).isEqualTo(-1);
    assertThat(second.getFirstResponseTimes().getBucketCounts()).containsExactly(-1L);
    assertThat(second.getFirstResponseTimes().getSumMillis()).isEqualTo(-300_000);
    assertThatThrownBy(() -> second.getFirstResponseTimes().toLogHistogram())
        .isInstanceOf(IllegalArgumentException.class);

    first.merge(second);
    assertThat(first.sameComponentsAs(new TicketComponents())).isTrue();
    assertThat(first.records()).isEqualTo(2);
  }

  @Test
  void factsOfRealLifecyclesAddUp() {
    // Opened, bot reply, agent reply after the deadline, resolved, reopened and resolved again.
    List<TicketEvent> events =
        List.of(
            event("e1", TicketEventType.OPENED, T0),
            event("e2", TicketEventType.BOT_REPLY, T0.plusSeconds(5)),
            event("e3", TicketEventType.AGENT_REPLY, T0.plus(Duration.ofMinutes(12))),
            event("e4", TicketEventType.RESOLVED, T0.plus(Duration.ofMinutes(30))),
            event("e5", TicketEventType.REOPENED, T0.plus(Duration.ofMinutes(40))),
            event("e6", TicketEventType.RESOLVED, T0.plus(Duration.ofMinutes(45))));
    TicketComponents c = new TicketComponents();
    TicketLifecycle.of(events, TEN_MINUTES).facts().forEach(c::add);

    assertThat(c.getOpened()).isOne();
    assertThat(c.getReopened()).isOne();
    assertThat(c.firstResponses()).isOne();
    assertThat(c.getFirstResponseTimes().getSumMillis()).isEqualTo(12 * 60_000);
    assertThat(c.getSlaBreached()).isOne();
    assertThat(c.getSlaMet()).isZero();
    assertThat(c.getResolved()).isEqualTo(2);
    // Each episode from its own start: 30 min and 5 min.
    assertThat(c.getResolutionTimes().getSumMillis()).isEqualTo(35 * 60_000);
    assertThat(c.backlogDelta()).isZero();
  }

  @Test
  void rejectsABadSignOrAMissingDuration() {
    TicketOutcome badSign = opened("t1", false);
    badSign.setSign(0);
    assertThatThrownBy(() -> new TicketComponents().add(badSign))
        .isInstanceOf(IllegalArgumentException.class);
    TicketOutcome noDuration = resolved("t1", 1);
    noDuration.setDurationMillis(null);
    assertThatThrownBy(() -> new TicketComponents().add(noDuration))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static TicketOutcome fact(String ticket, TicketOutcomeKind kind) {
    TicketOutcome fact = new TicketOutcome();
    fact.setTicketId(ticket);
    fact.setKind(kind);
    fact.setVersion(1);
    fact.setSign(TicketOutcome.ADD);
    fact.setAt(T0);
    fact.setOpenedAt(T0);
    fact.setChannel("chat");
    fact.setSegment("vip");
    fact.setPriority(TicketPriority.HIGH);
    return fact;
  }

  private static TicketOutcome opened(String ticket, boolean reopened) {
    TicketOutcome fact = fact(ticket, TicketOutcomeKind.OPENED);
    fact.setReopened(reopened);
    fact.setEpisode(reopened ? 1 : 0);
    return fact;
  }

  private static TicketOutcome firstResponse(
      String ticket, long millis, boolean breached, boolean countedAtDeadline) {
    TicketOutcome fact = fact(ticket, TicketOutcomeKind.FIRST_RESPONSE);
    fact.setDurationMillis(millis);
    fact.setSlaTargetMillis(600_000L);
    fact.setSlaBreached(breached);
    fact.setBreachCountedAtDeadline(countedAtDeadline);
    return fact;
  }

  private static TicketOutcome breachAtDeadline(String ticket) {
    TicketOutcome fact = fact(ticket, TicketOutcomeKind.SLA_BREACHED_UNANSWERED);
    fact.setSlaTargetMillis(600_000L);
    fact.setSlaBreached(true);
    return fact;
  }

  private static TicketOutcome resolved(String ticket, long millis) {
    TicketOutcome fact = fact(ticket, TicketOutcomeKind.RESOLVED);
    fact.setDurationMillis(millis);
    return fact;
  }

  private static TicketEvent event(String id, TicketEventType type, Instant time) {
    TicketActor actor =
        switch (type) {
          case AGENT_REPLY, RESOLVED -> TicketActor.AGENT;
          case BOT_REPLY -> TicketActor.BOT;
          default -> TicketActor.CUSTOMER;
        };
    return TestEvents.ticket()
        .setEventId(id)
        .setTicketId("tkt-1")
        .setEventType(type)
        .setActor(actor)
        .setEventTime(time)
        .build();
  }
}
