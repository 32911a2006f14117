package io.cxpulse.jobs.survey;

import static org.assertj.core.api.Assertions.fail;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.metrics.CesComponents;
import io.cxpulse.metrics.ConfidenceInterval;
import io.cxpulse.metrics.CsatComponents;
import io.cxpulse.metrics.NpsComponents;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What {@code cx_survey_scores_minute} must show for a set of counted survey responses, computed
 * without the pipeline: every response is put into its epoch-aligned window and, for each of the
 * view's four grouping sets (channel × segment, channel, segment, neither), into the components of
 * {@link CsatComponents}, {@link NpsComponents} and {@link CesComponents}; the derived values
 * (scores and 95 % intervals) come from those classes too.
 *
 * <p>Only the window arithmetic and the channel spelling (lower-case Avro symbol, as sql/migrations
 * documents) are re-stated here; nothing of the job (accumulators, window functions, sinks) is
 * used.
 */
final class ExpectedSurveyScores {

  /** What the view shows for a rolled-up dimension. */
  static final String ALL = "all";

  /**
   * Agreement of derived values with Java: same formulas, except that the CES interval's t quantile
   * is a table or expansion in SQL and commons-math's solver in Java (see SurveyViewsITCase).
   */
  static final double TOLERANCE = 1e-9;

  /** A row key of the score views: minute bucket, channel (or all), segment (or all). */
  record Key(Instant bucketStart, String channel, String segment) implements Comparable<Key> {

    private static final Comparator<Key> ORDER =
        Comparator.comparing(Key::bucketStart)
            .thenComparing(Key::channel)
            .thenComparing(Key::segment);

    @Override
    public int compareTo(Key other) {
      return ORDER.compare(this, other);
    }

    /** Which grouping set the row belongs to, e.g. {@code channel×segment} or {@code total}. */
    String groupingSet() {
      boolean channelAll = ALL.equals(channel);
      boolean segmentAll = ALL.equals(segment);
      if (channelAll && segmentAll) {
        return "total";
      }
      return channelAll ? "segment" : segmentAll ? "channel" : "channel×segment";
    }

    @Override
    public String toString() {
      return bucketStart + "|" + channel + "|" + segment;
    }
  }

  /** The additive components of one view row. */
  record Components(CsatComponents csat, NpsComponents nps, CesComponents ces) {

    static Components empty() {
      return new Components(new CsatComponents(), new NpsComponents(), new CesComponents());
    }

    /** Counts {@code response} in the components of its survey type. */
    void add(SurveyResponse response) {
      int score = response.getScore();
      switch (response.getSurveyType()) {
        case CSAT -> csat.add(score);
        case NPS -> nps.add(score);
        case CES -> ces.add(score);
        default -> throw new IllegalArgumentException("not a counted survey type: " + response);
      }
    }

    long responses() {
      return csat.total() + nps.total() + ces.count();
    }
  }

  /**
   * One row of a score view as read back: components and derived values (null where the view has
   * NULL).
   */
  record ViewRow(
      Components components,
      long npsTotal,
      Double csatPct,
      Double csatCiLow,
      Double csatCiHigh,
      Double nps,
      Double npsCiLow,
      Double npsCiHigh,
      Double cesMean,
      Double cesCiLow,
      Double cesCiHigh) {}

  private final Map<Key, Components> expected;
  private final long responses;

  private ExpectedSurveyScores(Map<Key, Components> expected, long responses) {
    this.expected = Collections.unmodifiableMap(expected);
    this.responses = responses;
  }

  /**
   * The expectation for {@code counted} (each response counted once) in tumbling windows of {@code
   * window}, aligned to the epoch, bucketed by minute as {@code cx_survey_scores_minute} does.
   */
  static ExpectedSurveyScores of(Collection<SurveyResponse> counted, Duration window) {
    long windowMillis = window.toMillis();
    Map<Key, Components> expected = new TreeMap<>();
    for (SurveyResponse response : counted) {
      long eventTime = response.getEventTime().toEpochMilli();
      long windowStart = Math.floorDiv(eventTime, windowMillis) * windowMillis;
      Instant bucket = Instant.ofEpochMilli(Math.floorDiv(windowStart, 60_000L) * 60_000L);
      String channel = response.getChannel().name().toLowerCase(Locale.ROOT);
      String segment = response.getSegment();
      for (String c : List.of(channel, ALL)) {
        for (String s : List.of(segment, ALL)) {
          expected.computeIfAbsent(new Key(bucket, c, s), k -> Components.empty()).add(response);
        }
      }
    }
    return new ExpectedSurveyScores(expected, counted.size());
  }

