package io.cxpulse.jobs.tickets;

import io.cxpulse.events.TicketPriority;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/**
 * One fact about a ticket's lifecycle, or the retraction of an earlier one: what {@link
 * TicketLifecycleFunction} emits for the support window aggregation.
 *
 * <p>A ticket produces a set of facts, each identified by ({@code ticketId}, {@link #getKind()},
 * {@link #getEpisode()}): one {@code OPENED} and at most one {@code RESOLVED} per episode, at most
 * one {@code FIRST_RESPONSE} and one {@code SLA_BREACHED_UNANSWERED} per ticket. When late events
 * change a fact already emitted, the old one is emitted again with {@code sign = -1} and the new
 * one with {@code sign = +1} and {@code version + 1}; a fact that no longer holds (a breach at the
 * deadline, when an agent reply timed before the deadline arrives late) is retracted alone. Window
 * components are {@code Σ sign × component}, exact under any number of corrections.
 *
 * <p>How the window aggregation counts (attribute each record to the window of {@link #getAt()},
 * per channel × segment × priority, all taken from the episode's opening event):
 *
 * <ul>
 *   <li>opened = Σ sign over {@code OPENED}; resolved = Σ sign over {@code RESOLVED};
 *       resolution-time sum and histogram from {@code RESOLVED.durationMillis};
 *   <li>backlog at the end of window w = Σ over all windows up to and including w of (opened −
 *       resolved): a running sum, so rows store the per-window deltas and a view sums them;
 *   <li>first responses, first-response-time sum and histogram from {@code FIRST_RESPONSE}; SLA met
 *       = {@code FIRST_RESPONSE} with {@code slaBreached = false};
 *   <li>SLA breached = Σ over {@code SLA_BREACHED_UNANSWERED} + Σ over {@code FIRST_RESPONSE} with
 *       {@code slaBreached && !breachCountedAtDeadline}. A late reply to a ticket whose breach was
 *       already counted at its deadline carries {@code breachCountedAtDeadline = true}, so each
 *       breached ticket is counted exactly once, in the window of its deadline.
 * </ul>
 *
 * <p>A Flink POJO.
 */
public class TicketOutcome implements Serializable {

  private static final long serialVersionUID = 1L;

  /** {@link #getSign()} of a fact being added. */
  public static final int ADD = 1;

  /** {@link #getSign()} of an earlier fact being taken back. */
  public static final int RETRACT = -1;

  private String ticketId;
  private TicketOutcomeKind kind;
  private int episode;
  private boolean reopened;
  private long version;
  private int sign;
  private Instant at;
  private Instant openedAt;
  private String channel;
  private String segment;
  private TicketPriority priority;
  private Long durationMillis;
  private Long slaTargetMillis;
  private boolean slaBreached;
  private boolean breachCountedAtDeadline;
  private boolean endsFirstResponseWait;

  /** For Flink's POJO serializer. */
  public TicketOutcome() {}

  /** The identity of the fact within its ticket: kind and episode. */
  public String factKey() {
    return kind + "#" + episode;
  }

  /** A copy of this fact with {@code sign} -1, taking it back. */
  public TicketOutcome retraction() {
    TicketOutcome copy = copy();
    copy.sign = RETRACT;
    return copy;
  }

  /** A copy of this fact with another version. */
  public TicketOutcome withVersion(long newVersion) {
    TicketOutcome copy = copy();
    copy.version = newVersion;
    return copy;
  }

  public boolean isRetraction() {
    return sign == RETRACT;
  }

  /** Whether both state the same fact with the same values, ignoring version and sign. */
  public boolean sameFactAs(TicketOutcome other) {
    return Objects.equals(ticketId, other.ticketId)
        && kind == other.kind
        && episode == other.episode
        && reopened == other.reopened
        && Objects.equals(at, other.at)
        && Objects.equals(openedAt, other.openedAt)
        && Objects.equals(channel, other.channel)
        && Objects.equals(segment, other.segment)
        && priority == other.priority
        && Objects.equals(durationMillis, other.durationMillis)
        && Objects.equals(slaTargetMillis, other.slaTargetMillis)
        && slaBreached == other.slaBreached
        && breachCountedAtDeadline == other.breachCountedAtDeadline
        && endsFirstResponseWait == other.endsFirstResponseWait;
  }

  private TicketOutcome copy() {
    TicketOutcome copy = new TicketOutcome();
    copy.ticketId = ticketId;
    copy.kind = kind;
    copy.episode = episode;
    copy.reopened = reopened;
    copy.version = version;
    copy.sign = sign;
    copy.at = at;
    copy.openedAt = openedAt;
    copy.channel = channel;
    copy.segment = segment;
    copy.priority = priority;
    copy.durationMillis = durationMillis;
    copy.slaTargetMillis = slaTargetMillis;
    copy.slaBreached = slaBreached;
    copy.breachCountedAtDeadline = breachCountedAtDeadline;
    copy.endsFirstResponseWait = endsFirstResponseWait;
    return copy;
  }

