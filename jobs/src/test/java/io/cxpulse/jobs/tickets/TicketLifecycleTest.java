package io.cxpulse.jobs.tickets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cxpulse.events.TicketActor;
import io.cxpulse.events.TicketEvent;
import io.cxpulse.events.TicketEventType;
import io.cxpulse.events.TicketPriority;
import io.cxpulse.jobs.TestEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TicketLifecycleTest {

  private static final SlaPolicy SLA = (channel, priority) -> Duration.ofMinutes(10);
  private static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");

  private int eventCounter;

  @Test
  void everyArrivalOrderGivesTheSameFacts() {
    List<TicketEvent> events =
        List.of(
            event(TicketEventType.OPENED, T0),
            event(TicketEventType.BOT_REPLY, T0.plusSeconds(1)),
            event(TicketEventType.AGENT_REPLY, T0.plus(Duration.ofMinutes(12))),
            event(TicketEventType.RESOLVED, T0.plus(Duration.ofMinutes(30))),
            event(TicketEventType.REOPENED, T0.plus(Duration.ofMinutes(40))),
            event(TicketEventType.RESOLVED, T0.plus(Duration.ofMinutes(45))));
    List<TicketOutcome> expected = TicketLifecycle.of(events, SLA).facts();
    assertThat(expected)
        .extracting(TicketOutcome::getKind)
        .containsExactly(
            TicketOutcomeKind.OPENED,
            TicketOutcomeKind.SLA_BREACHED_UNANSWERED,
            TicketOutcomeKind.FIRST_RESPONSE,
            TicketOutcomeKind.RESOLVED,
            TicketOutcomeKind.OPENED,
            TicketOutcomeKind.RESOLVED);
    for (List<TicketEvent> permutation : permutations(events)) {
      assertThat(TicketLifecycle.of(permutation, SLA).facts()).isEqualTo(expected);
    }
  }

  @Test
  void replyTimedBeforeOpenedIsIgnoredAndOpenedBeforeReplyAtTheSameMillisecond() {
    List<TicketOutcome> facts =
        TicketLifecycle.of(
                List.of(
                    event(TicketEventType.AGENT_REPLY, T0.minusSeconds(5)),
                    event(TicketEventType.AGENT_REPLY, T0.plusSeconds(60)),
                    event(TicketEventType.OPENED, T0)),
                SLA)
            .facts();
    assertThat(facts)
        .filteredOn(f -> f.getKind() == TicketOutcomeKind.FIRST_RESPONSE)
        .singleElement()
        .extracting(TicketOutcome::getDurationMillis)
        .isEqualTo(60_000L);

    // Same millisecond, reply's event_id sorts first: lifecycle order still puts OPENED first.
    TicketEvent reply =
        TestEvents.ticket()
            .setEventId("a")
            .setEventType(TicketEventType.AGENT_REPLY)
            .setActor(TicketActor.AGENT)
            .setEventTime(T0)
            .build();
    TicketEvent opened =
        TestEvents.ticket()
            .setEventId("b")
            .setEventType(TicketEventType.OPENED)
            .setActor(TicketActor.CUSTOMER)
            .setEventTime(T0)
            .build();
    assertThat(TicketLifecycle.of(List.of(reply, opened), SLA).facts())
        .filteredOn(f -> f.getKind() == TicketOutcomeKind.FIRST_RESPONSE)
        .singleElement()
        .extracting(TicketOutcome::getDurationMillis)
        .isEqualTo(0L);
  }

  @Test
  void anEventOfUnknownTypeChangesNothing() {
    List<TicketEvent> known =
        List.of(
            event(TicketEventType.OPENED, T0),
            event(TicketEventType.AGENT_REPLY, T0.plus(Duration.ofMinutes(5))),
            event(TicketEventType.RESOLVED, T0.plus(Duration.ofMinutes(30))));
    List<TicketEvent> withUnknown = new ArrayList<>(known);
    withUnknown.add(event(TicketEventType.UNKNOWN, T0.plus(Duration.ofMinutes(1))));
    withUnknown.add(event(TicketEventType.UNKNOWN, T0.plus(Duration.ofMinutes(40))));

    assertThat(TicketLifecycle.of(withUnknown, SLA).facts())
        .isNotEmpty()
        .isEqualTo(TicketLifecycle.of(known, SLA).facts());
    assertThat(TicketLifecycle.of(List.of(event(TicketEventType.UNKNOWN, T0)), SLA).isStarted())
        .isFalse();
  }

  @Test
  void theSlaTargetIsThatOfThePriorityAtOpening() {
    SlaPolicy byPriority =
        (channel, priority) ->
            priority == TicketPriority.URGENT ? Duration.ofMinutes(5) : Duration.ofMinutes(60);
    TicketEvent opened =
        TicketEvent.newBuilder(event(TicketEventType.OPENED, T0))
            .setPriority(TicketPriority.LOW)
            .build();
    TicketEvent escalatedReply =
        TicketEvent.newBuilder(event(TicketEventType.AGENT_REPLY, T0.plus(Duration.ofMinutes(30))))
            .setPriority(TicketPriority.URGENT)
            .build();

    assertThat(TicketLifecycle.of(List.of(opened, escalatedReply), byPriority).facts())
        .filteredOn(f -> f.getKind() == TicketOutcomeKind.FIRST_RESPONSE)
        .singleElement()
        .satisfies(
            response -> {
              assertThat(response.getSlaTargetMillis())
                  .isEqualTo(Duration.ofMinutes(60).toMillis());
              assertThat(response.isSlaBreached()).isFalse();
              assertThat(response.getPriority()).isEqualTo(TicketPriority.LOW);
            });
  }

  @Test
  void withoutAnOpeningNothingIsDerived() {
    TicketLifecycle lifecycle =
        TicketLifecycle.of(
            List.of(event(TicketEventType.AGENT_REPLY, T0), event(TicketEventType.RESOLVED, T0)),
            SLA);
    assertThat(lifecycle.isStarted()).isFalse();
    assertThat(lifecycle.facts()).isEmpty();
  }

  @Test
  void rejectsANegativeTarget() {
    assertThatThrownBy(
            () ->
                TicketLifecycle.of(
                    List.of(event(TicketEventType.OPENED, T0)), (c, p) -> Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void exactlyOneFactEndsTheWaitForAFirstResponseTheFirstOfReplyResolutionAndDeadline() {
    // Deadline T0 + 10 min. Replied on time: the reply ends it.
    assertThat(
            waitEnd(
                event(TicketEventType.OPENED, T0),
                event(TicketEventType.AGENT_REPLY, T0.plus(Duration.ofMinutes(4))),
                event(TicketEventType.RESOLVED, T0.plus(Duration.ofMinutes(8)))))
        .containsExactly(TicketOutcomeKind.FIRST_RESPONSE);
    // Resolved before any reply, within the SLA (bot-resolved): the resolution ends it, and a
    // later reply does not end it again.
    assertThat(
            waitEnd(
                event(TicketEventType.OPENED, T0),
                event(TicketEventType.RESOLVED, T0.plus(Duration.ofMinutes(3))),
                event(TicketEventType.AGENT_REPLY, T0.plus(Duration.ofMinutes(15)))))
        .containsExactly(TicketOutcomeKind.RESOLVED);
    // Neither by the deadline: the breach ends it; the late reply does not.
    assertThat(
            waitEnd(
                event(TicketEventType.OPENED, T0),
                event(TicketEventType.AGENT_REPLY, T0.plus(Duration.ofMinutes(12)))))
        .containsExactly(TicketOutcomeKind.SLA_BREACHED_UNANSWERED);
    // A reply exactly at the deadline is on time.
    assertThat(
            waitEnd(
                event(TicketEventType.OPENED, T0),
                event(TicketEventType.AGENT_REPLY, T0.plus(Duration.ofMinutes(10)))))
        .containsExactly(TicketOutcomeKind.FIRST_RESPONSE);
    // Still waiting: nothing has ended it, but its deadline will (a fact not decided yet).
    assertThat(waitEnd(event(TicketEventType.OPENED, T0)))
        .containsExactly(TicketOutcomeKind.SLA_BREACHED_UNANSWERED);
    // An episode started by a reopen never waits.
    assertThat(waitEnd(event(TicketEventType.REOPENED, T0))).isEmpty();
  }

  @Test
  void theWaitingCountAddsUpToZeroOnceEveryWaitEnded() {
    TicketComponents components = new TicketComponents();
    TicketLifecycle.of(
            List.of(
                event(TicketEventType.OPENED, T0),
                event(TicketEventType.AGENT_REPLY, T0.plus(Duration.ofMinutes(4)))),
            SLA)
        .facts()
        .forEach(components::add);
    assertThat(components.getAwaitingFirstResponseDelta()).isZero();

    TicketComponents opening = new TicketComponents();
    opening.add(TicketLifecycle.of(List.of(event(TicketEventType.OPENED, T0)), SLA).facts().get(0));
    assertThat(opening.getAwaitingFirstResponseDelta()).isOne();
  }

  private List<TicketOutcomeKind> waitEnd(TicketEvent... events) {
    return TicketLifecycle.of(List.of(events), SLA).facts().stream()
        .filter(TicketOutcome::isEndsFirstResponseWait)
        .map(TicketOutcome::getKind)
        .toList();
  }

  private TicketEvent event(TicketEventType type, Instant time) {
    return TestEvents.ticket()
        .setEventId("evt-" + eventCounter++)
        .setEventType(type)
        .setActor(
            switch (type) {
              case AGENT_REPLY -> TicketActor.AGENT;
              case BOT_REPLY -> TicketActor.BOT;
              default -> TicketActor.CUSTOMER;
            })
        .setEventTime(time)
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
        List<T> permutation = new ArrayList<>(List.of(head));
        permutation.addAll(tail);
        result.add(permutation);
      }
    }
    return result;
  }
}
