package io.cxpulse.jobs.checkout;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.jobs.validation.RejectReason;
import java.lang.reflect.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Reads back what the checkout job wrote to ClickHouse through the tables and views the dashboards
 * use ({@code cx_checkout_abandonment_*}, {@code cx_checkout_window}, {@code cx_dead_letters
 * FINAL}, {@code cx_dead_letter_counts}), and installs an emission log: a materialized view copying
 * every row inserted into {@code cx_checkout_window} into a plain MergeTree table, so every version
 * the sink wrote stays visible after ReplacingMergeTree merged older ones away.
 */
public final class CheckoutClickHouse {

  /** The plain table holding every row ever inserted into cx_checkout_window. */
  public static final String EMISSION_LOG = "test_checkout_window_emissions";

  private CheckoutClickHouse() {}

  /** A view row's key: bucket start, channel and segment ('all' when rolled up). */
  public record Key(Instant bucket, String channel, String segment) implements Comparable<Key> {

    private static final Comparator<Key> ORDER =
        Comparator.comparing(Key::bucket).thenComparing(Key::channel).thenComparing(Key::segment);

    @Override
    public int compareTo(Key other) {
      return ORDER.compare(this, other);
    }
  }

  /**
   * A row of a {@code cx_checkout_abandonment} view. Doubles are null where the view has NULL;
   * quantiles are p50, p90, p95.
   */
  public record ViewRow(
      long started,
      long completed,
      long abandoned,
      long pending,
      Double abandonmentPct,
      Double ciLow,
      Double ciHigh,
      Double conversionPct,
      SortedMap<String, Long> valueAtRisk,
      SortedMap<String, Long> abandonedByStep,
      SortedMap<String, Double> dropOffPct,
      SortedMap<String, Long> abandonedByReason,
      long completionCount,
      long completionSumMs,
      Double meanMs,
      List<Double> quantilesMs,
      int[] buckets,
      long[] counts) {

    /** The quantiles the view has, in the order of {@link #quantilesMs()}. */
    public static final double[] QUANTILES = {0.50, 0.90, 0.95};

    @Override
    public boolean equals(Object o) {
      return o instanceof ViewRow other && toString().equals(other.toString());
    }

    @Override
    public int hashCode() {
      return toString().hashCode();
    }

    @Override
    public String toString() {
      return "ViewRow["
          + Arrays.asList(
              started,
              completed,
              abandoned,
              abandonmentPct,
              ciLow,
              ciHigh,
              conversionPct,
              valueAtRisk,
              abandonedByStep,
              dropOffPct,
              abandonedByReason,
              completionCount,
              completionSumMs,
              meanMs,
              quantilesMs)
          + Arrays.toString(buckets)
          + Arrays.toString(counts)
          + "]";
    }
  }

