package io.cxpulse.jobs.survey;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.jobs.survey.ExpectedSurveyScores.Components;
import io.cxpulse.jobs.survey.ExpectedSurveyScores.Key;
import io.cxpulse.jobs.survey.ExpectedSurveyScores.ViewRow;
import io.cxpulse.jobs.validation.RejectReason;
import io.cxpulse.metrics.CesComponents;
import io.cxpulse.metrics.CsatComponents;
import io.cxpulse.metrics.NpsComponents;
import java.lang.reflect.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads back what the survey job wrote to ClickHouse, through the same tables and views the
 * dashboards use: {@code cx_survey_scores_minute}, {@code cx_dead_letters FINAL}, {@code
 * cx_dead_letter_counts}, {@code cx_survey_window}.
 *
 * <p>Also installs an emission log: a materialized view that copies every row inserted into {@code
 * cx_survey_window} into a plain MergeTree table, so that every version the sink wrote stays
 * visible even after ReplacingMergeTree merged (or an insert block collapsed) older versions away.
 */
final class SurveyClickHouse {

  /** The plain table holding every row ever inserted into cx_survey_window. */
  static final String EMISSION_LOG = "test_survey_window_emissions";

  private SurveyClickHouse() {}

  /** Every row of {@code cx_survey_scores_minute}, keyed as {@link ExpectedSurveyScores} keys. */
  static Map<Key, ViewRow> scoresPerMinute(Connection connection) throws SQLException {
    Map<Key, ViewRow> rows = new TreeMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT toUnixTimestamp(bucket_start) AS bucket_epoch, *"
                    + " FROM cx_survey_scores_minute")) {
      while (rs.next()) {
        Key key =
            new Key(
                Instant.ofEpochSecond(rs.getLong("bucket_epoch")),
                rs.getString("channel"),
                rs.getString("segment"));
        Components components =
            new Components(
                CsatComponents.of(rs.getLong("csat_satisfied"), rs.getLong("csat_total")),
                NpsComponents.of(
                    rs.getLong("nps_promoters"),
                    rs.getLong("nps_passives"),
                    rs.getLong("nps_detractors")),
                // of(), not fromHistogram(): also checks count and sums against the histogram.
                CesComponents.of(
                    rs.getLong("ces_count"),
                    rs.getLong("ces_sum"),
                    rs.getLong("ces_sum_squares"),
                    longs(rs.getArray("ces_histogram").getArray())));
        ViewRow row =
            new ViewRow(
                components,
                rs.getLong("nps_total"),
                nullableDouble(rs, "csat_pct"),
                nullableDouble(rs, "csat_ci_low"),
                nullableDouble(rs, "csat_ci_high"),
                nullableDouble(rs, "nps"),
                nullableDouble(rs, "nps_ci_low"),
                nullableDouble(rs, "nps_ci_high"),
                nullableDouble(rs, "ces_mean"),
                nullableDouble(rs, "ces_ci_low"),
                nullableDouble(rs, "ces_ci_high"));
        assertThat(rows.put(key, row)).as("one view row per key: %s", key).isNull();
      }
    }
    return rows;
  }

  /**
   * The dead letters of {@code sourceTopic} as {@code cx_dead_letters FINAL} holds them: reason by
   * source offset (one row per source record), all from partition 0.
   */
  static Map<Long, RejectReason> deadLettersFinal(Connection connection, String sourceTopic)
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
          RejectReason reason = RejectReason.valueOf(rs.getString("reason"));
          assertThat(reasons.put(offset, reason))
              .as("one FINAL dead-letter row per source record, offset %d", offset)
              .isNull();
        }
      }
    }
    return reasons;
  }

  /** Dead letters per reason of {@code sourceTopic} according to {@code cx_dead_letter_counts}. */
  static Map<RejectReason, Long> deadLetterCountsView(Connection connection, String sourceTopic)
      throws SQLException {
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

  /** Sum of the versions of the newest window rows: the number of responses counted in them. */
  static long countedInLatestRows(Connection connection) throws SQLException {
    return single(connection, "SELECT sum(version) FROM cx_survey_window_latest");
  }

  /** Creates the {@link #EMISSION_LOG} and its materialized view; call before the job runs. */
  static void installEmissionLog(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE "
              + EMISSION_LOG
              + " (window_start DateTime('UTC'), channel String, segment String,"
              + " version UInt64, responses UInt64) ENGINE = MergeTree ORDER BY tuple()");
      statement.execute(
          "CREATE MATERIALIZED VIEW "
              + EMISSION_LOG
              + "_mv TO "
              + EMISSION_LOG
              + " AS SELECT window_start, channel, segment, version,"
              + " csat_total + nps_total + ces_count AS responses FROM cx_survey_window");
    }
  }

  /**
   * What the emission log holds.
   *
   * @param rows rows inserted into cx_survey_window
   * @param keys distinct (window_start, channel, segment)
   * @param reEmittedKeys keys inserted with more than one version (late data re-emitted the row)
   * @param maxVersionsPerKey most distinct versions of one key
   * @param repeatedRows rows whose (key, version) had been inserted before (replays)
   * @param versionNotResponses rows whose version is not their number of responses
   */
  record Emissions(
      long rows,
      long keys,
      long reEmittedKeys,
      long maxVersionsPerKey,
      long repeatedRows,
      long versionNotResponses) {}

  static Emissions emissions(Connection connection) throws SQLException {
    String perKey =
        "(SELECT uniqExact(version) AS versions, count() AS n FROM "
            + EMISSION_LOG
            + " GROUP BY window_start, channel, segment)";
    return new Emissions(
        single(connection, "SELECT count() FROM " + EMISSION_LOG),
        single(connection, "SELECT count() FROM " + perKey),
        single(connection, "SELECT countIf(versions > 1) FROM " + perKey),
        single(connection, "SELECT max(versions) FROM " + perKey),
        single(connection, "SELECT sum(n - versions) FROM " + perKey),
        single(connection, "SELECT countIf(version != responses) FROM " + EMISSION_LOG));
  }

  private static long single(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      assertThat(rs.next()).as("a row from %s", sql).isTrue();
      return rs.getLong(1);
    }
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
}
