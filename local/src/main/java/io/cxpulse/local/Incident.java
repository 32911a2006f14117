package io.cxpulse.local;

import io.cxpulse.events.Channel;
import io.cxpulse.jobs.generator.ScoreShift;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A scripted incident for the live generator, given on the command line as {@code
 * csat-drop:CHANNEL}: while it lasts, every score on that channel drops sharply (CSAT and NPS down,
 * CES up), as {@link ScoreShift#incident} defines.
 */
record Incident(Channel channel) {

  static final String KIND = "csat-drop";

  static Incident parse(String text) {
    String[] parts = text.strip().split(":", -1);
    if (parts.length != 2 || !parts[0].equalsIgnoreCase(KIND)) {
      throw new IllegalArgumentException(
          "expected " + KIND + ":CHANNEL, e.g. " + KIND + ":web, got '" + text + "'");
    }
    String name = parts[1].strip().toUpperCase(Locale.ROOT);
    return Arrays.stream(Channel.values())
        .filter(channel -> channel != Channel.UNKNOWN && channel.name().equals(name))
        .findFirst()
        .map(Incident::new)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown channel '"
                        + parts[1]
                        + "'; one of "
                        + Arrays.stream(Channel.values())
                            .filter(channel -> channel != Channel.UNKNOWN)
                            .map(channel -> channel.name().toLowerCase(Locale.ROOT))
                            .collect(Collectors.joining(", "))));
  }

  ScoreShift shift(Instant from, Duration duration) {
    return ScoreShift.incident(channel, from, duration);
  }

  @Override
  public String toString() {
    return KIND + ":" + channel.name().toLowerCase(Locale.ROOT);
  }

  /** Picocli converter for {@code --incident}. */
  static final class Converter implements ITypeConverter<Incident> {
    @Override
    public Incident convert(String value) {
      try {
        return parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
