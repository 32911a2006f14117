package io.cxpulse.jobs.generator;

import io.cxpulse.events.Channel;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Parsing of the scripted incidents' command-line form {@code KIND:CHANNEL} (e.g. {@code
 * payment-outage:web}), in one place for every kind, with errors that name the expected form and
 * the known channels.
 */
public final class IncidentSpec {

  private IncidentSpec() {}

  /**
   * The channel of {@code spec} when it reads {@code kind:CHANNEL}, case-insensitive.
   *
   * @param exampleChannel the channel the error message uses as an example
   * @throws IllegalArgumentException if {@code spec} is not of that form or names no channel
   */
  public static Channel channel(String kind, String exampleChannel, String spec) {
    String[] parts = spec.strip().split(":", -1);
    if (parts.length != 2 || !parts[0].strip().equalsIgnoreCase(kind)) {
      throw new IllegalArgumentException(
          "expected "
              + kind
              + ":CHANNEL, e.g. "
              + kind
              + ":"
              + exampleChannel
              + ", got '"
              + spec
              + "'");
    }
    return channelNamed(parts[1]);
  }

  /**
   * The channel named {@code name} (case-insensitive, as stored: {@code mobile_app}); UNKNOWN is
   * not a channel an incident can hit.
   *
   * @throws IllegalArgumentException naming the known channels
   */
  public static Channel channelNamed(String name) {
    String symbol = name.strip().toUpperCase(Locale.ROOT);
    return Arrays.stream(Channel.values())
        .filter(channel -> channel != Channel.UNKNOWN && channel.name().equals(symbol))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown channel '"
                        + name
                        + "'; one of "
                        + Arrays.stream(Channel.values())
                            .filter(channel -> channel != Channel.UNKNOWN)
                            .map(channel -> channel.name().toLowerCase(Locale.ROOT))
                            .collect(Collectors.joining(", "))));
  }
}
