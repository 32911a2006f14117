package io.cxpulse.jobs.tickets;

import io.cxpulse.jobs.aggregate.WindowComponents;
import io.cxpulse.metrics.DurationHistogram;
import java.util.Objects;

/**
 * The additive support components of one window × channel × segment × priority (or of a part of
 * one): what a {@code cx_ticket_window} row stores, built from {@link TicketOutcome} facts.
 *
 * <p><b>Signed.</b> Every component is Σ sign × value over the facts attributed to the window (the
 * window of {@link TicketOutcome#getAt()}), so a retraction cancels its fact exactly, in every
 * component and histogram bucket, whichever partial the two landed in. A pre-aggregation partial
 * can be negative (it may hold only a retraction); a window row's total is not, because a
 * retraction follows its addition through the same salted key (the ticket id picks the salt).
 *
 * <p>The counting rules are those stated on {@link TicketOutcome}:
 *
 * <ul>
 *   <li>{@link #getOpened()}: {@code OPENED} facts of new tickets; {@link #getReopened()}: {@code
 *       OPENED} facts of episodes started by a reopen (each episode is counted, see the reopen rule
 *       of {@link TicketLifecycle});
 *   <li>{@link #getFirstResponseTimes()}: the first-response times of {@code FIRST_RESPONSE} facts
 *       (its count is the number of first responses); {@link #getSlaMet()}: those with {@code
 *       slaBreached = false};
 *   <li>{@link #getSlaBreached()}: {@code SLA_BREACHED_UNANSWERED} facts plus {@code
 *       FIRST_RESPONSE} facts with {@code slaBreached && !breachCountedAtDeadline}: every breached
 *       ticket exactly once, at its deadline if it was still waiting then, else at its late reply
 *       (possible only when it was resolved before the deadline without an agent reply and answered
 *       later); {@link #getSlaBreachedUnanswered()}: the first kind alone;
 *   <li>{@link #getResolved()} and {@link #getResolutionTimes()}: {@code RESOLVED} facts and their
 *       resolution times (episode start → resolution);
 *   <li>{@link #backlogDelta()} = opened + reopened − resolved; the backlog at a window's end is
 *       the running sum of the deltas of all windows up to it;
 *   <li>{@link #getAwaitingFirstResponseDelta()} = opened − facts that end a ticket's wait for a
 *       first response within its SLA ({@link TicketOutcome#isEndsFirstResponseWait()}): the
 *       tickets still waiting, at a window's end, are the running sum, like the backlog.
 * </ul>
 *
 * <p>{@link #records()} counts the facts absorbed, retractions included: the row version.
 *
 * <p>A Flink POJO (public no-argument constructor, getters and setters). Mutable like an
 * accumulator: {@link #add} and {@link #merge} change this instance. Not thread-safe.
 */
public class TicketComponents implements WindowComponents<TicketComponents> {

  private long opened;
  private long reopened;
  private long slaMet;
  private long slaBreached;
  private long slaBreachedUnanswered;
  private long awaitingFirstResponseDelta;
  private long resolved;
  private DurationHistogram firstResponseTimes = new DurationHistogram();
  private DurationHistogram resolutionTimes = new DurationHistogram();
  private long records;

  /** Empty components. */
  public TicketComponents() {}

  /**
   * Adds one fact, times its sign. As a method reference, {@code TicketComponents::add} is the
   * window aggregation's adder.
   *
   * @throws IllegalArgumentException if the sign is not ±1, or a first response or resolution has
   *     no (non-negative) duration
   */
  public TicketComponents add(TicketOutcome fact) {
    int sign = fact.getSign();
    if (sign != TicketOutcome.ADD && sign != TicketOutcome.RETRACT) {
      throw new IllegalArgumentException("sign must be +1 or -1: " + fact);
    }
    switch (Objects.requireNonNull(fact.getKind(), "kind")) {
      case OPENED -> {
        if (fact.isReopened()) {
          reopened += sign;
        } else {
          opened += sign;
          awaitingFirstResponseDelta += sign;
        }
      }
      case FIRST_RESPONSE -> {
        firstResponseTimes.add(duration(fact), sign);
        if (!fact.isSlaBreached()) {
          slaMet += sign;
        } else if (!fact.isBreachCountedAtDeadline()) {
          slaBreached += sign;
        }
      }
      case SLA_BREACHED_UNANSWERED -> {
        slaBreached += sign;
        slaBreachedUnanswered += sign;
      }
      case RESOLVED -> {
        resolutionTimes.add(duration(fact), sign);
        resolved += sign;
      }
    }
    if (fact.isEndsFirstResponseWait()) {
      awaitingFirstResponseDelta -= sign;
    }
    records++;
    return this;
  }

  private static long duration(TicketOutcome fact) {
    Long millis = fact.getDurationMillis();
    if (millis == null || millis < 0) {
      throw new IllegalArgumentException("a " + fact.getKind() + " needs a duration: " + fact);
    }
    return millis;
  }

