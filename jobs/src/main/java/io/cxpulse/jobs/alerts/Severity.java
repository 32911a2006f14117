package io.cxpulse.jobs.alerts;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * How urgent an alert is, for routing by receivers: {@code critical} pages someone, {@code warning}
 * goes to a channel, {@code info} is for dashboards. Same symbols as {@code AlertSeverity} in
 * {@code schemas/alert.avsc}.
 */
public enum Severity {
  INFO,
  WARNING,
  CRITICAL;

  /** The severity named {@code key}, in any case. */
  public static Optional<Severity> fromKey(String key) {
    return Arrays.stream(values()).filter(s -> s.key().equalsIgnoreCase(key.trim())).findFirst();
  }

  /** The key in the rules file: the name in lower case. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }
}
