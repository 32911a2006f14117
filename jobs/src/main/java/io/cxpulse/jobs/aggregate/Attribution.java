package io.cxpulse.jobs.aggregate;

import java.util.Objects;

/**
 * Where one input record is counted: the event time that picks its window, its dimensions, and the
 * entity whose id picks its salt.
 *
 * @param timestampMillis the event time that picks the window (a checkout's start, a ticket fact's
 *     time, a response's event time)
 * @param channel channel as stored (lower case)
 * @param segment customer segment
 * @param priority ticket priority, or {@link WindowKey#NO_PRIORITY}
 * @param entityId the id that picks the salt (event, checkout or ticket id); records of one entity
 *     share a salt, so a retraction meets the addition it takes back in the same partial
 */
public record Attribution(
    long timestampMillis, String channel, String segment, String priority, String entityId) {

  public Attribution {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(segment, "segment");
    Objects.requireNonNull(priority, "priority");
    Objects.requireNonNull(entityId, "entityId");
  }
}
