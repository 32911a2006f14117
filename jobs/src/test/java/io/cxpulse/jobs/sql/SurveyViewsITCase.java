package io.cxpulse.jobs.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.cxpulse.embedded.clickhouse.EmbeddedClickHouse;
import io.cxpulse.metrics.CesComponents;
import io.cxpulse.metrics.ConfidenceInterval;
import io.cxpulse.metrics.CsatComponents;
import io.cxpulse.metrics.NpsComponents;
import java.lang.reflect.Array;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The survey views against the metric classes: window rows go into cx_survey_window by JDBC, and
 * for every grain and grouping set the views' summed components must equal sums of the newest row
 * versions computed in Java, and every derived value must equal what io.cxpulse.metrics computes
 * from those sums.
 */
class SurveyViewsITCase {

  /**
   * Agreement of the derived values with Java. Same formulas in the same order, so CSAT, NPS and
   * the CES mean agree to rounding; the CES interval's t quantile comes from a table (df ≤ 100) or
   * an expansion (df > 100) in SQL and from commons-math's solver (accurate to about 1e-9) in Java.
   */
  private static final double TOLERANCE = 1e-9;

  private static final LocalDateTime T0 = LocalDateTime.of(2026, 3, 1, 10, 0);

  /** A grain and how Java truncates a window start to it. */
  enum Grain {
    MINUTE(t -> t.truncatedTo(ChronoUnit.MINUTES)),
    HOUR(t -> t.truncatedTo(ChronoUnit.HOURS)),
    DAY(t -> t.truncatedTo(ChronoUnit.DAYS));

    final Function<LocalDateTime, LocalDateTime> truncate;

    Grain(Function<LocalDateTime, LocalDateTime> truncate) {
      this.truncate = truncate;
    }

    String view() {
      return "cx_survey_scores_" + name().toLowerCase();
    }
  }

  /** A cx_survey_window row, built from the Java components it stores. */
  record WindowRow(
      LocalDateTime windowStart,
      String channel,
      String segment,
      CsatComponents csat,
      NpsComponents nps,
      CesComponents ces,
      long version) {

    String key() {
      return windowStart + "|" + channel + "|" + segment;
    }
  }

  /** A row of a score view, or the Java expectation for one. */
  record Scores(CsatComponents csat, NpsComponents nps, CesComponents ces) {
    static Scores empty() {
      return new Scores(new CsatComponents(), new NpsComponents(), new CesComponents());
    }

    Scores merge(WindowRow row) {
      csat.merge(row.csat());
      nps.merge(row.nps());
      ces.merge(row.ces());
      return this;
    }
  }

  private static final List<WindowRow> ROWS = new ArrayList<>();

  static {
    // Published worked examples (DESIGN.md): CSAT 5:40, 4:30, 3:10, 2:5, 1:15 -> 70.0 and
    // NPS 100 promoters / 30 passives / 80 detractors -> 9.52, as version 2 of a row whose
    // version 1 (different counts) is inserted after it: the version decides, not the order.
    ROWS.add(
        row(
            T0,
            "web",
            "new",
            csat(40, 30, 10, 5, 15),
            NpsComponents.of(100, 30, 80),
            ces(5, 10, 20, 15, 5, 3, 2),
            2));
    ROWS.add(
        row(
            T0,
            "web",
            "new",
            csat(1, 0, 0, 0, 0),
            NpsComponents.of(0, 0, 7),
            ces(0, 0, 0, 0, 0, 0, 9),
            1));
    // CSAT 5:10, 4:20, 3:10, 2:5, 1:5 -> 60.0; NPS one response of each score 0..10 -> -45.45.
    ROWS.add(
        row(
            T0,
            "web",
            "returning",
            csat(10, 20, 10, 5, 5),
            npsOfEachScore(),
            ces(1, 0, 0, 0, 0, 0, 0),
            1));
    // Only promoters (NPS variance 0), no CSAT, no CES.
    ROWS.add(
        row(
            T0,
            "mobile_app",
            "new",
            csat(0, 0, 0, 0, 0),
            NpsComponents.of(3, 0, 0),
            ces(0, 0, 0, 0, 0, 0, 0),
            1));
    // Every CSAT response satisfied, two CES responses (the smallest sample with an interval).
    ROWS.add(
        row(
            T0.plusMinutes(1),
            "web",
            "new",
            csat(4, 0, 0, 0, 0),
            NpsComponents.of(0, 1, 2),
            ces(0, 1, 0, 1, 0, 0, 0),
            1));
    ROWS.add(
        row(
            T0.plusMinutes(59),
            "mobile_app",
            "returning",
            csat(0, 1, 2, 0, 3),
            NpsComponents.of(5, 5, 5),
            ces(2, 2, 2, 2, 2, 2, 2),
            3));
    ROWS.add(
        row(
            T0.plusMinutes(65),
            "web",
            "new",
            csat(7, 3, 0, 0, 1),
            NpsComponents.of(1, 0, 0),
            ces(0, 0, 30, 40, 20, 10, 0),
            1));
    // A row with no responses at all: every derived value NULL.
    ROWS.add(
        row(
            T0.plusMinutes(65),
            "email",
            "vip",
            csat(0, 0, 0, 0, 0),
            NpsComponents.of(0, 0, 0),
            ces(0, 0, 0, 0, 0, 0, 0),
            1));
    // The next UTC day, with large counts (CES df far above the t table).
    ROWS.add(
        row(
            T0.plusHours(14),
            "email",
            "vip",
            csat(900, 800, 300, 200, 100),
            NpsComponents.of(1200, 700, 600),
            ces(400, 350, 300, 250, 200, 150, 100),
            4));
    ROWS.add(
        row(
            T0.plusHours(14),
            "email",
            "vip",
            csat(1, 0, 0, 0, 0),
            NpsComponents.of(1, 0, 0),
            ces(1, 0, 0, 0, 0, 0, 0),
            3));
  }

