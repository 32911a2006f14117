package io.cxpulse.jobs.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.cxpulse.events.Channel;
import io.cxpulse.events.TicketEvent;
import io.cxpulse.events.TicketEventType;
import io.cxpulse.events.TicketPriority;
import io.cxpulse.jobs.generator.GeneratedTicket.SlaVerdict;
import io.cxpulse.jobs.validation.TicketEventValidator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TicketTrafficGeneratorTest {

  private static final Instant START = Instant.parse("2025-06-01T08:00:00Z");
  private static final List<GeneratedTicket> TICKETS =
      TicketTrafficGenerator.create(42, START, 1.0).tickets(20_000);

  @Test
  void sameSeedGivesTheSameTicketsAndAnotherSeedOthers() {
    List<GeneratedTicket> again = TicketTrafficGenerator.create(42, START, 1.0).tickets(500);
    List<GeneratedTicket> other = TicketTrafficGenerator.create(43, START, 1.0).tickets(500);

    assertThat(again).isEqualTo(TICKETS.subList(0, 500));
    assertThat(other.get(0).events()).isNotEqualTo(TICKETS.get(0).events());
  }

  @Test
  void everyEventIsValidUniqueAndInOrderWithinItsTicket() {
    TicketEventValidator validator = new TicketEventValidator();
    Set<String> ids = new HashSet<>();
    long far = Instant.parse("2030-01-01T00:00:00Z").toEpochMilli();
    for (GeneratedTicket ticket : TICKETS) {
      List<TicketEvent> events = ticket.events();
      assertThat(events.get(0).getEventType()).isEqualTo(TicketEventType.OPENED);
      for (int i = 0; i < events.size(); i++) {
        TicketEvent event = events.get(i);
        assertThat(validator.validate(event, far).isOk()).as("%s", event).isTrue();
        assertThat(ids.add(event.getEventId())).as("unique %s", event.getEventId()).isTrue();
        assertThat(event.getTicketId()).isEqualTo(ticket.ticketId());
        assertThat(event.getChannel()).isEqualTo(ticket.channel());
        assertThat(event.getPriority()).isEqualTo(ticket.priority());
        if (i > 0) {
          assertThat(event.getEventTime()).isAfter(events.get(i - 1).getEventTime());
        }
      }
    }
  }

  @Test
  void theTruthIsTheTicketsOwnEvents() {
    for (GeneratedTicket ticket : TICKETS) {
      Instant firstAgentReply =
          ticket.events().stream()
              .filter(e -> e.getEventType() == TicketEventType.AGENT_REPLY)
              .map(TicketEvent::getEventTime)
              .findFirst()
              .orElse(null);
      assertThat(ticket.firstAgentReplyAt()).isEqualTo(firstAgentReply);
      List<Instant> starts =
          ticket.events().stream()
              .filter(
                  e ->
                      e.getEventType() == TicketEventType.OPENED
                          || e.getEventType() == TicketEventType.REOPENED)
              .map(TicketEvent::getEventTime)
              .toList();
      List<Instant> resolutions =
          ticket.events().stream()
              .filter(e -> e.getEventType() == TicketEventType.RESOLVED)
              .map(TicketEvent::getEventTime)
              .toList();
      assertThat(ticket.episodes()).extracting(GeneratedTicket.Episode::start).isEqualTo(starts);
      assertThat(
              ticket.episodes().stream()
                  .map(GeneratedTicket.Episode::resolvedAt)
                  .filter(r -> r != null)
                  .toList())
          .isEqualTo(resolutions);
    }
  }

  @Test
  void lifecyclesLookLikeRealSupport() {
    // Medians of NORMAL first replies per channel, against the configured medians (σ ≤ 0.9:
    // the sample median of a few thousand is within a few percent).
    for (Channel channel : List.of(Channel.CHAT, Channel.EMAIL, Channel.PHONE)) {
      List<Long> normal =
          TICKETS.stream()
              .filter(t -> t.channel() == channel && t.priority() == TicketPriority.NORMAL)
              .filter(t -> t.firstAgentReplyAt() != null)
              .map(t -> t.firstResponseTime().orElseThrow().toMillis())
              .sorted()
              .toList();
      double median = normal.get(normal.size() / 2);
      assertThat(median / TicketTrafficGenerator.FIRST_REPLY_MEDIAN.get(channel).toMillis())
          .as("%s median first reply", channel)
          .isCloseTo(1.0, within(0.15));
    }
    // Urgent tickets are answered faster than low ones.
    assertThat(medianFirstReply(t -> t.priority() == TicketPriority.URGENT))
        .isLessThan(medianFirstReply(t -> t.priority() == TicketPriority.LOW) / 4);

    // Some breaches on every channel, not most.
    Map<Channel, Double> breachShare =
        TICKETS.stream()
            .collect(
                Collectors.groupingBy(
                    GeneratedTicket::channel,
                    Collectors.averagingDouble(t -> t.breachCountedAt().isPresent() ? 1.0 : 0.0)));
    assertThat(breachShare.values()).allSatisfy(share -> assertThat(share).isBetween(0.02, 0.35));

    double reopened = share(t -> t.episodes().size() > 1);
    assertThat(reopened).isBetween(0.05, 0.09);
    assertThat(share(GeneratedTicket::isOpen)).isBetween(0.03, 0.10);
    assertThat(share(t -> t.slaVerdict() == SlaVerdict.NONE)).isPositive();
    assertThat(share(t -> t.slaVerdict() == SlaVerdict.BREACHED_AT_DEADLINE)).isPositive();
    assertThat(share(t -> hasType(t, TicketEventType.BOT_REPLY) && t.channel() == Channel.CHAT))
        .isPositive();
    assertThat(TICKETS)
        .filteredOn(t -> t.channel() == Channel.EMAIL)
        .noneMatch(t -> hasType(t, TicketEventType.BOT_REPLY));
    assertThat(TICKETS.stream().mapToInt(t -> t.events().size()).average().orElseThrow())
        .isBetween(5.5, 8.0);
  }

  @Test
  void theEventIteratorMergesAllTicketsInEventTimeOrder() {
    List<TicketEvent> merged = TicketTrafficGenerator.create(42, START, 1.0).take(30_000);
    for (int i = 1; i < merged.size(); i++) {
      assertThat(merged.get(i).getEventTime()).isAfterOrEqualTo(merged.get(i - 1).getEventTime());
    }
    Instant last = merged.get(merged.size() - 1).getEventTime();
    Set<String> expected = new HashSet<>();
    for (GeneratedTicket ticket : TICKETS) {
      if (ticket.openedAt().isBefore(last)) {
        ticket.events().stream()
            .filter(e -> e.getEventTime().isBefore(last))
            .forEach(e -> expected.add(e.getEventId()));
      }
    }
    Set<String> before =
        merged.stream()
            .filter(e -> e.getEventTime().isBefore(last))
            .map(TicketEvent::getEventId)
            .collect(Collectors.toSet());
    assertThat(before).isEqualTo(expected);

    TicketTrafficGenerator events = TicketTrafficGenerator.create(1, START, 1.0);
    events.next();
    assertThatThrownBy(events::nextTicket).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aSlowdownDelaysOnlyTheFirstRepliesOfItsChannelAndInterval() {
    Instant from = START.plus(Duration.ofMinutes(30));
    SupportSlowdown slowdown = SupportSlowdown.incident(Channel.CHAT, from, Duration.ofHours(1));
    List<GeneratedTicket> slow =
        TicketTrafficGenerator.builder(42, START, 1.0).slowdown(slowdown).build().tickets(20_000);

    int affected = 0;
    for (int i = 0; i < slow.size(); i++) {
      GeneratedTicket base = TICKETS.get(i);
      GeneratedTicket changed = slow.get(i);
      if (slowdown.appliesTo(base.channel(), base.openedAt()) && base.firstAgentReplyAt() != null) {
        affected++;
        long before = base.firstResponseTime().orElseThrow().toMillis();
        long after = changed.firstResponseTime().orElseThrow().toMillis();
        if (before > 20_000) {
          // Past the bot's reply (at most 15 s), the delay is the drawn one, times the factor.
          assertThat((double) after / before)
              .isCloseTo(SupportSlowdown.INCIDENT_FACTOR, within(0.01));
        } else {
          assertThat(after).isGreaterThanOrEqualTo(before);
        }
        // Same ticket, same draws: only times move (and a chase may now fit before the reply).
        assertThat(changed.openedAt()).isEqualTo(base.openedAt());
        assertThat(changed.priority()).isEqualTo(base.priority());
        assertThat(changed.episodes()).hasSameSizeAs(base.episodes());
      } else {
        assertThat(changed).isEqualTo(base);
      }
    }
    assertThat(affected).isGreaterThan(500);
  }

  @Test
  void hotShareConcentratesTicketsOnOneChannelAndSegment() {
    List<GeneratedTicket> hot =
        TicketTrafficGenerator.builder(42, START, 1.0).hotShare(0.9).build().tickets(10_000);
    long onHotKey =
        hot.stream()
            .filter(
                t ->
                    t.channel() == TicketTrafficGenerator.DEFAULT_HOT_CHANNEL
                        && t.segment().equals(TicketTrafficGenerator.DEFAULT_HOT_SEGMENT))
            .count();
    assertThat(onHotKey / 10_000.0).isBetween(0.90, 0.94);
  }

  @Test
  void incidentSyntax() {
    assertThat(SupportSlowdown.parseChannel("slow-support:chat")).isEqualTo(Channel.CHAT);
    assertThat(SupportSlowdown.parseChannel(" SLOW-SUPPORT:Mobile_App "))
        .isEqualTo(Channel.MOBILE_APP);
    assertThatThrownBy(() -> SupportSlowdown.parseChannel("slow-support:fax"))
        .hasMessageContaining("unknown channel")
        .hasMessageContaining("chat");
    assertThatThrownBy(() -> SupportSlowdown.parseChannel("csat-drop:chat"))
        .hasMessageContaining("slow-support:CHANNEL");
  }

  private static double medianFirstReply(Predicate<GeneratedTicket> filter) {
    List<Long> values = new ArrayList<>();
    for (GeneratedTicket t : TICKETS) {
      if (filter.test(t) && t.firstAgentReplyAt() != null) {
        values.add(t.firstResponseTime().orElseThrow().toMillis());
      }
    }
    values.sort(null);
    return values.get(values.size() / 2);
  }

  private static double share(Predicate<GeneratedTicket> filter) {
    return TICKETS.stream().filter(filter).count() / (double) TICKETS.size();
  }

  private static boolean hasType(GeneratedTicket ticket, TicketEventType type) {
    return ticket.events().stream().anyMatch(e -> e.getEventType() == type);
  }
}
