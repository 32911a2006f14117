package io.cxpulse.jobs.alerts;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a window is compared with in a {@code drop_vs_baseline} condition: which earlier event time
 * the baseline components are summed over.
 *
 * <p>Both baselines are made of whole UTC clock hours, so the job can keep them as hourly rollups
 * (at most 7 × 24 per series) rather than a week of 1-minute rows, and both end before the hour of
 * the window starts, so the window under test is never part of its own baseline (which would pull
 * the baseline towards an incident and hide it).
 */
public enum Baseline {
  /**
   * The 7 × 24 hours before the hour the window starts in: [H − 7 d, H), H = the window start
   * truncated to the hour. For metrics without a daily rhythm, or one the week evens out.
   */
  TRAILING_7D("trailing_7d"),
  /**
   * The same clock hour on each of the 7 previous days: [H − k d, H − k d + 1 h) for k = 1..7. For
   * metrics with a strong daily rhythm (abandonment differs between lunch time and midnight), where
   * a 7-day average would make every evening look like an incident.
   */
  TRAILING_SAME_HOUR("trailing_same_hour");

  /** How many days back both baselines reach. */
  public static final int DAYS = 7;

  static final String KEYS =
      Arrays.stream(values()).map(Baseline::key).collect(Collectors.joining(", "));

  private final String key;

  Baseline(String key) {
    this.key = key;
  }

  /** The baseline whose key is {@code key}, in any case. */
  public static Optional<Baseline> fromKey(String key) {
    String lower = key.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(b -> b.key.equals(lower)).findFirst();
  }

  /** The key in the rules file, e.g. {@code trailing_7d}. */
  public String key() {
    return key;
  }

  /** A half-open span of event time [start, end). */
  public record Period(Instant start, Instant end) {

    /** Rejects an empty or inverted span. */
    public Period {
      if (!start.isBefore(end)) {
        throw new IllegalArgumentException("empty period [" + start + ", " + end + ")");
      }
    }

    /** Whether {@code instant} lies in [start, end). */
    public boolean contains(Instant instant) {
      return !instant.isBefore(start) && instant.isBefore(end);
    }
  }

  /**
   * The spans of event time the baseline of a window starting at {@code windowStart} covers, oldest
   * first.
   */
  public List<Period> periods(Instant windowStart) {
    Instant hour = windowStart.truncatedTo(ChronoUnit.HOURS);
    if (this == TRAILING_7D) {
      return List.of(new Period(hour.minus(Duration.ofDays(DAYS)), hour));
    }
    List<Period> periods = new ArrayList<>(DAYS);
    for (int daysBack = DAYS; daysBack >= 1; daysBack--) {
      Instant start = hour.minus(Duration.ofDays(daysBack));
      periods.add(new Period(start, start.plus(Duration.ofHours(1))));
    }
    return List.copyOf(periods);
  }

  /** Words for an alert summary, e.g. {@code trailing 7-day}. */
  String describe() {
    return this == TRAILING_7D ? "trailing 7-day" : "trailing same-hour";
  }
}
