package io.cxpulse.jobs.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.embedded.clickhouse.EmbeddedClickHouse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hour rollups (sql/repeatable/R__hour_rollups.sql) on the real engine: what a refresh seals,
 * and when. That the views read the same rows through them is RepeatableViewsITCase's.
 */
class HourRollupsITCase {

  private static final AtomicInteger DATABASES = new AtomicInteger();

  @TempDir static Path dataDir;

  private static EmbeddedClickHouse clickHouse;

  private Connection connection;

  @BeforeAll
  static void start() throws Exception {
    clickHouse = EmbeddedClickHouse.builder().dataDir(dataDir).port(0).start();
  }

  @AfterAll
  static void stop() {
    if (clickHouse != null) {
      clickHouse.close();
    }
  }

  @BeforeEach
  void migrate() throws Exception {
    String database = "hour_rollups_" + DATABASES.incrementAndGet();
    try (Connection admin = DriverManager.getConnection(clickHouse.jdbcUrl());
        Statement statement = admin.createStatement()) {
      statement.execute("CREATE DATABASE " + database);
    }
    connection = DriverManager.getConnection(clickHouse.jdbcUrl(database));
    new SchemaMigrator(Migrations.fromClasspath()).migrate(connection);
    // Only the test's own refreshes: one on the views' schedule between two of them would seal
    // what a test checks is not sealed yet. (A stopped view refuses SYSTEM REFRESH as well.)
    execute("ALTER TABLE cx_survey_window_hour_seal MODIFY REFRESH EVERY 1 YEAR APPEND");
  }

  @Test
  void everyHourTableHasItsMinuteTablesColumns() throws Exception {
    for (String table :
        List.of("cx_survey_window", "cx_checkout_window", "cx_ticket_window", "cx_driver_window")) {
      assertThat(columns(table + "_hour"))
          .as(table)
          .isEqualTo(columns(table))
          .hasSizeGreaterThan(8);
    }
  }

  @Test
  void sealsTheFinalHoursOnlyAndSealsAnHourAgainWhenALateRowVersionArrives() throws Exception {
    // Minute rows in three hours, 10:00 to 12:59, two keys; final before 11:30.
    execute(
        "INSERT INTO cx_survey_window (window_start, window_end, channel, segment, csat_total,"
            + " csat_satisfied, ces_histogram, version)"
            + " SELECT toDateTime('2026-03-01 10:00:00', 'UTC') + toIntervalMinute(number % 180)"
            + " AS ws, ws + 60, ['web', 'chat'][intDiv(number, 180) + 1], 'new', 2, 1,"
            + " [1, 0, 0, 0, 0, 0, 1], 1 FROM numbers(360)");
    progress("2026-03-01 11:30:00");

    HourRollups.sealNow(connection);

    // FINAL: a refresh on the view's own schedule may have sealed the same hour once more.
    assertThat(
            rows(
                "SELECT window_start, channel, csat_total, version FROM cx_survey_window_hour FINAL"))
        .containsExactlyInAnyOrder(
            "2026-03-01 10:00:00 chat 120 60", "2026-03-01 10:00:00 web 120 60");
    // Hours not sealed are read from the minute rows: an hour bucket sums the same either way.
    assertThat(
            rows(
                "SELECT bucket_start, csat_total FROM cx_survey_scores_hour WHERE channel = 'all'"
                    + " AND segment = 'all'"))
        .containsExactly(
            "2026-03-01 10:00:00 240", "2026-03-01 11:00:00 240", "2026-03-01 12:00:00 240");

    // A row version of a sealed hour that reached the table after the seal (the sinks of rows
    // and of progress flush independently): the next refresh seals the hour again.
    execute(
        "INSERT INTO cx_survey_window (window_start, window_end, channel, segment, csat_total,"
            + " csat_satisfied, ces_histogram, version) VALUES ('2026-03-01 10:59:00',"
            + " '2026-03-01 11:00:00', 'web', 'new', 5, 5, [0, 0, 0, 0, 0, 0, 5], 2)");
    progress("2026-03-01 12:10:00");
    HourRollups.sealNow(connection);

    assertThat(
            rows(
                "SELECT window_start, channel, csat_total, version FROM cx_survey_window_hour"
                    + " FINAL"))
        .containsExactlyInAnyOrder(
            "2026-03-01 10:00:00 chat 120 60",
            "2026-03-01 10:00:00 web 123 61",
            "2026-03-01 11:00:00 chat 120 60",
            "2026-03-01 11:00:00 web 120 60");
    assertThat(
            rows(
                "SELECT bucket_start, csat_total, csat_satisfied, ces_histogram FROM"
                    + " cx_survey_scores_hour WHERE channel = 'web' AND segment = 'all'"))
        .containsExactly(
            "2026-03-01 10:00:00 123 64 [59, 0, 0, 0, 0, 0, 64]",
            "2026-03-01 11:00:00 120 60 [60, 0, 0, 0, 0, 0, 60]",
            "2026-03-01 12:00:00 120 60 [60, 0, 0, 0, 0, 0, 60]");
  }

  @Test
  void sealsNewHoursOfOneMonthPerRefreshAndStepsOverMonthsWithoutRows() throws Exception {
    execute(
        "INSERT INTO cx_survey_window (window_start, window_end, channel, segment, csat_total,"
            + " csat_satisfied, ces_histogram, version) VALUES"
            + " ('2026-01-31 23:10:00', '2026-01-31 23:11:00', 'web', 'new', 1, 1, [], 1),"
            + " ('2026-04-02 08:30:00', '2026-04-02 08:31:00', 'web', 'new', 3, 1, [], 1)");
    progress("2026-05-01 00:00:00");

    refreshOnce();
    assertThat(rows("SELECT window_start, csat_total FROM cx_survey_window_hour FINAL"))
        .containsExactly("2026-01-31 23:00:00 1");

    // February and March have no rows: the next refresh starts at April's first row.
    refreshOnce();
    assertThat(rows("SELECT window_start, csat_total FROM cx_survey_window_hour FINAL"))
        .containsExactly("2026-01-31 23:00:00 1", "2026-04-02 08:00:00 3");
  }

  private void refreshOnce() throws SQLException {
    execute("SYSTEM REFRESH VIEW cx_survey_window_hour_seal");
    execute("SYSTEM WAIT VIEW cx_survey_window_hour_seal");
  }

  private void progress(String finalBefore) throws SQLException {
    execute(
        "INSERT INTO cx_job_progress (job, table_name, watermark, complete_before, final_before,"
            + " updated_at) VALUES ('survey', 'cx_survey_window', '"
            + finalBefore
            + "', '"
            + finalBefore
            + "', '"
            + finalBefore
            + "', now64(3))");
  }

  private void execute(String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private List<String> columns(String table) throws SQLException {
    return rows(
        "SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = '"
            + table
            + "' ORDER BY position");
  }

  /** Each row as its values joined by spaces, in the query's order. */
  private List<String> rows(String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(sql + (sql.contains("ORDER BY") ? "" : " ORDER BY 1, 2"))) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> values = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          values.add(rs.getString(i));
        }
        rows.add(String.join(" ", values));
      }
    }
    return rows;
  }
}
