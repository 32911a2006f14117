package io.cxpulse.local.bench.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** Compares a run's results with the expectation, naming the first differences. */
public final class Expectations {

  /** How many differing keys a problem names. */
  private static final int EXAMPLES = 3;

  private Expectations() {}

  /**
   * The differences between the expected and the actual latest window rows: rows missing, rows not
   * expected, rows whose count (version) or components differ.
   */
  public static List<String> windowRows(
      Map<String, WindowResult> expected, Map<String, WindowResult> actual) {
    List<String> problems = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    List<String> wrongCount = new ArrayList<>();
    List<String> wrongComponents = new ArrayList<>();
    for (WindowResult want : expected.values()) {
      WindowResult got = actual.get(want.key());
      if (got == null) {
        missing.add(want.key());
      } else if (got.version() != want.version()) {
        wrongCount.add(want.key() + " counted " + got.version() + " not " + want.version());
      } else if (!got.components().equals(want.components())) {
        wrongComponents.add(want.key() + " " + got.components() + " not " + want.components());
      }
    }
    List<String> extra =
        actual.keySet().stream().filter(key -> !expected.containsKey(key)).limit(EXAMPLES).toList();
    long extraCount = actual.keySet().stream().filter(key -> !expected.containsKey(key)).count();
    add(problems, "window rows missing", missing.size(), missing);
    add(problems, "window rows not expected", extraCount, extra);
    add(problems, "window rows with a wrong count", wrongCount.size(), wrongCount);
    add(problems, "window rows with wrong components", wrongComponents.size(), wrongComponents);
    return problems;
  }

  /** The difference between expected and actual counts per category, if any. */
  public static List<String> counts(
      String what, Map<String, Long> expected, Map<String, Long> actual) {
    Map<String, Long> want = withoutZeros(expected);
    Map<String, Long> got = withoutZeros(actual);
    return Objects.equals(want, got)
        ? List.of()
        : List.of(what + ": " + got + ", expected " + want);
  }

  private static Map<String, Long> withoutZeros(Map<String, Long> counts) {
    Map<String, Long> sorted = new TreeMap<>();
    counts.forEach(
        (key, count) -> {
          if (count != 0) {
            sorted.put(key, count);
          }
        });
    return sorted;
  }

  private static void add(List<String> problems, String what, long count, List<String> examples) {
    if (count > 0) {
      problems.add(
          count
              + " "
              + what
              + ", e.g. "
              + String.join("; ", examples.subList(0, Math.min(EXAMPLES, examples.size()))));
    }
  }
}
