package io.cxpulse.jobs.tickets;

import io.cxpulse.events.TicketEvent;
import io.cxpulse.jobs.pipeline.Dimensions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The support-ticket rules as a pure function of the events seen for one ticket_id: no Flink, so it
 * is unit-testable and {@link TicketLifecycleFunction} only adds state and timers around it.
 *
 * <p>Like the checkout rule, it re-derives everything from all events sorted by (event_time,
 * event_id), so the result does not depend on arrival order: an agent reply that arrives before the
 * ticket's OPENED but is timed after it is simply waiting in state until OPENED arrives (nothing is
 * derived for a ticket whose opening has not been seen).
 *
 * <p>The rules, in event-time order:
 *
 * <ul>
 *   <li><b>Episodes.</b> OPENED starts the first episode (a second OPENED is ignored). RESOLVED
 *       ends the open episode (a RESOLVED with no open episode is ignored). REOPENED after a
 *       resolution starts a new episode (a REOPENED of an open ticket is ignored). A REOPENED with
 *       no earlier episode in state starts an episode too: the ticket's earlier state was cleaned
 *       up after its resolution, or was before this job's start.
 *   <li><b>Reopen rule: each episode is counted.</b> Resolution time of an episode = episode start
 *       (OPENED, or REOPENED) → its RESOLVED, and an earlier resolution is never taken back by a
 *       reopen. Why not "opened → final resolution": a reopen can come days after the resolution,
 *       long after the resolution's window row was final (allowed lateness) and after the ticket's
 *       state could reasonably be kept; retracting would either be impossible or make every
 *       resolved ticket's state live forever. With episodes every fact is final once the watermark
 *       passes it, state is bounded, and the backlog stays exact (+1 per episode opened, −1 per
 *       episode resolved). Views can still tell first resolutions from reopened ones ({@code
 *       reopened}).
 *   <li><b>First response</b> = the original OPENED → the first AGENT_REPLY at or after it. Bot and
 *       customer replies never count; replies timed before OPENED (clock skew) are ignored; only
 *       the original episode has a first response and an SLA (a reopened episode has neither).
 *   <li><b>SLA.</b> Deadline = opened + target(channel, priority of the OPENED event). Met iff the
 *       first agent reply is at or before the deadline. The ticket is <em>breached at the
 *       deadline</em> ({@code SLA_BREACHED_UNANSWERED}, at the deadline) if by then there is
 *       neither an agent reply nor a resolution: a ticket resolved before its deadline without an
 *       agent reply (bot-resolved, customer withdrew) was no longer waiting and has no SLA verdict.
 *   <li><b>Waiting for a first response.</b> From OPENED, the original episode waits for a first
 *       response within its SLA until the first of: an agent reply at or before the deadline, its
 *       resolution at or before the deadline, the deadline. The one fact at that moment carries
 *       {@code endsFirstResponseWait}, so the window rows can count the tickets still waiting.
 *   <li><b>Dimensions.</b> Channel, segment and priority of every fact are those of the episode's
 *       opening event, so an episode's +1 and −1 to the backlog land in the same series.
 * </ul>
 */
public final class TicketLifecycle {

  /**
   * Event-time order; at the same millisecond lifecycle order (OPENED before a reply, RESOLVED
   * before REOPENED), then event_id, so the order never depends on arrival.
   */
  private static final Comparator<TicketEvent> EVENT_TIME_ORDER =
      Comparator.comparing(TicketEvent::getEventTime)
          .thenComparing(TicketEvent::getEventType)
          .thenComparing(TicketEvent::getEventId);

  private final List<TicketOutcome> facts;
  private final boolean started;
  private final boolean open;
  private final Instant latestEventTime;

  private TicketLifecycle(
      List<TicketOutcome> facts, boolean started, boolean open, Instant latestEventTime) {
    this.facts = facts;
    this.started = started;
    this.open = open;
    this.latestEventTime = latestEventTime;
  }

  /** One episode while walking the events. */
  private static final class Episode {
    final TicketEvent start;
    final boolean reopened;
    Instant resolvedAt;

    Episode(TicketEvent start, boolean reopened) {
      this.start = start;
      this.reopened = reopened;
    }
  }

