package io.cxpulse.jobs.generator;

import io.cxpulse.events.Channel;
import io.cxpulse.events.TicketEvent;
import io.cxpulse.events.TicketPriority;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One generated support ticket: its events and the ground truth the generator built them from.
 *
 * <p>The truth is the generator's own model of the ticket (when it was opened, when an agent first
 * replied, when each episode started and was resolved), not anything the job's rules compute, so
 * that an end-to-end test can check the job against an independent expectation. The SLA verdict
 * follows the documented definitions (DESIGN.md, README): the deadline is opened + the target for
 * the ticket's channel and priority; a first agent reply at or before the deadline meets it; a
 * ticket still waiting at its deadline (no agent reply and not resolved by then) is breached at the
 * deadline; a ticket resolved before its deadline without a reply and answered only after it is
 * breached at that reply; a ticket resolved before its deadline and never answered has no verdict.
 *
 * @param ticketId the ticket's id
 * @param channel channel of the opening
 * @param segment customer segment of the opening
 * @param priority priority of the opening
 * @param slaTarget the first-response target for channel × priority
 * @param firstAgentReplyAt the first agent reply (bot replies never count); null if none
 * @param episodes the episodes in time order: the first started by OPENED, each later one by a
 *     REOPENED after the previous one's resolution
 * @param events every event of the ticket, in event-time order (strictly increasing)
 */
public record GeneratedTicket(
    String ticketId,
    Channel channel,
    String segment,
    TicketPriority priority,
    Duration slaTarget,
    Instant firstAgentReplyAt,
    List<Episode> episodes,
    List<TicketEvent> events) {

  /**
   * One episode: from OPENED or REOPENED to its RESOLVED.
   *
   * @param start the OPENED or REOPENED time
   * @param reopened whether a REOPENED started it
   * @param resolvedAt its resolution; null while it is open
   */
  public record Episode(Instant start, boolean reopened, Instant resolvedAt) {

    /** The resolution time, start → resolved, if resolved. */
    public Optional<Duration> resolutionTime() {
      return resolvedAt == null
          ? Optional.empty()
          : Optional.of(Duration.between(start, resolvedAt));
    }
  }

  /** What the SLA says about a ticket. */
  public enum SlaVerdict {
    /** First agent reply at or before the deadline. */
    MET,
    /** No agent reply and not resolved by the deadline: breached, counted at the deadline. */
    BREACHED_AT_DEADLINE,
    /** Resolved before the deadline without a reply, answered after it: counted at the reply. */
    BREACHED_AT_REPLY,
    /** Resolved before the deadline and never answered: no verdict. */
    NONE
  }

  public GeneratedTicket {
    Objects.requireNonNull(ticketId, "ticketId");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(segment, "segment");
    Objects.requireNonNull(priority, "priority");
    Objects.requireNonNull(slaTarget, "slaTarget");
    episodes = List.copyOf(episodes);
    events = List.copyOf(events);
    if (episodes.isEmpty() || episodes.get(0).reopened()) {
      throw new IllegalArgumentException("a ticket starts with an OPENED episode: " + episodes);
    }
  }

  /** When the ticket was opened. */
  public Instant openedAt() {
    return episodes.get(0).start();
  }

  /** Opened + SLA target. */
  public Instant deadline() {
    return openedAt().plus(slaTarget);
  }

  /** Opened → first agent reply, if there was one. */
  public Optional<Duration> firstResponseTime() {
    return firstAgentReplyAt == null
        ? Optional.empty()
        : Optional.of(Duration.between(openedAt(), firstAgentReplyAt));
  }

  /** The SLA verdict, by the rules in the class comment. */
  public SlaVerdict slaVerdict() {
    Instant deadline = deadline();
    if (firstAgentReplyAt != null && !firstAgentReplyAt.isAfter(deadline)) {
      return SlaVerdict.MET;
    }
    Instant firstResolution = episodes.get(0).resolvedAt();
    boolean resolvedByDeadline = firstResolution != null && !firstResolution.isAfter(deadline);
    if (!resolvedByDeadline) {
      return SlaVerdict.BREACHED_AT_DEADLINE;
    }
    return firstAgentReplyAt == null ? SlaVerdict.NONE : SlaVerdict.BREACHED_AT_REPLY;
  }

  /** When the breach counts (the deadline, or the late reply); empty unless breached. */
  public Optional<Instant> breachCountedAt() {
    return switch (slaVerdict()) {
      case BREACHED_AT_DEADLINE -> Optional.of(deadline());
      case BREACHED_AT_REPLY -> Optional.of(firstAgentReplyAt);
      case MET, NONE -> Optional.empty();
    };
  }

  /** Whether the last episode is still open. */
  public boolean isOpen() {
    return episodes.get(episodes.size() - 1).resolvedAt() == null;
  }

  /** The time of the last event. */
  public Instant lastEventTime() {
    return events.get(events.size() - 1).getEventTime();
  }
}