  @TempDir static Path dataDir;

  private static EmbeddedClickHouse clickHouse;
  private static Connection connection;

  @BeforeAll
  static void startAndLoad() throws Exception {
    clickHouse = EmbeddedClickHouse.builder().dataDir(dataDir).port(0).start();
    connection = DriverManager.getConnection(clickHouse.jdbcUrl());
    new SchemaMigrator(Migrations.fromClasspath()).migrate(connection);
    // One INSERT per row, so that the versions of a key land in different parts and FINAL, not
    // an insert-time merge, has to pick the newest.
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO cx_survey_window (window_start, window_end, channel, segment, csat_total,"
                + " csat_satisfied, nps_total, nps_promoters, nps_passives, nps_detractors,"
                + " ces_count, ces_sum, ces_sum_squares, ces_histogram, version)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (WindowRow row : ROWS) {
        insert.setObject(1, row.windowStart());
        insert.setObject(2, row.windowStart().plusMinutes(1));
        insert.setString(3, row.channel());
        insert.setString(4, row.segment());
        insert.setLong(5, row.csat().total());
        insert.setLong(6, row.csat().satisfied());
        insert.setLong(7, row.nps().total());
        insert.setLong(8, row.nps().promoters());
        insert.setLong(9, row.nps().passives());
        insert.setLong(10, row.nps().detractors());
        insert.setLong(11, row.ces().count());
        insert.setLong(12, row.ces().sum());
        insert.setLong(13, row.ces().sumOfSquares());
        Long[] histogram =
            java.util.Arrays.stream(row.ces().histogram()).boxed().toArray(Long[]::new);
        insert.setArray(14, connection.createArrayOf("UInt64", histogram));
        insert.setLong(15, row.version());
        insert.executeUpdate();
      }
    }
  }

  @AfterAll
  static void stop() throws SQLException {
    if (connection != null) {
      connection.close();
    }
    if (clickHouse != null) {
      clickHouse.close();
    }
  }

  @Test
  void latestViewHoldsTheNewestVersionOfEachRow() throws SQLException {
    Map<String, Long> versions = new TreeMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT window_start, channel, segment, version, csat_total"
                    + " FROM cx_survey_window_latest")) {
      while (rs.next()) {
        String key =
            rs.getObject(1, LocalDateTime.class) + "|" + rs.getString(2) + "|" + rs.getString(3);
        assertThat(versions.put(key, rs.getLong(4))).as("one row per key").isNull();
      }
    }

    assertThat(versions)
        .isEqualTo(
            newest().stream()
                .collect(
                    Collectors.toMap(
                        WindowRow::key, WindowRow::version, (a, b) -> a, TreeMap::new)));
    assertThat(versions)
        .containsEntry(T0 + "|web|new", 2L)
        .containsEntry(T0.plusHours(14) + "|email|vip", 4L);
  }

  @ParameterizedTest
  @EnumSource(Grain.class)
  void scoreViewsAgreeWithTheMetricClassesForEveryGroupingSet(Grain grain) throws SQLException {
    Map<String, Scores> expected = expected(grain);
    Map<String, ResultRow> actual = query("SELECT * FROM " + grain.view());

    assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
    for (Map.Entry<String, Scores> entry : expected.entrySet()) {
      assertAgrees(entry.getKey(), entry.getValue(), actual.get(entry.getKey()));
    }
    // The parameterised view is the same SQL.
    Map<String, ResultRow> parameterised =
        query("SELECT * FROM cx_survey_scores(grain = '" + grain.name().toLowerCase() + "')");
    assertThat(parameterised).isEqualTo(actual);
  }

  @Test
  void publishedWorkedExamples() throws SQLException {
    Map<String, ResultRow> minute = query("SELECT * FROM cx_survey_scores_minute");

    ResultRow webNew = minute.get(T0 + "|web|new");
    assertThat(webNew.csatPct()).isCloseTo(70.0, within(1e-12));
    assertThat(Math.round(webNew.npsValue() * 100) / 100.0).isEqualTo(9.52);

    ResultRow webReturning = minute.get(T0 + "|web|returning");
    assertThat(webReturning.csatPct()).isCloseTo(60.0, within(1e-12));
    assertThat(Math.round(webReturning.npsValue() * 100) / 100.0).isEqualTo(-45.45);
  }

  @Test
  void derivedValuesAreNullWithoutResponses() throws SQLException {
    ResultRow empty =
        query("SELECT * FROM cx_survey_scores_minute").get(T0.plusMinutes(65) + "|email|vip");

    assertThat(empty.csat().total()).isZero();
    assertThat(empty.values()).containsOnlyNulls();
    // One CES response: a mean, but no interval.
    ResultRow single = query("SELECT * FROM cx_survey_scores_minute").get(T0 + "|web|returning");
    assertThat(single.cesMean()).isEqualTo(1.0);
    assertThat(single.values().subList(7, 9)).containsOnlyNulls();
  }

  // ---------------------------------------------------------------------------------------------

  private static void assertAgrees(String key, Scores expected, ResultRow actual) {
    assertThat(actual.csat()).as("%s csat components", key).isEqualTo(expected.csat());
    assertThat(actual.nps()).as("%s nps components", key).isEqualTo(expected.nps());
    assertThat(actual.ces()).as("%s ces components", key).isEqualTo(expected.ces());

    assertClose(key + " csat_pct", actual.csatPct(), expected.csat().csat());
    assertInterval(
        key + " csat_ci",
        actual.csatCiLow(),
        actual.csatCiHigh(),
        expected.csat().confidenceInterval95());
    assertClose(key + " nps", actual.npsValue(), expected.nps().nps());
    assertInterval(
        key + " nps_ci",
        actual.npsCiLow(),
        actual.npsCiHigh(),
        expected.nps().confidenceInterval95());
    assertClose(key + " ces_mean", actual.cesMean(), expected.ces().mean());
    assertInterval(
        key + " ces_ci",
        actual.cesCiLow(),
        actual.cesCiHigh(),
        expected.ces().confidenceInterval95());
  }

  private static void assertClose(String what, Double actual, OptionalDouble expected) {
    if (expected.isEmpty()) {
      assertThat(actual).as(what).isNull();
    } else {
      assertThat(actual).as(what).isNotNull().isCloseTo(expected.getAsDouble(), within(TOLERANCE));
    }
  }

  private static void assertInterval(
      String what, Double low, Double high, Optional<ConfidenceInterval> expected) {
    if (expected.isEmpty()) {
      assertThat(low).as(what + " low").isNull();
      assertThat(high).as(what + " high").isNull();
    } else {
      assertThat(low)
          .as(what + " low")
          .isNotNull()
          .isCloseTo(expected.get().lower(), within(TOLERANCE));
      assertThat(high)
          .as(what + " high")
          .isNotNull()
          .isCloseTo(expected.get().upper(), within(TOLERANCE));
    }
  }

  /** Sums of the newest versions per bucket and grouping set, keyed like {@link #query}. */
  private static Map<String, Scores> expected(Grain grain) {
    Map<String, Scores> expected = new LinkedHashMap<>();
    for (WindowRow row : newest()) {
      LocalDateTime bucket = grain.truncate.apply(row.windowStart());
      for (String channel : List.of(row.channel(), "all")) {
        for (String segment : List.of(row.segment(), "all")) {
          expected
              .computeIfAbsent(bucket + "|" + channel + "|" + segment, k -> Scores.empty())
              .merge(row);
        }
      }
    }
    return expected;
  }

  /** The highest version of each key, as ReplacingMergeTree(version) keeps it. */
  private static List<WindowRow> newest() {
    return new ArrayList<>(
        ROWS.stream()
            .collect(
                Collectors.toMap(
                    WindowRow::key,
                    Function.identity(),
                    (a, b) -> a.version() >= b.version() ? a : b,
                    LinkedHashMap::new))
            .values());
  }

  /** A score view row read back over JDBC. */
  record ResultRow(
      CsatComponents csat,
      NpsComponents nps,
      CesComponents ces,
      Double csatPct,
      Double csatCiLow,
      Double csatCiHigh,
      Double npsValue,
      Double npsCiLow,
      Double npsCiHigh,
      Double cesMean,
      Double cesCiLow,
      Double cesCiHigh) {

    List<Double> values() {
      return java.util.Arrays.asList(
          csatPct,
          csatCiLow,
          csatCiHigh,
          npsValue,
          npsCiLow,
          npsCiHigh,
          cesMean,
          cesCiLow,
          cesCiHigh);
    }
  }

  private static Map<String, ResultRow> query(String sql) throws SQLException {
    Map<String, ResultRow> rows = new TreeMap<>(Comparator.naturalOrder());
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      while (rs.next()) {
        String key =
            rs.getObject("bucket_start", LocalDateTime.class)
                + "|"
                + rs.getString("channel")
                + "|"
                + rs.getString("segment");
        CsatComponents csat =
            CsatComponents.of(rs.getLong("csat_satisfied"), rs.getLong("csat_total"));
        NpsComponents nps =
            NpsComponents.of(
                rs.getLong("nps_promoters"),
                rs.getLong("nps_passives"),
                rs.getLong("nps_detractors"));
        assertThat(rs.getLong("nps_total")).as("%s nps_total", key).isEqualTo(nps.total());
        CesComponents ces =
            CesComponents.of(
                rs.getLong("ces_count"),
                rs.getLong("ces_sum"),
                rs.getLong("ces_sum_squares"),
                longs(rs.getArray("ces_histogram").getArray()));
        ResultRow row =
            new ResultRow(
                csat,
                nps,
                ces,
                nullableDouble(rs, "csat_pct"),
                nullableDouble(rs, "csat_ci_low"),
                nullableDouble(rs, "csat_ci_high"),
                nullableDouble(rs, "nps"),
                nullableDouble(rs, "nps_ci_low"),
                nullableDouble(rs, "nps_ci_high"),
                nullableDouble(rs, "ces_mean"),
                nullableDouble(rs, "ces_ci_low"),
                nullableDouble(rs, "ces_ci_high"));
        assertThat(rows.put(key, row)).as("one row per bucket and grouping: %s", key).isNull();
      }
    }
    return rows;
  }

  private static Double nullableDouble(ResultSet rs, String column) throws SQLException {
    double value = rs.getDouble(column);
    return rs.wasNull() ? null : value;
  }

  private static long[] longs(Object array) {
    long[] values = new long[Array.getLength(array)];
    for (int i = 0; i < values.length; i++) {
      values[i] = ((Number) Array.get(array, i)).longValue();
    }
    return values;
  }

  private static WindowRow row(
      LocalDateTime windowStart,
      String channel,
      String segment,
      CsatComponents csat,
      NpsComponents nps,
      CesComponents ces,
      long version) {
    return new WindowRow(windowStart, channel, segment, csat, nps, ces, version);
  }

  /** CSAT components from the number of responses scoring 5, 4, 3, 2 and 1. */
  private static CsatComponents csat(long fives, long fours, long threes, long twos, long ones) {
    return CsatComponents.of(fives + fours, fives + fours + threes + twos + ones);
  }

  private static NpsComponents npsOfEachScore() {
    NpsComponents nps = new NpsComponents();
    for (int score = 0; score <= 10; score++) {
      nps.add(score);
    }
    return nps;
  }

  /** CES components from the number of responses scoring 1 to 7. */
  private static CesComponents ces(long... histogram) {
    return CesComponents.fromHistogram(histogram);
  }
}
