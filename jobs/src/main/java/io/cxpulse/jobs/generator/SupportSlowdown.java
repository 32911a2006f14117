package io.cxpulse.jobs.generator;

import io.cxpulse.events.Channel;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * A scripted support incident for {@link TicketTrafficGenerator}: tickets opened on one channel
 * while it lasts wait {@code factor} times longer for their first agent reply (an understaffed
 * shift, a broken routing rule), so first-response percentiles and SLA breaches rise on that
 * channel and a person watching the dashboards sees it.
 *
 * <p>On the command line it reads {@code slow-support:CHANNEL}, e.g. {@code slow-support:chat}
 * ({@link #parseChannel}); the caller picks when it starts and how long it lasts. It changes only
 * the first-reply delays of the affected tickets (and therefore the times of their later events);
 * every random draw stays the same, so other tickets are exactly as without it.
 *
 * @param channel the channel whose tickets are affected
 * @param from first affected opening time, inclusive
 * @param until end of the incident, exclusive
 * @param factor how many times longer the first reply takes, at least 1
 */
public record SupportSlowdown(Channel channel, Instant from, Instant until, double factor) {

  /** The incident's name on the command line. */
  public static final String KIND = "slow-support";

  /**
   * First replies take six times longer: the chat median goes from about 3 to about 18 minutes, and
   * most chat tickets breach their 10-minute target instead of a few percent.
   */
  public static final double INCIDENT_FACTOR = 6.0;

  public SupportSlowdown {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(until, "until");
    if (!from.isBefore(until)) {
      throw new IllegalArgumentException("empty interval: from " + from + " until " + until);
    }
    if (!(factor >= 1.0) || Double.isInfinite(factor)) {
      throw new IllegalArgumentException("factor must be finite and at least 1: " + factor);
    }
  }

  /**
   * A slowdown of {@link #INCIDENT_FACTOR} on {@code channel} for {@code duration} from {@code
   * from}.
   */
  public static SupportSlowdown incident(Channel channel, Instant from, Duration duration) {
    return new SupportSlowdown(channel, from, from.plus(duration), INCIDENT_FACTOR);
  }

  /**
   * The channel of an incident given as {@code slow-support:CHANNEL} (case-insensitive), e.g.
   * {@code slow-support:chat}.
   *
   * @throws IllegalArgumentException with a message naming the expected form and the channels
   */
  public static Channel parseChannel(String text) {
    return IncidentSpec.channel(KIND, "chat", text);
  }

  /** Whether a ticket opened on {@code ticketChannel} at {@code openedAt} is affected. */
  public boolean appliesTo(Channel ticketChannel, Instant openedAt) {
    return channel == ticketChannel && !openedAt.isBefore(from) && openedAt.isBefore(until);
  }

  @Override
  public String toString() {
    return KIND
        + ":"
        + channel.name().toLowerCase(Locale.ROOT)
        + " ["
        + from
        + ", "
        + until
        + ") ×"
        + factor;
  }
}