  @Override
  public TicketComponents merge(TicketComponents other) {
    opened += other.opened;
    reopened += other.reopened;
    slaMet += other.slaMet;
    slaBreached += other.slaBreached;
    slaBreachedUnanswered += other.slaBreachedUnanswered;
    awaitingFirstResponseDelta += other.awaitingFirstResponseDelta;
    resolved += other.resolved;
    firstResponseTimes.merge(other.firstResponseTimes);
    resolutionTimes.merge(other.resolutionTimes);
    records += other.records;
    return this;
  }

  @Override
  public long records() {
    return records;
  }

  /** Episodes opened minus episodes resolved in this window: its change to the backlog. */
  public long backlogDelta() {
    return opened + reopened - resolved;
  }

  /** First responses: the count of {@link #getFirstResponseTimes()}. */
  public long firstResponses() {
    return firstResponseTimes.count();
  }

  /** Σ sign over {@code OPENED} facts of new tickets (not reopens). */
  public long getOpened() {
    return opened;
  }

  public void setOpened(long opened) {
    this.opened = opened;
  }

  /** Σ sign over {@code OPENED} facts of episodes started by REOPENED. */
  public long getReopened() {
    return reopened;
  }

  public void setReopened(long reopened) {
    this.reopened = reopened;
  }

  /** First responses at or before the SLA deadline. */
  public long getSlaMet() {
    return slaMet;
  }

  public void setSlaMet(long slaMet) {
    this.slaMet = slaMet;
  }

  /** Breached tickets, each counted once (see the class comment). */
  public long getSlaBreached() {
    return slaBreached;
  }

  public void setSlaBreached(long slaBreached) {
    this.slaBreached = slaBreached;
  }

  /** The part of {@link #getSlaBreached()} counted at the deadline: still unanswered then. */
  public long getSlaBreachedUnanswered() {
    return slaBreachedUnanswered;
  }

  public void setSlaBreachedUnanswered(long slaBreachedUnanswered) {
    this.slaBreachedUnanswered = slaBreachedUnanswered;
  }

  /**
   * Tickets opened minus tickets whose wait for a first response within their SLA ended, in this
   * window: its change to the number still waiting.
   */
  public long getAwaitingFirstResponseDelta() {
    return awaitingFirstResponseDelta;
  }

  public void setAwaitingFirstResponseDelta(long awaitingFirstResponseDelta) {
    this.awaitingFirstResponseDelta = awaitingFirstResponseDelta;
  }

  /** Σ sign over {@code RESOLVED} facts: episodes resolved. */
  public long getResolved() {
    return resolved;
  }

  public void setResolved(long resolved) {
    this.resolved = resolved;
  }

  /** First-response times (opened → first agent reply), signed counts per bucket and exact sum. */
  public DurationHistogram getFirstResponseTimes() {
    return firstResponseTimes;
  }

  public void setFirstResponseTimes(DurationHistogram firstResponseTimes) {
    this.firstResponseTimes = firstResponseTimes;
  }

  /** Resolution times (episode start → resolved), signed counts per bucket and exact sum. */
  public DurationHistogram getResolutionTimes() {
    return resolutionTimes;
  }

  public void setResolutionTimes(DurationHistogram resolutionTimes) {
    this.resolutionTimes = resolutionTimes;
  }

  /** Facts absorbed, retractions included; see {@link #records()}. */
  public long getRecords() {
    return records;
  }

  public void setRecords(long records) {
    this.records = records;
  }

  /** Whether both hold the same components, ignoring {@link #records()}. */
  public boolean sameComponentsAs(TicketComponents other) {
    return opened == other.opened
        && reopened == other.reopened
        && slaMet == other.slaMet
        && slaBreached == other.slaBreached
        && slaBreachedUnanswered == other.slaBreachedUnanswered
        && awaitingFirstResponseDelta == other.awaitingFirstResponseDelta
        && resolved == other.resolved
        && firstResponseTimes.equals(other.firstResponseTimes)
        && resolutionTimes.equals(other.resolutionTimes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TicketComponents other
        && records == other.records
        && sameComponentsAs(other);
  }

  @Override
  public int hashCode() {
    return Objects.hash(opened, reopened, slaMet, slaBreached, resolved, records);
  }

  @Override
  public String toString() {
    return "TicketComponents{opened="
        + opened
        + ", reopened="
        + reopened
        + ", firstResponses="
        + firstResponses()
        + " "
        + firstResponseTimes
        + ", slaMet="
        + slaMet
        + ", slaBreached="
        + slaBreached
        + " (unanswered "
        + slaBreachedUnanswered
        + "), awaitingFirstResponseDelta="
        + awaitingFirstResponseDelta
        + ", resolved="
        + resolved
        + " "
        + resolutionTimes
        + ", records="
        + records
        + "}";
  }
}
