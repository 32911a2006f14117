package io.cxpulse.local.bench.pipeline;

import java.time.Instant;
import java.util.List;

/**
 * One window row reduced to what a benchmark run checks: its key, its version (the number of events
 * counted into it) and its components, in a fixed order per job.
 *
 * @param key window start, channel, segment (and whatever else keys the job's rows)
 * @param version the row's version: events counted
 * @param components the row's additive components
 */
public record WindowResult(String key, long version, List<Long> components) {

  /** The key of a window row of window start {@code windowStartMillis}. */
  public static String key(long windowStartMillis, String... dimensions) {
    return Instant.ofEpochMilli(windowStartMillis) + " " + String.join("/", dimensions);
  }
}