  /** The expected rows, in key order. */
  Map<Key, Components> rows() {
    return expected;
  }

  /** Number of distinct minute buckets. */
  long buckets() {
    return expected.keySet().stream().map(Key::bucketStart).distinct().count();
  }

  /** Number of expected rows per grouping set. */
  Map<String, Long> rowsPerGroupingSet() {
    Map<String, Long> counts = new TreeMap<>();
    expected.keySet().forEach(key -> counts.merge(key.groupingSet(), 1L, Long::sum));
    return counts;
  }

  /** A one-line description for test logs. */
  String summary() {
    return responses
        + " counted responses, "
        + buckets()
        + " minute buckets, "
        + expected.size()
        + " view rows "
        + rowsPerGroupingSet();
  }

  /**
   * Asserts that {@code actual} (a score view read back, see {@link
   * SurveyClickHouse#scoresPerMinute}) has exactly the expected keys and, for each, equal
   * components and derived values within {@link #TOLERANCE}. Reports every difference, not just the
   * first.
   */
  void assertMatches(Map<Key, ViewRow> actual) {
    Set<Key> missing = new TreeSet<>(expected.keySet());
    missing.removeAll(actual.keySet());
    Set<Key> extra = new TreeSet<>(actual.keySet());
    extra.removeAll(expected.keySet());
    failIfAny("view rows missing (of " + expected.size() + " expected)", missing);
    failIfAny("unexpected view rows", extra);

    List<String> differences = new ArrayList<>();
    for (Map.Entry<Key, Components> entry : expected.entrySet()) {
      compare(entry.getKey(), entry.getValue(), actual.get(entry.getKey()), differences);
    }
    failIfAny(
        "differences from the expectation (" + expected.size() + " rows compared)", differences);
  }

  /** Fails listing the first few of {@code problems}, if there are any. */
  static void failIfAny(String title, Collection<?> problems) {
    if (!problems.isEmpty()) {
      fail(
          problems.size()
              + " "
              + title
              + ", the first ones:\n  "
              + String.join("\n  ", problems.stream().limit(20).map(String::valueOf).toList()));
    }
  }

  private static void compare(Key key, Components want, ViewRow got, List<String> differences) {
    Components components = got.components();
    equal(key, "csat components", want.csat(), components.csat(), differences);
    equal(key, "nps components", want.nps(), components.nps(), differences);
    equal(key, "nps_total", want.nps().total(), got.npsTotal(), differences);
    equal(key, "ces components", want.ces(), components.ces(), differences);
    close(key, "csat_pct", want.csat().csat(), got.csatPct(), differences);
    interval(
        key,
        "csat_ci",
        want.csat().confidenceInterval95(),
        got.csatCiLow(),
        got.csatCiHigh(),
        differences);
    close(key, "nps", want.nps().nps(), got.nps(), differences);
    interval(
        key,
        "nps_ci",
        want.nps().confidenceInterval95(),
        got.npsCiLow(),
        got.npsCiHigh(),
        differences);
    close(key, "ces_mean", want.ces().mean(), got.cesMean(), differences);
    interval(
        key,
        "ces_ci",
        want.ces().confidenceInterval95(),
        got.cesCiLow(),
        got.cesCiHigh(),
        differences);
  }

  private static void equal(
      Key key, String what, Object want, Object got, List<String> differences) {
    if (!want.equals(got)) {
      differences.add(key + " " + what + ": expected " + want + " but was " + got);
    }
  }

  private static void close(
      Key key, String what, OptionalDouble want, Double got, List<String> differences) {
    if (want.isEmpty() != (got == null)
        || (got != null && !(Math.abs(want.getAsDouble() - got) <= TOLERANCE))) {
      differences.add(key + " " + what + ": expected " + want + " but was " + got);
    }
  }

  private static void interval(
      Key key,
      String what,
      Optional<ConfidenceInterval> want,
      Double low,
      Double high,
      List<String> differences) {
    close(
        key,
        what + "_low",
        want.map(ci -> OptionalDouble.of(ci.lower())).orElse(OptionalDouble.empty()),
        low,
        differences);
    close(
        key,
        what + "_high",
        want.map(ci -> OptionalDouble.of(ci.upper())).orElse(OptionalDouble.empty()),
        high,
        differences);
  }
}
