package io.cxpulse.jobs.tickets;

import io.cxpulse.events.Channel;
import io.cxpulse.events.TicketPriority;
import java.io.Serializable;
import java.time.Duration;

/**
 * The first-response SLA target of a ticket, by channel and priority.
 *
 * <p>An interface so that {@link TicketLifecycleFunction} does not depend on where targets come
 * from (the configuration file read by {@code io.cxpulse.jobs.tickets.sla.SlaTargets}, a lambda in
 * tests). Serializable because the function holding it is shipped to the task managers.
 */
@FunctionalInterface
public interface SlaPolicy extends Serializable {

  /**
   * The longest time from opened to first agent reply that still meets the SLA: a reply exactly at
   * the target meets it. Must not be null or negative; called for every ticket state evaluation, so
   * it should be a lookup, not I/O.
   */
  Duration firstResponseTarget(Channel channel, TicketPriority priority);
}
