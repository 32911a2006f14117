package io.cxpulse.jobs.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.embedded.clickhouse.EmbeddedClickHouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repeatable scripts define exactly the views V001..V012 left: two databases of one engine, one
 * migrated by the versioned migrations alone (the path before sql/repeatable existed), one by the
 * repository's migrations and repeatable scripts, hold the same views, each with the same columns
 * (name, type, position) and, over the same rows in every table, the same result, value for value;
 * the parameterised views at every grain.
 */
class RepeatableViewsITCase {

  private static final String OLD_PATH = "versioned_only";
  private static final String NEW_PATH = "with_repeatables";

  /** Arguments for the parameterised views, each called with every one. */
  private static final Map<String, List<String>> PARAMETERS =
      Map.of(
          "cx_survey_scores", grains(),
          "cx_checkout_abandonment", grains(),
          "cx_ticket_response_times", grains(),
          "cx_ticket_backlog", grains(),
          "cx_driver_split_between",
              List.of(
                  "from_time = '2026-03-01 10:00:00', to_time = '2026-03-01 11:00:00'",
                  "from_time = '1970-01-01 00:00:00', to_time = '2106-01-01 00:00:00'"));

  /**
   * Rows for every table, the same in both databases: keys in several windows, channels, segments
   * and priorities, newer and older versions of some keys, samples of 0, 1 and 2, the histograms'
   * zero and overflow buckets, rows whose components are all 0, dead letters of two jobs, alert
   * episodes open and resolved, and progress with a run's first window.
   */
  private static final List<String> SEED =
      List.of(
          """
          INSERT INTO cx_survey_window (window_start, window_end, channel, segment, csat_total,
              csat_satisfied, nps_total, nps_promoters, nps_passives, nps_detractors, ces_count,
              ces_sum, ces_sum_squares, ces_histogram, version)
          WITH
              toDateTime('2026-03-01 10:00:00', 'UTC') + toIntervalMinute(number % 9 * 17) AS ws,
              arrayMap(i -> toUInt64(multiIf(number % 3 = 0, i = number % 7, number % 6 = 1,
                  i IN (1, 4), (number * 7 + i * 5) % 4)), range(7)) AS h,
              toUInt64(number % 6) AS ct,
              toUInt64(number % 5) AS nt,
              intDiv(nt + 1, 2) AS np,
              intDiv(nt - np, 2) AS nd
          SELECT ws, ws + INTERVAL 1 MINUTE, ['web', 'mobile_app', 'chat'][intDiv(number, 9) % 3 + 1],
              ['new', 'vip'][intDiv(number, 27) % 2 + 1], ct, intDiv(ct * 2, 3), nt, np,
              nt - np - nd, nd, arraySum(h), arraySum(arrayMap((c, i) -> c * (i + 1), h, range(7))),
              arraySum(arrayMap((c, i) -> c * (i + 1) * (i + 1), h, range(7))), h,
              number + 1 + if(number % 4 = 0, 1000, 0) - if(number % 5 = 0, number + 1, 0)
          FROM numbers(54)
          """,
          """
          INSERT INTO cx_checkout_window (window_start, window_end, channel, segment, started,
              completed, abandoned, pending, abandoned_value_currencies, abandoned_value_minor,
              abandoned_steps, abandoned_step_counts, abandoned_reasons, abandoned_reason_counts,
              completion_time_buckets, completion_time_counts, completion_time_sum_ms, version)
          WITH
              toDateTime('2026-03-01 10:00:00', 'UTC') + toIntervalMinute(number % 7 * 23) AS ws,
              [toUInt16(number % 50), toUInt16(100 + number % 7), toUInt16(554)] AS buckets,
              [toInt64(1), toInt64(number % 4 + 1), toInt64(number % 2)] AS counts,
              toInt64(number % 3 + 1) AS lost,
              if(number % 11 = 0, 0, arraySum(counts) + lost) AS started
          SELECT ws, ws + INTERVAL 1 MINUTE, ['web', 'app'][intDiv(number, 7) % 2 + 1],
              ['new', 'vip', 'b2b'][intDiv(number, 14) % 3 + 1], started,
              if(started = 0, 0, arraySum(counts)), if(started = 0, 0, lost),
              toInt64(if(number % 13 = 0, 0, number % 3)),
              if(number % 2 = 1, ['EUR', 'USD'], ['USD']), if(number % 2 = 1, [toInt64(100 * number), 250], [toInt64(999)]),
              arraySlice(['cart', 'checkout_started', 'payment', 'shipping'], 1 + number % 3, 2),
              [toInt64(1 + number % 3), 2],
              if(number % 3 = 0, [], ['card_declined']), if(number % 3 = 0, [], [toInt64(1)]),
              buckets, counts, toInt64(number * 12345), number + 1
          FROM numbers(42)
          """,
          """
          INSERT INTO cx_ticket_window (window_start, window_end, channel, segment, priority,
              tickets_opened, tickets_reopened, first_responses, first_response_sum_ms,
              first_response_buckets, first_response_counts, sla_met, sla_breached,
              sla_breached_unanswered, resolved, resolution_sum_ms, resolution_buckets,
              resolution_counts, backlog_delta, awaiting_first_response_delta, version)
          WITH
              toDateTime('2026-03-01 10:00:00', 'UTC') + toIntervalMinute(number % 6 * 29) AS ws,
              if(number % 10 = 0, [], [toUInt16(number % 3), toUInt16(200 + number % 9), toUInt16(554)]) AS fb,
              if(number % 10 = 0, [], [toInt64(1), toInt64(number % 5 + 1), toInt64(number % 2)]) AS fc,
              if(number % 7 = 0, [], [toUInt16(300 + number % 11)]) AS rb,
              if(number % 7 = 0, [], [toInt64(number % 4 + 1)]) AS rc,
              toInt64(number % 4) AS opened
          SELECT ws, ws + INTERVAL 1 MINUTE, ['chat', 'email'][intDiv(number, 6) % 2 + 1],
              ['new', 'vip'][intDiv(number, 12) % 2 + 1],
              ['low', 'normal', 'high', 'urgent'][intDiv(number, 24) % 4 + 1],
              opened, toInt64(number % 2), arraySum(fc), toInt64(number * 60000), fb, fc,
              toInt64(number % 3), toInt64(number % 2), toInt64(number % 5 = 0), arraySum(rc),
              toInt64(number * 360000), rb, rc, opened + toInt64(number % 2) - arraySum(rc),
              opened - toInt64(number % 3), number + 1
          FROM numbers(96)
          """,
          """
          INSERT INTO cx_driver_window (window_start, window_end, channel, segment, sla_outcome,
              frt_bucket, csat_total, csat_satisfied, nps_total, nps_promoters, nps_passives,
              nps_detractors, ces_count, ces_sum, ces_sum_squares, ces_histogram, version)
          WITH
              toDateTime('2026-03-01 10:00:00', 'UTC') + toIntervalMinute(number % 5 * 19) AS ws,
              arrayMap(i -> toUInt64((number * 3 + i * 7) % 5), range(7)) AS h,
              toUInt64(number % 7) AS ct,
              toUInt64(number % 6) AS nt,
              intDiv(nt + 1, 2) AS np,
              intDiv(nt - np, 2) AS nd
          SELECT ws, ws + INTERVAL 1 MINUTE, ['chat', 'email'][intDiv(number, 5) % 2 + 1],
              ['new', 'vip'][intDiv(number, 10) % 2 + 1], ['met', 'breached'][intDiv(number, 20) % 2 + 1],
              ['lt_5m', '5m_30m', '30m_2h', 'ge_8h', 'no_reply'][intDiv(number, 40) % 5 + 1],
              ct, intDiv(ct * 3, 4), nt, np, nt - np - nd, nd,
              if(number % 9 = 0, 1, arraySum(h)), arraySum(arrayMap((c, i) -> c * (i + 1), h, range(7))),
              arraySum(arrayMap((c, i) -> c * (i + 1) * (i + 1), h, range(7))), h, number + 1
          FROM numbers(200)
          """,
          """
          INSERT INTO cx_dead_letters (dead_lettered_at, reason, detail, source_topic,
              source_partition, source_offset, event_id, event_time, raw_length, raw_prefix, job)
          SELECT toDateTime64('2026-03-01 10:00:00', 3, 'UTC') + toIntervalSecond(number * 37),
              ['UNDECODABLE', 'DUPLICATE', 'TOO_LATE'][number % 3 + 1], 'detail',
              ['cx.surveys', 'cx.tickets'][number % 2 + 1], toInt32(number % 3), toInt64(intDiv(number, 2)),
              NULL, NULL, 3, 'abc', ['survey', 'tickets', 'driver-split', ''][number % 4 + 1]
          FROM numbers(40)
          """,
          """
          INSERT INTO cx_alerts (alert_id, status, rule_id, metric, severity, channel, segment,
              window_start, window_end, value, baseline, threshold, p_value, samples,
              baseline_samples, summary, written_at)
          SELECT concat('alert-', toString(intDiv(number, 2))), ['FIRING', 'RESOLVED'][number % 2 + 1],
              'rule', 'csat', ['INFO', 'WARNING', 'CRITICAL'][intDiv(number, 2) % 3 + 1], 'web', 'all',
              toDateTime64('2026-03-01 10:00:00', 3, 'UTC') + toIntervalMinute(number * 5),
              toDateTime64('2026-03-01 10:05:00', 3, 'UTC') + toIntervalMinute(number * 5),
              number * 1.5, NULL, 80., NULL, number, NULL, 'summary',
              toDateTime64('2026-03-01 12:00:00', 3, 'UTC')
          FROM numbers(11)
          """,
          """
          INSERT INTO cx_alert_evaluations (rule_id, metric, channel, segment, window_start,
              window_end, verdict, value, baseline, p_value, samples, baseline_samples, min_samples,
              firing)
          SELECT concat('rule-', toString(number)), 'csat', 'web', 'all',
              toDateTime64('2026-03-01 10:00:00', 3, 'UTC'), toDateTime64('2026-03-01 10:05:00', 3, 'UTC'),
              ['INSUFFICIENT', 'BAD', 'GOOD', 'BORDERLINE'][number % 4 + 1],
              if(number % 5 = 1, NULL, number * 2.5), if(number % 3 = 0, NULL, 70.), NULL,
              toInt64(number), if(number % 6 = 0, NULL, toInt64(number * 2)), 5, number % 2
          FROM numbers(16)
          """,
          """
          INSERT INTO cx_job_progress (job, table_name, watermark, complete_before, final_before,
              updated_at, run_first_window)
          VALUES
              ('survey', 'cx_survey_window', '2026-03-01 11:30:00', '2026-03-01 11:00:00',
                  '2026-03-01 10:30:00', '2026-03-01 12:00:00', '2026-03-01 10:00:00'),
              ('checkout', 'cx_checkout_window', '2026-03-01 12:30:00', '2026-03-01 12:00:00',
                  '2026-03-01 11:00:00', '2026-03-01 12:00:00', '2026-03-01 10:46:00'),
              ('tickets', 'cx_ticket_window', '2026-03-01 12:30:00', '2026-03-01 11:00:00',
                  '2026-03-01 10:00:00', '2026-03-01 12:00:00', NULL),
              ('tickets', 'cx_ticket_window', '2026-03-01 11:30:00', '2026-03-01 10:30:00',
                  '2026-03-01 10:00:00', '2026-03-01 11:00:00', '2026-03-01 10:29:00')
          """);

