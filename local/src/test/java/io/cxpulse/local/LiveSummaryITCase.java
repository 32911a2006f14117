package io.cxpulse.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.embedded.clickhouse.EmbeddedClickHouse;
import io.cxpulse.jobs.sql.Migrations;
import io.cxpulse.jobs.sql.SchemaMigrator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live summary against the real engine with the project's schema: it shows the newest complete
 * minute, never the partial first minute of a run, and how many checkouts are still open.
 */
class LiveSummaryITCase {

  @TempDir static Path dataDir;

  private static EmbeddedClickHouse clickHouse;
  private static Connection connection;

  @BeforeAll
  static void start() throws Exception {
    clickHouse = EmbeddedClickHouse.builder().dataDir(dataDir).port(0).start();
    connection = DriverManager.getConnection(clickHouse.jdbcUrl());
    new SchemaMigrator(Migrations.fromClasspath()).migrate(connection);
    try (Statement statement = connection.createStatement()) {
      // Survey minutes 10:03 (the run's first, partial) and 10:04; checkouts of 10:03 and 10:04,
      // 5 + 2 of them still open.
      statement.execute(
          "INSERT INTO cx_survey_window (window_start, window_end, channel, segment, csat_total,"
              + " csat_satisfied, nps_total, nps_promoters, nps_detractors, ces_count, ces_sum,"
              + " ces_sum_squares, ces_histogram, version) VALUES"
              + " ('2026-03-01 10:03:00', '2026-03-01 10:04:00', 'web', 'new', 4, 3, 0, 0, 0, 0,"
              + " 0, 0, [0, 0, 0, 0, 0, 0, 0], 4),"
              + " ('2026-03-01 10:04:00', '2026-03-01 10:05:00', 'web', 'new', 10, 9, 0, 0, 0, 0,"
              + " 0, 0, [0, 0, 0, 0, 0, 0, 0], 10)");
      statement.execute(
          "INSERT INTO cx_checkout_window (window_start, window_end, channel, segment, started,"
              + " completed, abandoned, pending, version) VALUES"
              + " ('2026-03-01 10:03:00', '2026-03-01 10:04:00', 'web', 'new', 2, 1, 1, 5, 9),"
              + " ('2026-03-01 10:04:00', '2026-03-01 10:05:00', 'web', 'new', 0, 0, 0, 2, 2)");
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (connection != null) {
      connection.close();
    }
    if (clickHouse != null) {
      clickHouse.close();
    }
  }

  @Test
  void thePartialFirstMinuteOfARunIsNeverShownAsTheNewestCompleteMinute() throws Exception {
    progress("2026-03-01 10:04:00", "2026-03-01 10:03:00");
    assertThat(render())
        .contains("no complete minute yet: the first minute after a start is partial")
        .doesNotContain("minute 10:03");

    progress("2026-03-01 10:05:00", "2026-03-01 10:03:00");
    assertThat(render()).contains("minute 10:04").doesNotContain("minute 10:03");
  }

  @Test
  void openCheckoutsAreCountedOverAllWindows() throws Exception {
    assertThat(render()).contains("7 checkouts open, decided 30 min after their last step");
  }

  private static void progress(String completeBefore, String runFirstWindow) throws Exception {
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "INSERT INTO cx_job_progress (job, table_name, watermark, complete_before, final_before,"
              + " updated_at, run_first_window) VALUES ('survey', 'cx_survey_window', '"
              + completeBefore
              + "', '"
              + completeBefore
              + "', '2026-03-01 09:00:00', now64(3), '"
              + runFirstWindow
              + "')");
    }
  }

  private static String render() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (LiveSummary summary =
        new LiveSummary(
            clickHouse.jdbcUrl(),
            new Properties(),
            Duration.ofSeconds(10),
            Duration.ofMinutes(30),
            () -> "RUNNING",
            null,
            new PrintStream(bytes, true, StandardCharsets.UTF_8),
            null)) {
      return summary.render(Instant.parse("2026-03-01T10:06:00Z"));
    }
  }
}
