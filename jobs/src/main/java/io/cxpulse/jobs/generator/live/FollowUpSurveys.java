package io.cxpulse.jobs.generator.live;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.jobs.generator.GeneratedTicket;
import io.cxpulse.jobs.generator.TicketFollowUpSurveys;
import io.cxpulse.jobs.generator.TicketTrafficGenerator;
import java.time.Duration;
import java.util.Comparator;
import java.util.Iterator;
import java.util.PriorityQueue;

/**
 * Post-contact surveys about the live tickets, in event-time order, so {@link LiveTraffic} can send
 * them like any other traffic and the driver split job has surveys with a {@code ticket_id} to
 * join.
 *
 * <p>It reads the tickets from its own {@link TicketTrafficGenerator}, built like the one whose
 * events go to the ticket topic (same seed, rate and incidents), so it sees the same tickets with
 * their truth (first reply, SLA verdict, resolution) that the event stream only spells out over
 * time; {@link TicketFollowUpSurveys} decides which tickets get a survey, when and with what score
 * (worse after a breach). Tickets come in order of opening but their surveys come after their
 * resolution, minutes to days later, so surveys wait in a queue ordered by event time until no
 * ticket still to be opened can have an earlier one. Ids are the untagged generator ids: {@link
 * TrafficPlan.EventShape#FOLLOW_UPS} tags {@code ticket_id} as the ticket plan tags the ticket's
 * own id, so the two still match on the wire.
 *
 * <p>Not thread-safe; {@link #hasNext()} is always true.
 */
public final class FollowUpSurveys implements Iterator<SurveyResponse> {

  /** Share of tickets whose customer answers a follow-up survey. */
  public static final double DEFAULT_SHARE = 0.5;

  /**
   * Latest a survey comes after the ticket's resolution (uniform from 1 minute): short, so that in
   * a local run of minutes the chat and phone tickets, which resolve within the hour, get theirs.
   */
  public static final Duration DEFAULT_MAX_DELAY = Duration.ofMinutes(5);

  private record Pending(long time, long sequence, SurveyResponse survey) {}

  private final TicketTrafficGenerator tickets;
  private final TicketFollowUpSurveys.Planner planner;
  private final PriorityQueue<Pending> pending =
      new PriorityQueue<>(
          Comparator.comparingLong(Pending::time).thenComparingLong(Pending::sequence));
  private GeneratedTicket lookahead;
  private long sequence;

  /**
   * @param tickets a generator built like the live ticket traffic's, not used for anything else
   * @param surveys which tickets get a survey, when, and its score
   */
  FollowUpSurveys(TicketTrafficGenerator tickets, TicketFollowUpSurveys surveys) {
    this.tickets = tickets;
    this.planner = surveys.planner();
  }

  /** The default share and delay, with {@code seed}. */
  static TicketFollowUpSurveys defaultSurveys(long seed) {
    return new TicketFollowUpSurveys(
        seed, DEFAULT_SHARE, TicketFollowUpSurveys.DEFAULT_BREACH_TILT, DEFAULT_MAX_DELAY);
  }

  @Override
  public boolean hasNext() {
    return true;
  }

  /** The next survey; its event time is at or after the previous one's. */
  @Override
  public SurveyResponse next() {
    if (lookahead == null) {
      lookahead = tickets.nextTicket();
    }
    // A survey comes after its ticket's opening, so once the next opening is later than the
    // earliest queued survey, no ticket still to come can have an earlier survey.
    while (pending.isEmpty() || lookahead.openedAt().toEpochMilli() <= pending.peek().time()) {
      planner
          .surveyFor(lookahead)
          .ifPresent(
              survey ->
                  pending.add(
                      new Pending(survey.getEventTime().toEpochMilli(), sequence++, survey)));
      lookahead = tickets.nextTicket();
    }
    return pending.poll().survey();
  }
}