  public String getTicketId() {
    return ticketId;
  }

  public void setTicketId(String ticketId) {
    this.ticketId = ticketId;
  }

  public TicketOutcomeKind getKind() {
    return kind;
  }

  public void setKind(TicketOutcomeKind kind) {
    this.kind = kind;
  }

  /** 0 for the first episode in the function's state, one more after each reopen. */
  public int getEpisode() {
    return episode;
  }

  public void setEpisode(int episode) {
    this.episode = episode;
  }

  /** Whether the episode was started by REOPENED rather than OPENED. */
  public boolean isReopened() {
    return reopened;
  }

  public void setReopened(boolean reopened) {
    this.reopened = reopened;
  }

  /** 1 when a fact is first emitted, one more per correction; a retraction repeats it. */
  public long getVersion() {
    return version;
  }

  public void setVersion(long version) {
    this.version = version;
  }

  /** {@link #ADD} (+1) or {@link #RETRACT} (-1): the factor of every component in a window sum. */
  public int getSign() {
    return sign;
  }

  public void setSign(int sign) {
    this.sign = sign;
  }

  /**
   * The event time of the fact, the window it belongs to: the opening, the first agent reply, the
   * deadline, the resolution.
   */
  public Instant getAt() {
    return at;
  }

  public void setAt(Instant at) {
    this.at = at;
  }

  /** The start of the episode: its OPENED (or REOPENED) event time. */
  public Instant getOpenedAt() {
    return openedAt;
  }

  public void setOpenedAt(Instant openedAt) {
    this.openedAt = openedAt;
  }

  /** The channel of the episode's opening event, as stored (lower case). */
  public String getChannel() {
    return channel;
  }

  public void setChannel(String channel) {
    this.channel = channel;
  }

  public String getSegment() {
    return segment;
  }

  public void setSegment(String segment) {
    this.segment = segment;
  }

  /** The priority of the episode's opening event, which selected the SLA target. */
  public TicketPriority getPriority() {
    return priority;
  }

  public void setPriority(TicketPriority priority) {
    this.priority = priority;
  }

  /**
   * First-response time ({@code FIRST_RESPONSE}) or resolution time ({@code RESOLVED}) in
   * milliseconds from {@link #getOpenedAt()}; null for the other kinds.
   */
  public Long getDurationMillis() {
    return durationMillis;
  }

  public void setDurationMillis(Long durationMillis) {
    this.durationMillis = durationMillis;
  }

  /** The first-response target, for {@code FIRST_RESPONSE} and {@code SLA_BREACHED_UNANSWERED}. */
  public Long getSlaTargetMillis() {
    return slaTargetMillis;
  }

  public void setSlaTargetMillis(Long slaTargetMillis) {
    this.slaTargetMillis = slaTargetMillis;
  }

  /**
   * {@code FIRST_RESPONSE}: the reply came after the target; always true for {@code
   * SLA_BREACHED_UNANSWERED}.
   */
  public boolean isSlaBreached() {
    return slaBreached;
  }

  public void setSlaBreached(boolean slaBreached) {
    this.slaBreached = slaBreached;
  }

  /**
   * {@code FIRST_RESPONSE} only: the breach was already counted by this ticket's {@code
   * SLA_BREACHED_UNANSWERED}, do not count it again.
   */
  public boolean isBreachCountedAtDeadline() {
    return breachCountedAtDeadline;
  }

  public void setBreachCountedAtDeadline(boolean breachCountedAtDeadline) {
    this.breachCountedAtDeadline = breachCountedAtDeadline;
  }

  /**
   * Whether this fact ends the ticket's wait for a first response within its SLA: the first of its
   * first agent reply (on time), its resolution before the deadline, or the deadline (the breach).
   * Exactly one fact of a ticket's original episode ends it; a reopened episode never waits.
   */
  public boolean isEndsFirstResponseWait() {
    return endsFirstResponseWait;
  }

  public void setEndsFirstResponseWait(boolean endsFirstResponseWait) {
    this.endsFirstResponseWait = endsFirstResponseWait;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TicketOutcome other
        && version == other.version
        && sign == other.sign
        && sameFactAs(other);
  }

  @Override
  public int hashCode() {
    return Objects.hash(ticketId, kind, episode, version, sign, at);
  }

  @Override
  public String toString() {
    return "TicketOutcome{"
        + (sign == RETRACT ? "RETRACT " : "")
        + ticketId
        + " "
        + factKey()
        + (reopened ? " reopened" : "")
        + " v"
        + version
        + " at="
        + at
        + " openedAt="
        + openedAt
        + " "
        + channel
        + "/"
        + segment
        + "/"
        + priority
        + " durationMs="
        + durationMillis
        + " targetMs="
        + slaTargetMillis
        + " breached="
        + slaBreached
        + (breachCountedAtDeadline ? " (counted at deadline)" : "")
        + (endsFirstResponseWait ? " (ends the first-response wait)" : "")
        + "}";
  }
}