  @TempDir static Path dataDir;

  private static EmbeddedClickHouse clickHouse;

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

  @Test
  void theRepeatableScriptsDefineTheViewsOfTheVersionedMigrationsColumnForColumnRowForRow(
      @TempDir Path tempDir) throws Exception {
    Path versionedOnly = tempDir.resolve("sql");
    copy(MigrationsTest.REPOSITORY_SQL, versionedOnly);
    Files.writeString(versionedOnly.resolve(Migrations.REPEATABLE_INDEX), "");
    // Versioned migrations after the repeatable scripts hold no views (MigrationsTest), so the
    // old path is V001..V012 and whatever tables later migrations add.
    try (Connection admin = DriverManager.getConnection(clickHouse.jdbcUrl());
        Statement statement = admin.createStatement()) {
      statement.execute("CREATE DATABASE " + OLD_PATH);
      statement.execute("CREATE DATABASE " + NEW_PATH);
    }
    try (Connection old = DriverManager.getConnection(clickHouse.jdbcUrl(OLD_PATH));
        Connection current = DriverManager.getConnection(clickHouse.jdbcUrl(NEW_PATH))) {
      MigrationResult oldResult =
          new SchemaMigrator(Migrations.fromDirectory(versionedOnly)).migrate(old);
      MigrationResult newResult = new SchemaMigrator(Migrations.fromClasspath()).migrate(current);
      assertThat(oldResult.repeatablesApplied()).isEmpty();
      assertThat(newResult.repeatablesApplied()).isNotEmpty();
      for (String seed : SEED) {
        try (Statement o = old.createStatement();
            Statement n = current.createStatement()) {
          o.execute(seed);
          n.execute(seed);
        }
      }

      Map<String, List<String>> oldColumns = viewColumns(old);
      assertThat(oldColumns).hasSizeGreaterThanOrEqualTo(28);
      // Every view of the versioned migrations, column for column; the scripts add views of
      // their own (the *_rows views of the hour rollups).
      Map<String, List<String>> currentColumns = viewColumns(current);
      assertThat(currentColumns.keySet()).containsAll(oldColumns.keySet());
      currentColumns.keySet().retainAll(oldColumns.keySet());
      assertThat(currentColumns).isEqualTo(oldColumns);
      // The new path's views are those of the repeatable scripts, not the versioned files' left
      // over: each was created after the versioned migrations ran.
      assertThat(definitionsMentioning(current, "cx_wilson_low")).isEmpty();
      assertThat(definitionsMentioning(current, "t975_table")).isEmpty();
      assertThat(definitionsMentioning(old, "t975_table")).hasSize(2);

      assertSameRows(old, current, queries(oldColumns.keySet()));
      assertSameRows(old, current, BETWEEN.keySet(), BETWEEN::get);

      // And again with every hour final and sealed into the hour rollups (R__hour_rollups.sql):
      // the hour and day buckets of the new views now sum hour rows, the old views minute rows.
      for (Connection connection : List.of(old, current)) {
        try (Statement statement = connection.createStatement()) {
          statement.execute(ALL_FINAL);
        }
      }
      assertThat(HourRollups.sealNow(current)).isGreaterThanOrEqualTo(4);
      for (String stream : List.of("survey", "checkout", "ticket", "driver")) {
        assertThat(count(current, "cx_" + stream + "_window_hour FINAL"))
            .as("cx_%s_window_hour holds the sealed hours", stream)
            .isPositive();
        assertThat(count(current, "cx_" + stream + "_rows(grain = 'hour')"))
            .as("an hour bucket of %s reads hour rows, fewer than the minute rows", stream)
            .isLessThan(count(current, "cx_" + stream + "_rows(grain = 'minute')"));
      }
      // Only the queries whose rows can come from the hour rollups: hour and day grains, ranges.
      List<String> rollupQueries =
          queries(oldColumns.keySet()).stream()
              .filter(q -> q.contains("hour") || q.contains("day") || q.contains("driver_split"))
              .toList();
      assertThat(rollupQueries).hasSizeGreaterThanOrEqualTo(16);
      assertSameRows(old, current, rollupQueries);
      assertSameRows(old, current, BETWEEN.keySet(), BETWEEN::get);
    }
  }

