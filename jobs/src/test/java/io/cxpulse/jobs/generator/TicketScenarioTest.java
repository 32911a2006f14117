package io.cxpulse.jobs.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cxpulse.events.TicketEvent;
import io.cxpulse.events.TicketEventType;
import io.cxpulse.jobs.codec.DecodeResult;
import io.cxpulse.jobs.codec.EventDecoder;
import io.cxpulse.jobs.codec.SchemaCatalog;
import io.cxpulse.jobs.generator.SurveyScenario.Fate;
import io.cxpulse.jobs.generator.TicketScenario.Kind;
import io.cxpulse.jobs.generator.TicketScenario.ScenarioRecord;
import io.cxpulse.jobs.validation.RejectReason;
import io.cxpulse.jobs.validation.TicketEventValidator;
import io.cxpulse.jobs.validation.ValidationResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TicketScenarioTest {

  private static final Instant START = Instant.parse("2025-06-01T08:00:00Z");
  private static final Instant REFERENCE = Instant.parse("2025-06-20T00:00:00Z");
  private static final TicketScenario SCENARIO =
      TicketScenario.builder(11, START, REFERENCE).tickets(9_500).build();

  private static final long WINDOW = SCENARIO.windowSize().toMillis();
  private static final long BOUND = SCENARIO.outOfOrderness().toMillis();
  private static final long LATENESS = SCENARIO.allowedLateness().toMillis();

  private static long windowEnd(TicketEvent event) {
    return SurveyScenario.windowEnd(event.getEventTime(), SCENARIO.windowSize()).toEpochMilli();
  }

  @Test
  void holdsEveryKindAndAtLeastFiftyThousandEvents() {
    Map<Kind, Long> kinds = SCENARIO.kindCounts();
    assertThat(kinds).containsOnlyKeys(Kind.values());
    assertThat(SCENARIO.countedEvents()).hasSizeGreaterThanOrEqualTo(50_000);
    assertThat(kinds.get(Kind.LATE_REPLY)).isEqualTo(20);
    assertThat(kinds.get(Kind.TOO_LATE)).isEqualTo(3);
    assertThat(SCENARIO.lateReplyTickets()).hasSize(20).doesNotHaveDuplicates();
    Set<RejectReason> reasons =
        SCENARIO.records().stream()
            .map(ScenarioRecord::fate)
            .filter(f -> !f.isCounted())
            .map(Fate::rejectReason)
            .collect(Collectors.toSet());
    assertThat(reasons).containsExactlyInAnyOrder(RejectReason.values());
  }

  @Test
  void sameSeedGivesTheSameRecords() {
    TicketScenario again = TicketScenario.builder(11, START, REFERENCE).tickets(9_500).build();
    assertThat(again.records()).hasSameSizeAs(SCENARIO.records());
    for (int i = 0; i < again.records().size(); i++) {
      assertThat(again.records().get(i).value()).isEqualTo(SCENARIO.records().get(i).value());
      assertThat(again.records().get(i).kind()).isEqualTo(SCENARIO.records().get(i).kind());
    }
  }

  @Test
  void everyRecordIsWhereItsFateIsCertain() {
    Map<String, GeneratedTicket> tickets = new HashMap<>();
    SCENARIO.tickets().forEach(t -> tickets.put(t.ticketId(), t));
    Map<String, Integer> firstIndex = new HashMap<>();
    long lastPosition = Long.MIN_VALUE;
    List<ScenarioRecord> records = SCENARIO.records();
    for (int i = 0; i < records.size(); i++) {
      ScenarioRecord record = records.get(i);
      long position = record.streamPosition().toEpochMilli();
      assertThat(position).as("positions never decrease").isGreaterThanOrEqualTo(lastPosition);
      lastPosition = position;
      if (record.kind() == Kind.BAD) {
        continue;
      }
      TicketEvent event = record.event().orElseThrow();
      long time = event.getEventTime().toEpochMilli();
      long end = windowEnd(event);
      switch (record.kind()) {
        case ON_TIME -> {
          assertThat(time).isGreaterThanOrEqualTo(position - BOUND);
          assertThat(firstIndex.put(event.getEventId(), i)).isNull();
        }
        case LATE -> {
          assertThat(position).isBetween(end + BOUND, end + LATENESS - 1);
          assertThat(firstIndex.put(event.getEventId(), i)).isNull();
        }
        case LATE_REPLY -> {
          GeneratedTicket ticket = tickets.get(event.getTicketId());
          assertThat(event.getEventType()).isEqualTo(TicketEventType.AGENT_REPLY);
          assertThat(event.getEventTime()).isEqualTo(ticket.firstAgentReplyAt());
          assertThat(event.getEventTime()).isBeforeOrEqualTo(ticket.deadline());
          assertThat(position).isGreaterThan(ticket.deadline().toEpochMilli() + BOUND);
          assertThat(position).isLessThan(end + LATENESS - 1);
          assertThat(firstIndex.put(event.getEventId(), i)).isNull();
        }
        case DUPLICATE -> {
          assertThat(firstIndex).containsKey(event.getEventId());
          assertThat(record.value())
              .isEqualTo(records.get(firstIndex.get(event.getEventId())).value());
          assertThat(position).isLessThan(end + LATENESS - 1);
        }
        case TOO_LATE -> {
          assertThat(event.getEventType())
              .isIn(TicketEventType.CUSTOMER_REPLY, TicketEventType.BOT_REPLY);
          assertThat(position).isGreaterThan(end - 1 + LATENESS + BOUND + 1_000);
        }
        case BAD -> throw new AssertionError();
      }
    }
    // Every event of every ticket is sent once as counted, except the too-late ones.
    Set<String> tooLate =
        records.stream()
            .filter(r -> r.kind() == Kind.TOO_LATE)
            .map(r -> r.event().orElseThrow().getEventId())
            .collect(Collectors.toSet());
    Set<String> all = new HashSet<>();
    SCENARIO.tickets().forEach(t -> t.events().forEach(e -> all.add(e.getEventId())));
    assertThat(firstIndex.keySet()).hasSize(all.size() - tooLate.size());
    assertThat(SCENARIO.countedEvents()).hasSize(all.size() - tooLate.size());
  }

  @Test
  void badRecordsAreRejectedForTheirReasonAndTheRestDecodes() {
    EventDecoder<TicketEvent> decoder =
        EventDecoder.tickets(SchemaCatalog.loadFromClasspath().store());
    TicketEventValidator validator = new TicketEventValidator();
    for (ScenarioRecord record : SCENARIO.records()) {
      DecodeResult<TicketEvent> decoded = decoder.decode(record.value());
      RejectReason expected = record.fate().rejectReason();
      if (record.kind() != Kind.BAD) {
        assertThat(decoded.isOk()).isTrue();
        assertThat(validator.validate(decoded.value(), record.timestamp().toEpochMilli()).isOk())
            .isTrue();
        continue;
      }
      if (!decoded.isOk()) {
        assertThat(decoded.reason()).as(record.label()).isEqualTo(expected);
      } else {
        ValidationResult result =
            validator.validate(decoded.value(), record.timestamp().toEpochMilli());
        assertThat(result.reason()).as(record.label()).isEqualTo(expected);
      }
    }
  }

  @Test
  void anInOrderSkewedScenarioForTheSkewTest() {
    TicketScenario skewed =
        TicketScenario.builder(3, START, REFERENCE)
            .tickets(2_000)
            .hotShare(0.9)
            .outOfOrderness(Duration.ZERO)
            .lateFraction(0)
            .duplicateFraction(0)
            .lateReplies(0)
            .tooLateCount(0)
            .badRecords(false)
            .build();
    assertThat(skewed.kindCounts()).containsOnlyKeys(Kind.ON_TIME);
    List<ScenarioRecord> records = skewed.records();
    for (int i = 1; i < records.size(); i++) {
      assertThat(records.get(i).timestamp()).isAfterOrEqualTo(records.get(i - 1).timestamp());
    }
    long hot =
        skewed.tickets().stream()
            .filter(t -> t.channel() == TicketTrafficGenerator.DEFAULT_HOT_CHANNEL)
            .filter(t -> t.segment().equals(TicketTrafficGenerator.DEFAULT_HOT_SEGMENT))
            .count();
    assertThat(hot / 2_000.0).isGreaterThan(0.88);
  }

  @Test
  void rejectsEventsAfterTheReferenceTime() {
    assertThatThrownBy(
            () ->
                TicketScenario.builder(11, START, START.plus(Duration.ofHours(1)))
                    .tickets(100)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reference time");
  }

  @Test
  void printsItsShape() {
    Instant last =
        SCENARIO.tickets().stream()
            .map(GeneratedTicket::lastEventTime)
            .max(Instant::compareTo)
            .orElseThrow();
    System.out.printf(
        "TicketScenario: %d records, kinds %s, span %s, reasons %s%n",
        SCENARIO.records().size(),
        SCENARIO.kindCounts(),
        Duration.between(START, last),
        Arrays.toString(RejectReason.values()));
    assertThat(last).isBefore(REFERENCE);
  }
}
