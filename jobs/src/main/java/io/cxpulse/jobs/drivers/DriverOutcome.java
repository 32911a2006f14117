package io.cxpulse.jobs.drivers;

import io.cxpulse.jobs.tickets.TicketOutcome;
import io.cxpulse.jobs.tickets.TicketOutcomeKind;
import java.time.Duration;
import java.util.Objects;

/**
 * A ticket's first-response outcome as the driver split uses it: SLA met or breached, and the
 * first-response-time bucket. Derived from the ticket job's own facts ({@link TicketOutcome} of
 * {@code TicketLifecycleFunction}), so "first response" and "SLA met/breached" mean exactly what
 * they mean in the ticket views:
 *
 * <ul>
 *   <li>a {@code FIRST_RESPONSE} fact gives met or breached (its {@code slaBreached}) and the
 *       bucket of its first-response time, whether or not a breach was counted at the deadline
 *       before the reply came;
 *   <li>else an {@code SLA_BREACHED_UNANSWERED} fact gives breached, bucket {@link
 *       FirstResponseBucket#NO_REPLY};
 *   <li>else there is no outcome (a ticket resolved before its deadline without any agent reply has
 *       no SLA verdict in the ticket views either).
 * </ul>
 *
 * <p>{@link #getOutcomeAt()} is when the outcome became known: the first response, or the deadline
 * if that came first. The join bounds time around it. A Flink POJO (kept in keyed state).
 */
public class DriverOutcome {

  private SlaOutcome slaOutcome;
  private FirstResponseBucket frtBucket;
  private long outcomeAt;

  /** For Flink's POJO serializer. */
  public DriverOutcome() {}

  public DriverOutcome(SlaOutcome slaOutcome, FirstResponseBucket frtBucket, long outcomeAt) {
    this.slaOutcome = Objects.requireNonNull(slaOutcome, "slaOutcome");
    this.frtBucket = Objects.requireNonNull(frtBucket, "frtBucket");
    this.outcomeAt = outcomeAt;
  }

  /**
   * The outcome from the ticket's current facts, by the rules in the class comment.
   *
   * @param firstResponse the current {@code FIRST_RESPONSE} fact, or null
   * @param breachedUnanswered the current {@code SLA_BREACHED_UNANSWERED} fact, or null
   * @return null if neither is present
   */
  public static DriverOutcome of(TicketOutcome firstResponse, TicketOutcome breachedUnanswered) {
    requireKind(firstResponse, TicketOutcomeKind.FIRST_RESPONSE);
    requireKind(breachedUnanswered, TicketOutcomeKind.SLA_BREACHED_UNANSWERED);
    long at = outcomeAt(firstResponse, breachedUnanswered);
    if (firstResponse != null) {
      return new DriverOutcome(
          firstResponse.isSlaBreached() ? SlaOutcome.BREACHED : SlaOutcome.MET,
          FirstResponseBucket.of(Duration.ofMillis(firstResponse.getDurationMillis())),
          at);
    }
    if (breachedUnanswered != null) {
      return new DriverOutcome(SlaOutcome.BREACHED, FirstResponseBucket.NO_REPLY, at);
    }
    return null;
  }

  /**
   * When the outcome became known: the earlier of the two facts' times; {@code Long.MAX_VALUE} if
   * neither is present.
   */
  public static long outcomeAt(TicketOutcome firstResponse, TicketOutcome breachedUnanswered) {
    long at = Long.MAX_VALUE;
    if (firstResponse != null) {
      at = firstResponse.getAt().toEpochMilli();
    }
    if (breachedUnanswered != null) {
      at = Math.min(at, breachedUnanswered.getAt().toEpochMilli());
    }
    return at;
  }

  private static void requireKind(TicketOutcome fact, TicketOutcomeKind kind) {
    if (fact != null && fact.getKind() != kind) {
      throw new IllegalArgumentException("expected a " + kind + " fact, got " + fact);
    }
  }

  public SlaOutcome getSlaOutcome() {
    return slaOutcome;
  }

  public void setSlaOutcome(SlaOutcome slaOutcome) {
    this.slaOutcome = slaOutcome;
  }

  public FirstResponseBucket getFrtBucket() {
    return frtBucket;
  }

  public void setFrtBucket(FirstResponseBucket frtBucket) {
    this.frtBucket = frtBucket;
  }

  /** Epoch milliseconds: the first response, or the deadline if that came first. */
  public long getOutcomeAt() {
    return outcomeAt;
  }

  public void setOutcomeAt(long outcomeAt) {
    this.outcomeAt = outcomeAt;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DriverOutcome other
        && slaOutcome == other.slaOutcome
        && frtBucket == other.frtBucket
        && outcomeAt == other.outcomeAt;
  }

  @Override
  public int hashCode() {
    return Objects.hash(slaOutcome, frtBucket, outcomeAt);
  }

  @Override
  public String toString() {
    return "DriverOutcome{" + slaOutcome + " " + frtBucket + " at=" + outcomeAt + "}";
  }
}
