package io.cxpulse.local.bench.pipeline;

import java.time.Instant;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * One window row reduced to what a benchmark run checks: its key, its version (which of a row's
 * emissions is the latest) and its additive components by name, zero components left out.
 *
 * <p>Components are named rather than positional so that a job whose rows hold maps (per currency,
 * per step, per histogram bucket) is compared entry by entry, e.g. {@code abandoned_value.EUR} or
 * {@code first_response.bucket.112}; a component that is zero is absent, so a row is equal to the
 * expectation however its entries that cancelled out are represented.
 *
 * @param key window start, channel, segment (and whatever else keys the job's rows)
 * @param version the row's version: the emission with the highest is the row's latest
 * @param components the row's additive components, none zero
 */
public record WindowResult(String key, long version, SortedMap<String, Long> components) {

  public WindowResult {
    SortedMap<String, Long> nonZero = new TreeMap<>();
    components.forEach(
        (name, value) -> {
          if (value != 0) {
            nonZero.put(name, value);
          }
        });
    components = nonZero;
  }

  /** The key of a window row of window start {@code windowStartMillis}. */
  public static String key(long windowStartMillis, String... dimensions) {
    return Instant.ofEpochMilli(windowStartMillis) + " " + String.join("/", dimensions);
  }

  /**
   * Whether every component is zero: a row that corrections emptied (its events moved to another
   * row), which the views leave out, as no row.
   */
  public boolean isEmpty() {
    return components.isEmpty();
  }

  /** This result with only the components whose name {@code kept} accepts. */
  public WindowResult only(Predicate<String> kept) {
    SortedMap<String, Long> some = new TreeMap<>();
    for (Map.Entry<String, Long> component : components.entrySet()) {
      if (kept.test(component.getKey())) {
        some.put(component.getKey(), component.getValue());
      }
    }
    return new WindowResult(key, version, some);
  }
}