  /**
   * The facts the events of one ticket establish, as if all of them had been seen; each with
   * version 1 and sign +1, in event-time order.
   *
   * @param events the events of one ticket_id, in any order, at least one
   */
  public static TicketLifecycle of(Iterable<TicketEvent> events, SlaPolicy slaPolicy) {
    List<TicketEvent> sorted = new ArrayList<>();
    events.forEach(sorted::add);
    if (sorted.isEmpty()) {
      throw new IllegalArgumentException("a ticket lifecycle needs at least one event");
    }
    sorted.sort(EVENT_TIME_ORDER);

    List<Episode> episodes = new ArrayList<>();
    Instant firstAgentReply = null;
    for (TicketEvent event : sorted) {
      Episode current = episodes.isEmpty() ? null : episodes.get(episodes.size() - 1);
      switch (event.getEventType()) {
        case OPENED -> {
          if (current == null) {
            episodes.add(new Episode(event, false));
          }
        }
        case REOPENED -> {
          if (current == null || current.resolvedAt != null) {
            episodes.add(new Episode(event, true));
          }
        }
        case RESOLVED -> {
          if (current != null && current.resolvedAt == null) {
            current.resolvedAt = event.getEventTime();
          }
        }
        case AGENT_REPLY -> {
          if (current != null && !episodes.get(0).reopened && firstAgentReply == null) {
            firstAgentReply = event.getEventTime();
          }
        }
        case BOT_REPLY, CUSTOMER_REPLY, UNKNOWN -> {
          // Never a response: first response time counts human agents only.
        }
      }
    }

    String ticketId = sorted.get(0).getTicketId();
    List<TicketOutcome> facts = new ArrayList<>();
    for (int i = 0; i < episodes.size(); i++) {
      Episode episode = episodes.get(i);
      Instant openedAt = episode.start.getEventTime();
      facts.add(fact(ticketId, TicketOutcomeKind.OPENED, i, episode, openedAt));
      if (episode.resolvedAt != null) {
        TicketOutcome resolved =
            fact(ticketId, TicketOutcomeKind.RESOLVED, i, episode, episode.resolvedAt);
        resolved.setDurationMillis(Duration.between(openedAt, episode.resolvedAt).toMillis());
        facts.add(resolved);
      }
    }
    if (!episodes.isEmpty() && !episodes.get(0).reopened) {
      Episode original = episodes.get(0);
      Instant openedAt = original.start.getEventTime();
      Duration target =
          slaPolicy.firstResponseTarget(original.start.getChannel(), original.start.getPriority());
      if (target == null || target.isNegative()) {
        throw new IllegalArgumentException(
            "SLA target for "
                + original.start.getChannel()
                + "/"
                + original.start.getPriority()
                + " must not be null or negative: "
                + target);
      }
      Instant deadline = saturatingPlus(openedAt, target);
      boolean unansweredAtDeadline =
          (firstAgentReply == null || firstAgentReply.isAfter(deadline))
              && (original.resolvedAt == null || original.resolvedAt.isAfter(deadline));
      if (unansweredAtDeadline) {
        TicketOutcome breach =
            fact(ticketId, TicketOutcomeKind.SLA_BREACHED_UNANSWERED, 0, original, deadline);
        breach.setSlaTargetMillis(target.toMillis());
        breach.setSlaBreached(true);
        facts.add(breach);
      }
      if (firstAgentReply != null && !firstAgentReply.isBefore(openedAt)) {
        TicketOutcome response =
            fact(ticketId, TicketOutcomeKind.FIRST_RESPONSE, 0, original, firstAgentReply);
        boolean breached = firstAgentReply.isAfter(deadline);
        response.setDurationMillis(Duration.between(openedAt, firstAgentReply).toMillis());
        response.setSlaTargetMillis(target.toMillis());
        response.setSlaBreached(breached);
        response.setBreachCountedAtDeadline(breached && unansweredAtDeadline);
        facts.add(response);
      }
      waitEnd(facts, firstAgentReply, original.resolvedAt, deadline, unansweredAtDeadline)
          .setEndsFirstResponseWait(true);
    }
    facts.sort(Comparator.comparing(TicketOutcome::getAt));
    boolean open = !episodes.isEmpty() && episodes.get(episodes.size() - 1).resolvedAt == null;
    return new TicketLifecycle(
        List.copyOf(facts),
        !episodes.isEmpty(),
        open,
        sorted.get(sorted.size() - 1).getEventTime());
  }

  /**
   * The fact that ends the original episode's wait for a first response within its SLA, the first
   * of: the deadline with no reply and no resolution by then (the breach), the first agent reply at
   * or before both the deadline and the resolution, else the resolution (at or before the deadline,
   * before any reply).
   */
  private static TicketOutcome waitEnd(
      List<TicketOutcome> facts,
      Instant firstAgentReply,
      Instant resolvedAt,
      Instant deadline,
      boolean unansweredAtDeadline) {
    TicketOutcomeKind kind;
    if (unansweredAtDeadline) {
      kind = TicketOutcomeKind.SLA_BREACHED_UNANSWERED;
    } else if (firstAgentReply != null
        && !firstAgentReply.isAfter(deadline)
        && (resolvedAt == null || !firstAgentReply.isAfter(resolvedAt))) {
      kind = TicketOutcomeKind.FIRST_RESPONSE;
    } else {
      kind = TicketOutcomeKind.RESOLVED;
    }
    for (TicketOutcome fact : facts) {
      if (fact.getKind() == kind && fact.getEpisode() == 0) {
        return fact;
      }
    }
    throw new IllegalStateException("no " + kind + " fact ends the first-response wait");
  }

  private static TicketOutcome fact(
      String ticketId, TicketOutcomeKind kind, int index, Episode episode, Instant at) {
    TicketOutcome fact = new TicketOutcome();
    fact.setTicketId(ticketId);
    fact.setKind(kind);
    fact.setEpisode(index);
    fact.setReopened(episode.reopened);
    fact.setVersion(1);
    fact.setSign(TicketOutcome.ADD);
    fact.setAt(at);
    fact.setOpenedAt(episode.start.getEventTime());
    fact.setChannel(Dimensions.channel(episode.start.getChannel()));
    fact.setSegment(episode.start.getSegment());
    fact.setPriority(episode.start.getPriority());
    return fact;
  }

  private static Instant saturatingPlus(Instant instant, Duration duration) {
    long millis = instant.toEpochMilli();
    long sum = millis + duration.toMillis();
    return Instant.ofEpochMilli(sum < millis ? Long.MAX_VALUE : sum);
  }

  /**
   * Every fact the events establish, decided or not yet, in order of {@link TicketOutcome#getAt}.
   */
  public List<TicketOutcome> facts() {
    return facts;
  }

  /** Whether an OPENED or REOPENED has been seen: without one, no fact is derived. */
  public boolean isStarted() {
    return started;
  }

  /** Whether the last episode is still unresolved. */
  public boolean isOpen() {
    return open;
  }

  /** The latest event time of all events seen. */
  public Instant latestEventTime() {
    return latestEventTime;
  }
}
