package io.cxpulse.jobs.generator;

import io.cxpulse.events.Channel;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A scripted incident for {@link CheckoutTrafficGenerator}: a payment outage on one channel. While
 * it lasts, payment attempts on that channel fail far more often ({@link #FAILURE_RATE} instead of
 * a few percent), with the provider-side reasons {@link #REASONS}, and fewer customers retry after
 * a failure ({@link #RETRY_RATE}), so abandonment at the payment step and the count of abandoned
 * checkouts by failure reason jump on that channel only.
 *
 * <p>It exists so that the demo and tests can show an abandonment spike that starts and ends at
 * known event times, given on the command line as {@code payment-outage:CHANNEL} (e.g. {@code
 * payment-outage:mobile_app}), the checkout counterpart of the survey's {@code csat-drop:CHANNEL}.
 * A payment attempt is affected when its event time lies in [from, until); checkouts that started
 * before the outage but pay during it are hit too, as in a real outage.
 *
 * @param channel the channel whose payments fail
 * @param from first affected event time, inclusive
 * @param until end of the outage, exclusive
 */
public record CheckoutIncident(Channel channel, Instant from, Instant until) {

  /** The incident's name on the command line. */
  public static final String KIND = "payment-outage";

  /** Chance that a payment attempt fails during the outage. */
  public static final double FAILURE_RATE = 0.65;

  /** Chance that a customer tries again after a failed attempt during the outage. */
  public static final double RETRY_RATE = 0.30;

  /** Failure reasons during the outage: the provider's side, not the customer's card. */
  public static final List<String> REASONS = List.of("processor_unavailable", "processor_timeout");

  public CheckoutIncident {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(until, "until");
    if (channel == Channel.UNKNOWN) {
      throw new IllegalArgumentException("an incident needs a real channel, not UNKNOWN");
    }
    if (!from.isBefore(until)) {
      throw new IllegalArgumentException("empty interval: from " + from + " until " + until);
    }
  }

  /** A payment outage on {@code channel} for {@code duration} from {@code from}. */
  public static CheckoutIncident paymentOutage(Channel channel, Instant from, Duration duration) {
    return new CheckoutIncident(channel, from, from.plus(duration));
  }

  /**
   * The incident {@code spec} ({@code payment-outage:CHANNEL}) names, for {@code duration} from
   * {@code from}.
   *
   * @throws IllegalArgumentException if {@code spec} is not {@code payment-outage:CHANNEL} with a
   *     known channel
   */
  public static CheckoutIncident parse(String spec, Instant from, Duration duration) {
    return paymentOutage(parseChannel(spec), from, duration);
  }

  /** Whether {@code text} is meant as this kind of incident ({@code payment-outage:…}). */
  public static boolean isSpec(String text) {
    return text != null
        && text.strip().toLowerCase(Locale.ROOT).startsWith(KIND.toLowerCase(Locale.ROOT) + ":");
  }

  /**
   * The channel of {@code payment-outage:CHANNEL}, case-insensitive, e.g. {@code
   * payment-outage:mobile_app}.
   *
   * @throws IllegalArgumentException with a message listing the channels otherwise
   */
  public static Channel parseChannel(String spec) {
    return IncidentSpec.channel(KIND, "mobile_app", Objects.requireNonNull(spec, "spec"));
  }

  /** Whether a payment attempt on {@code attemptChannel} at {@code time} is affected. */
  public boolean appliesTo(Channel attemptChannel, Instant time) {
    return channel == attemptChannel && !time.isBefore(from) && time.isBefore(until);
  }

  /** The command-line form, e.g. {@code payment-outage:mobile_app}. */
  public String spec() {
    return KIND + ":" + channel.name().toLowerCase(Locale.ROOT);
  }
}
