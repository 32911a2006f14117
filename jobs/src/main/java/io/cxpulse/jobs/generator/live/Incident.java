package io.cxpulse.jobs.generator.live;

import io.cxpulse.events.Channel;
import io.cxpulse.jobs.generator.CheckoutIncident;
import io.cxpulse.jobs.generator.IncidentSpec;
import io.cxpulse.jobs.generator.ScoreShift;
import io.cxpulse.jobs.generator.SupportSlowdown;
import java.util.Arrays;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A scripted incident for the live generator, given on the command line as {@code KIND:CHANNEL}:
 *
 * <ul>
 *   <li>{@code csat-drop:CHANNEL}: every survey score on the channel drops sharply (CSAT and NPS
 *       down, CES up), as {@link ScoreShift#incident} defines;
 *   <li>{@code payment-outage:CHANNEL}: payments on the channel fail far more often and fewer
 *       customers retry, so abandonment rises ({@link CheckoutIncident});
 *   <li>{@code slow-support:CHANNEL}: agents on the channel answer several times slower, so first
 *       responses breach their SLA ({@link SupportSlowdown}).
 * </ul>
 */
public record Incident(Kind kind, Channel channel) {

  /** The kinds of incident, by their command-line name. */
  public enum Kind {
    CSAT_DROP("csat-drop"),
    PAYMENT_OUTAGE(CheckoutIncident.KIND),
    SLOW_SUPPORT(SupportSlowdown.KIND);

    private final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  public static final String FORMS =
      "csat-drop:CHANNEL, payment-outage:CHANNEL or slow-support:CHANNEL";

  public static Incident parse(String text) {
    String[] parts = text.strip().split(":", -1);
    Kind kind =
        parts.length != 2
            ? null
            : Arrays.stream(Kind.values())
                .filter(k -> k.label.equalsIgnoreCase(parts[0].strip()))
                .findFirst()
                .orElse(null);
    if (kind == null) {
      throw new IllegalArgumentException(
          "expected " + FORMS + ", e.g. csat-drop:web, got '" + text + "'");
    }
    return new Incident(kind, IncidentSpec.channelNamed(parts[1]));
  }

  @Override
  public String toString() {
    return kind.label + ":" + channel.name().toLowerCase(Locale.ROOT);
  }

  /** Picocli converter for {@code --incident}. */
  public static final class Converter implements ITypeConverter<Incident> {
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