  /** Progress that makes every seeded window final, for every window table. */
  private static final String ALL_FINAL =
      """
      INSERT INTO cx_job_progress (job, table_name, watermark, complete_before, final_before,
          updated_at, run_first_window)
      SELECT 'it', t, '2026-03-03 00:00:00', '2026-03-03 00:00:00', '2026-03-03 00:00:00',
          '2026-03-03 00:00:00', '2026-03-01 09:00:00'
      FROM (SELECT arrayJoin(['cx_survey_window', 'cx_checkout_window', 'cx_ticket_window',
          'cx_driver_window']) AS t)
      """;

  /**
   * The range views the repeatable scripts add, each with the same rows computed from a view of the
   * versioned migrations: ranges that start and end inside an hour, so they read minute rows at
   * both ends and (once sealed) hour rows between.
   */
  private static final Map<String, String> BETWEEN =
      Map.of(
          "cx_ticket_backlog_between(grain = 'minute', from_time = '2026-03-01 10:17:30',"
              + " to_time = '2026-03-01 12:05:00')",
          "cx_ticket_backlog(grain = 'minute') WHERE bucket_start >= '2026-03-01 10:17:30'"
              + " AND bucket_start <= '2026-03-01 12:05:00'",
          "cx_ticket_backlog_between(grain = 'hour', from_time = '2026-03-01 10:17:30',"
              + " to_time = '2026-03-01 12:05:00')",
          "cx_ticket_backlog(grain = 'hour') WHERE bucket_start >= '2026-03-01 10:17:30'"
              + " AND bucket_start <= '2026-03-01 12:05:00'",
          "cx_driver_split_between(from_time = '2026-03-01 10:17:30',"
              + " to_time = '2026-03-01 12:05:00')",
          "cx_driver_split_between(from_time = '2026-03-01 10:17:30',"
              + " to_time = '2026-03-01 12:05:00')");

