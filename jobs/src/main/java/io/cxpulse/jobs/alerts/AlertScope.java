package io.cxpulse.jobs.alerts;

import io.cxpulse.jobs.validation.Rollup;
import java.io.Serializable;
import java.util.Objects;

/**
 * The series one alert is about: a channel and a segment value as stored in the metric tables
 * (channel in lower case, e.g. {@code web}), either of them {@value #ALL} for "summed over all".
 *
 * <p>This is a concrete series, unlike {@link AlertRule.Scope}, which may say {@code any} and so
 * stand for one series per value seen; {@link AlertRule.Scope#seriesFor} maps a metric row to the
 * series it counts in.
 *
 * @param channel a channel value or {@value #ALL}
 * @param segment a segment value or {@value #ALL}
 */
public record AlertScope(String channel, String segment) implements Serializable {

  /** The value of a dimension summed over all its values, as in {@code schemas/alert.avsc}. */
  public static final String ALL = Rollup.ALL;

  /** Everything: all channels and all segments. */
  public static final AlertScope EVERYTHING = new AlertScope(ALL, ALL);

  /** Rejects missing and blank values, which would make alert ids ambiguous. */
  public AlertScope {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(segment, "segment");
    if (channel.isBlank() || segment.isBlank()) {
      throw new IllegalArgumentException(
          "blank channel or segment: '" + channel + "', '" + segment + "'");
    }
  }

  /** Words for an alert summary, e.g. {@code web / all segments}. */
  public String describe() {
    return (channel.equals(ALL) ? "all channels" : channel)
        + " / "
        + (segment.equals(ALL) ? "all segments" : "segment " + segment);
  }
}
