package io.cxpulse.jobs.tickets;

/** What a {@link TicketOutcome} reports. */
public enum TicketOutcomeKind {
  /**
   * A ticket (episode) became open, at its OPENED or REOPENED time: +1 to the backlog. Also the
   * denominator of "tickets opened" per window.
   */
  OPENED,
  /** The first agent reply of the ticket, with its first-response time and SLA verdict. */
  FIRST_RESPONSE,
  /**
   * The first-response deadline passed without an agent reply while the ticket was open: the SLA
   * breach, counted at the deadline.
   */
  SLA_BREACHED_UNANSWERED,
  /** An episode was resolved, with its resolution time: −1 to the backlog. */
  RESOLVED
}
