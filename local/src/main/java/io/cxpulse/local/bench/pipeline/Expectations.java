package io.cxpulse.local.bench.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Compares a run's results with the expectation, naming the first differences. */
public final class Expectations {

  /** How many differing keys a problem names. */
  private static final int EXAMPLES = 3;

  private Expectations() {}

  /**
   * The differences between the expected and the actual latest window rows: rows missing, rows not
   * expected, rows whose components differ. An actual row whose components are all zero (emptied by
   * corrections) counts as no row.
   */
  public static List<String> windowRows(
      Map<String, WindowResult> expected, Map<String, WindowResult> actual) {
    List<String> problems = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    List<String> wrongComponents = new ArrayList<>();
    for (WindowResult want : expected.values()) {
      WindowResult got = actual.get(want.key());
      if (got == null || got.isEmpty()) {
        missing.add(want.key());
      } else if (!got.components().equals(want.components())) {
        wrongComponents.add(want.key() + " " + difference(want, got));
      }
    }
    List<String> extra =
        actual.values().stream()
            .filter(row -> !row.isEmpty() && !expected.containsKey(row.key()))
            .map(WindowResult::key)
            .toList();
    add(problems, "window rows missing", missing.size(), missing);
    add(problems, "window rows not expected", extra.size(), extra);
    add(problems, "window rows with wrong components", wrongComponents.size(), wrongComponents);
    return problems;
  }

  /** The components of {@code got} that differ from {@code want}'s, as name: got (not want). */
  private static String difference(WindowResult want, WindowResult got) {
    Set<String> names = new TreeSet<>(want.components().keySet());
    names.addAll(got.components().keySet());
    List<String> differences = new ArrayList<>();
    for (String name : names) {
      long wanted = want.components().getOrDefault(name, 0L);
      long gotten = got.components().getOrDefault(name, 0L);
      if (wanted != gotten) {
        differences.add(name + " " + gotten + " not " + wanted);
      }
    }
    return String.join(", ", differences);
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