  /**
   * Every row of {@code from}, a checkout abandonment view or a call of the parameterised one, e.g.
   * {@code cx_checkout_abandonment_minute} or {@code cx_checkout_abandonment(grain = 'hour')}.
   */
  public static SortedMap<Key, ViewRow> abandonment(Connection connection, String from)
      throws SQLException {
    SortedMap<Key, ViewRow> rows = new TreeMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT toUnixTimestamp(bucket_start) AS bucket_epoch, * FROM " + from)) {
      while (rs.next()) {
        Key key =
            new Key(
                Instant.ofEpochSecond(rs.getLong("bucket_epoch")),
                rs.getString("channel"),
                rs.getString("segment"));
        ViewRow row =
            new ViewRow(
                rs.getLong("started"),
                rs.getLong("completed"),
                rs.getLong("abandoned"),
                rs.getLong("pending"),
                nullableDouble(rs, "abandonment_pct"),
                nullableDouble(rs, "abandonment_ci_low"),
                nullableDouble(rs, "abandonment_ci_high"),
                nullableDouble(rs, "conversion_pct"),
                longMap(rs.getObject("value_at_risk_minor")),
                longMap(rs.getObject("abandoned_by_step")),
                doubleMap(rs.getObject("drop_off_pct")),
                longMap(rs.getObject("abandoned_by_reason")),
                rs.getLong("completion_time_count"),
                rs.getLong("completion_time_sum_ms"),
                nullableDouble(rs, "completion_time_mean_ms"),
                Arrays.asList(
                    nullableDouble(rs, "completion_time_p50_ms"),
                    nullableDouble(rs, "completion_time_p90_ms"),
                    nullableDouble(rs, "completion_time_p95_ms")),
                Arrays.stream(longs(rs, "completion_time_buckets"))
                    .mapToInt(Math::toIntExact)
                    .toArray(),
                longs(rs, "completion_time_counts"));
        assertThat(rows.put(key, row)).as("one row per bucket and grouping: %s", key).isNull();
      }
    }
    return rows;
  }

  /** Reason by source offset of the dead letters of {@code sourceTopic}, partition 0, FINAL. */
  public static Map<Long, RejectReason> deadLettersFinal(Connection connection, String sourceTopic)
      throws SQLException {
    Map<Long, RejectReason> reasons = new TreeMap<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT source_partition, source_offset, reason FROM cx_dead_letters FINAL"
                + " WHERE source_topic = ?")) {
      statement.setString(1, sourceTopic);
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          long offset = rs.getLong("source_offset");
          assertThat(rs.getInt("source_partition")).as("partition of offset %d", offset).isZero();
          assertThat(reasons.put(offset, RejectReason.valueOf(rs.getString("reason"))))
              .as("one FINAL dead-letter row per source record, offset %d", offset)
              .isNull();
        }
      }
    }
    return reasons;
  }

  /** Dead letters per reason of {@code sourceTopic} according to {@code cx_dead_letter_counts}. */
  public static Map<RejectReason, Long> deadLetterCountsView(
      Connection connection, String sourceTopic) throws SQLException {
    Map<RejectReason, Long> counts = new EnumMap<>(RejectReason.class);
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT reason, sum(dead_letters) AS n FROM cx_dead_letter_counts"
                + " WHERE source_topic = ? GROUP BY reason")) {
      statement.setString(1, sourceTopic);
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          counts.put(RejectReason.valueOf(rs.getString("reason")), rs.getLong("n"));
        }
      }
    }
    return counts;
  }

  /** A single number from {@code sql}. */
  public static long single(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      assertThat(rs.next()).as("a row from %s", sql).isTrue();
      return rs.getLong(1);
    }
  }

  /** Creates the {@link #EMISSION_LOG} and its materialized view; call before the job runs. */
  public static void installEmissionLog(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE "
              + EMISSION_LOG
              + " (window_start DateTime('UTC'), channel String, segment String, version UInt64,"
              + " started Int64, completed Int64, abandoned Int64, pending Int64)"
              + " ENGINE = MergeTree ORDER BY tuple()");
      statement.execute(
          "CREATE MATERIALIZED VIEW "
              + EMISSION_LOG
              + "_mv TO "
              + EMISSION_LOG
              + " AS SELECT window_start, channel, segment, version, started, completed,"
              + " abandoned, pending FROM cx_checkout_window");
    }
  }

  /**
   * What the emission log holds.
   *
   * @param rows rows inserted into cx_checkout_window
   * @param keys distinct (window_start, channel, segment)
   * @param keysWithSeveralVersions keys written with more than one version
   * @param correctedKeys keys whose abandoned count went down from one version to a later one: an
   *     abandoned outcome was taken back (a late order turned it into a completion)
   * @param maxVersionsPerKey most distinct versions of one key
   * @param keysWithPending keys written at least once with checkouts still pending
   */
  public record Emissions(
      long rows,
      long keys,
      long keysWithSeveralVersions,
      long correctedKeys,
      long maxVersionsPerKey,
      long keysWithPending) {}

  public static Emissions emissions(Connection connection) throws SQLException {
    String perKey =
        "(SELECT uniqExact(version) AS versions,"
            + " arrayMap(x -> x.2, arraySort(groupArray((version, abandoned)))) AS abandoned_by_version"
            + " FROM "
            + EMISSION_LOG
            + " GROUP BY window_start, channel, segment)";
    return new Emissions(
        single(connection, "SELECT count() FROM " + EMISSION_LOG),
        single(connection, "SELECT count() FROM " + perKey),
        single(connection, "SELECT countIf(versions > 1) FROM " + perKey),
        single(
            connection,
            "SELECT countIf(arrayExists((a, b) -> b < a, arrayPopBack(abandoned_by_version),"
                + " arrayPopFront(abandoned_by_version))) FROM "
                + perKey),
        single(connection, "SELECT max(versions) FROM " + perKey),
        single(
            connection,
            "SELECT uniqExact(window_start, channel, segment) FROM "
                + EMISSION_LOG
                + " WHERE pending > 0"));
  }

  private static Double nullableDouble(ResultSet rs, String column) throws SQLException {
    double value = rs.getDouble(column);
    return rs.wasNull() ? null : value;
  }

  private static SortedMap<String, Long> longMap(Object map) {
    SortedMap<String, Long> result = new TreeMap<>();
    ((Map<?, ?>) map).forEach((k, v) -> result.put((String) k, ((Number) v).longValue()));
    return result;
  }

  private static SortedMap<String, Double> doubleMap(Object map) {
    SortedMap<String, Double> result = new TreeMap<>();
    ((Map<?, ?>) map).forEach((k, v) -> result.put((String) k, ((Number) v).doubleValue()));
    return result;
  }

  /** The array column {@code column} as longs. */
  public static long[] longs(ResultSet rs, String column) throws SQLException {
    Object array = rs.getArray(column).getArray();
    long[] values = new long[Array.getLength(array)];
    for (int i = 0; i < values.length; i++) {
      values[i] = ((Number) Array.get(array, i)).longValue();
    }
    return values;
  }

  /** The array column {@code column} as strings. */
  public static String[] strings(ResultSet rs, String column) throws SQLException {
    Object array = rs.getArray(column).getArray();
    String[] values = new String[Array.getLength(array)];
    for (int i = 0; i < values.length; i++) {
      values[i] = (String) Array.get(array, i);
    }
    return values;
  }
}
