package io.cxpulse.local;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Durations as people read them in the banner and the live summary: "20 min", "1 min", "1 h 30
 * min", "45 s", "250 ms", never "1200 s". Two units at most, the largest ones; what is below them
 * is left out (a p90 of 2 min 31.234 s reads "2 min 31 s"), so the text stays short.
 */
final class HumanDuration {

  private static final long[] UNIT_MILLIS = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
  private static final String[] UNIT_NAMES = {"d", "h", "min", "s", "ms"};
  private static final int MAX_UNITS = 2;

  private HumanDuration() {}

  static String format(Duration duration) {
    if (duration.isNegative()) {
      return "-" + format(duration.negated());
    }
    long rest = duration.toMillis();
    if (rest == 0) {
      return "0 s";
    }
    List<String> parts = new ArrayList<>();
    for (int unit = 0; unit < UNIT_MILLIS.length && parts.size() < MAX_UNITS; unit++) {
      long amount = rest / UNIT_MILLIS[unit];
      rest %= UNIT_MILLIS[unit];
      if (amount > 0) {
        parts.add(amount + " " + UNIT_NAMES[unit]);
      } else if (!parts.isEmpty()) {
        // The two units are adjacent: 1 h 0 min 30 s reads "1 h", not "1 h 30 s".
        break;
      }
    }
    return String.join(" ", parts);
  }
}