  /** Every query gives the same columns and rows on both databases, and every one some rows. */
  private static void assertSameRows(Connection old, Connection current, List<String> queries)
      throws SQLException {
    assertSameRows(old, current, queries, query -> query);
  }

  /**
   * Every query gives on the current database the columns and rows its counterpart gives on the old
   * one, and every one some rows.
   */
  private static void assertSameRows(
      Connection old,
      Connection current,
      java.util.Collection<String> queries,
      java.util.function.UnaryOperator<String> oldQuery)
      throws SQLException {
    int nonEmpty = 0;
    for (String query : queries) {
      Result expected = result(old, oldQuery.apply(query));
      Result actual = result(current, query);
      assertThat(actual.columns()).as(query).isEqualTo(expected.columns());
      assertThat(actual.rows()).as(query).isEqualTo(expected.rows());
      if (!expected.rows().isEmpty()) {
        nonEmpty++;
      }
    }
    // Every view returns rows over the seed, so the comparison compared values.
    assertThat(nonEmpty).isEqualTo(queries.size());
  }

  private static long count(Connection connection, String from) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT count() FROM " + from)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static List<String> grains() {
    return List.of("grain = 'minute'", "grain = 'hour'", "grain = 'day'");
  }

  private static List<String> queries(Iterable<String> views) {
    List<String> queries = new ArrayList<>();
    for (String view : views) {
      for (String arguments : PARAMETERS.getOrDefault(view, List.of())) {
        queries.add(view + "(" + arguments + ")");
      }
      if (!PARAMETERS.containsKey(view)) {
        queries.add(view);
      }
    }
    return queries;
  }

  /** Every view's columns from system.columns: name, type and position. */
  private static Map<String, List<String>> viewColumns(Connection connection) throws SQLException {
    Map<String, List<String>> columns = new LinkedHashMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT t.name, c.name, c.type, c.position FROM system.tables AS t"
                    + " LEFT JOIN (SELECT table, name, type, position FROM system.columns"
                    + " WHERE database = currentDatabase()) AS c ON c.table = t.name"
                    + " WHERE t.database = currentDatabase() AND t.engine = 'View'"
                    + " ORDER BY t.name, c.position")) {
      while (rs.next()) {
        List<String> view = columns.computeIfAbsent(rs.getString(1), name -> new ArrayList<>());
        if (!rs.getString(2).isEmpty()) {
          view.add(rs.getInt(4) + " " + rs.getString(2) + " " + rs.getString(3));
        }
      }
    }
    return columns;
  }

  private static List<String> definitionsMentioning(Connection connection, String text)
      throws SQLException {
    List<String> views = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT name FROM system.tables WHERE database = currentDatabase()"
                    + " AND engine = 'View' AND position(create_table_query, '"
                    + text
                    + "') > 0")) {
      while (rs.next()) {
        views.add(rs.getString(1));
      }
    }
    return views;
  }

  private record Result(List<String> columns, List<String> rows) {}

  /** The query's columns (label and type) and its rows as text, sorted: views have no order. */
  private static Result result(Connection connection, String from) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT * FROM " + from)) {
      ResultSetMetaData meta = rs.getMetaData();
      List<String> columns = new ArrayList<>();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        columns.add(meta.getColumnLabel(i) + " " + meta.getColumnTypeName(i));
      }
      List<String> rows = new ArrayList<>();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          row.append(rs.getString(i)).append(" | ");
        }
        rows.add(row.toString());
      }
      rows.sort(null);
      return new Result(columns, rows);
    }
  }

  private static void copy(Path from, Path to) throws Exception {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    }
  }
}
