package io.cxpulse.jobs.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cxpulse.embedded.clickhouse.EmbeddedClickHouse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The migrations and the migrator against the real ClickHouse engine: first apply, idempotent
 * rerun, changed files, new and failing files, every view's SQL, and the command line. Each test
 * migrates a database of its own.
 */
class MigrationsITCase {

  /** The repository's latest schema version. */
  private static final int LATEST = 13;

  /**
   * How many migrations the repository lists (a version may be missing until its branch merges).
   */
  private static final int MIGRATIONS = Migrations.fromClasspath().migrations().size();

  private static final List<String> TABLES =
      List.of(
          "cx_alert_evaluations",
          "cx_alerts",
          "cx_checkout_window",
          "cx_checkout_window_hour",
          "cx_dead_letters",
          "cx_driver_window",
          "cx_driver_window_hour",
          "cx_job_progress",
          "cx_schema_migrations",
          "cx_schema_repeatables",
          "cx_survey_window",
          "cx_survey_window_hour",
          "cx_ticket_window",
          "cx_ticket_window_hour");

  /** The refreshable materialized views that seal the hour rollups. */
  private static final List<String> MATERIALIZED_VIEWS =
      List.of(
          "cx_checkout_window_hour_seal",
          "cx_driver_window_hour_seal",
          "cx_survey_window_hour_seal",
          "cx_ticket_window_hour_seal");

  /** The views that take a {@code grain} parameter. */
  private static final List<String> PARAMETERISED_VIEWS =
      List.of(
          "cx_checkout_abandonment",
          "cx_checkout_rows",
          "cx_driver_rows",
          "cx_survey_rows",
          "cx_survey_scores",
          "cx_ticket_backlog",
          "cx_ticket_response_times",
          "cx_ticket_rows");

  private static final List<String> VIEWS =
      List.of(
          "cx_alert_history",
          "cx_alert_rule_status",
          "cx_alerts_open",
          "cx_checkout_abandonment",
          "cx_checkout_abandonment_day",
          "cx_checkout_abandonment_hour",
          "cx_checkout_abandonment_minute",
          "cx_checkout_rows",
          "cx_checkout_window_latest",
          "cx_dead_letter_counts",
          "cx_dead_letter_counts_by_job",
          "cx_driver_rows",
          "cx_driver_rows_between",
          "cx_driver_split",
          "cx_driver_split_between",
          "cx_driver_window_latest",
          "cx_job_progress_latest",
          "cx_survey_rows",
          "cx_survey_scores",
          "cx_survey_scores_day",
          "cx_survey_scores_hour",
          "cx_survey_scores_minute",
          "cx_survey_window_latest",
          "cx_ticket_backlog",
          "cx_ticket_backlog_between",
          "cx_ticket_backlog_day",
          "cx_ticket_backlog_hour",
          "cx_ticket_backlog_minute",
          "cx_ticket_response_times",
          "cx_ticket_response_times_day",
          "cx_ticket_response_times_hour",
          "cx_ticket_response_times_minute",
          "cx_ticket_rows",
          "cx_ticket_window_latest");

  private static final List<String> SCORE_COLUMNS =
      List.of(
          "bucket_start",
          "channel",
          "segment",
          "csat_total",
          "csat_satisfied",
          "csat_pct",
          "csat_ci_low",
          "csat_ci_high",
          "nps_total",
          "nps_promoters",
          "nps_passives",
          "nps_detractors",
          "nps",
          "nps_ci_low",
          "nps_ci_high",
          "ces_count",
          "ces_sum",
          "ces_sum_squares",
          "ces_histogram",
          "ces_mean",
          "ces_ci_low",
          "ces_ci_high");

  private static final AtomicInteger DATABASES = new AtomicInteger();

  @TempDir static Path dataDir;

  private static EmbeddedClickHouse clickHouse;

  @TempDir Path tempDir;

  private String database;

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
  void createDatabase() throws SQLException {
    database = "migrations_it_" + DATABASES.incrementAndGet();
    try (Connection connection = DriverManager.getConnection(clickHouse.jdbcUrl());
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + database);
    }
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(clickHouse.jdbcUrl(database));
  }

  @Test
  void appliesEveryMigrationToAnEmptyDatabaseAndAgainChangesNothing() throws Exception {
    Migrations migrations = Migrations.fromClasspath();
    SchemaMigrator migrator = new SchemaMigrator(migrations);

    try (Connection connection = connect()) {
      MigrationResult first = migrator.migrate(connection);

      assertThat(first.applied()).containsExactlyElementsOf(migrations.migrations());
      assertThat(first.repeatablesApplied()).containsExactlyElementsOf(migrations.repeatables());
      assertThat(first.alreadyApplied()).isZero();
      assertThat(first.schemaVersion()).isEqualTo(LATEST);
      assertThat(tablesByEngine(connection, "NOT IN ('View', 'MaterializedView')"))
          .containsExactlyElementsOf(TABLES);
      assertThat(tablesByEngine(connection, "= 'View'")).containsExactlyElementsOf(VIEWS);
      assertThat(tablesByEngine(connection, "= 'MaterializedView'"))
          .containsExactlyElementsOf(MATERIALIZED_VIEWS);
      List<AppliedMigration> applied = migrator.applied(connection);
      assertThat(applied)
          .extracting(AppliedMigration::version, AppliedMigration::name, AppliedMigration::checksum)
          .containsExactlyElementsOf(
              migrations.migrations().stream()
                  .map(
                      m -> org.assertj.core.groups.Tuple.tuple(m.version(), m.name(), m.checksum()))
                  .toList());
      List<String> createStatements = createStatements(connection);

      MigrationResult second = migrator.migrate(connection);

      assertThat(second.applied()).isEmpty();
      assertThat(second.repeatablesApplied()).isEmpty();
      assertThat(migrator.currentRepeatables(connection))
          .isEqualTo(
              migrations.repeatables().stream()
                  .collect(
                      java.util.stream.Collectors.toMap(
                          RepeatableScript::name, RepeatableScript::checksum)));
      assertThat(second.alreadyApplied()).isEqualTo(MIGRATIONS);
      assertThat(second.schemaVersion()).isEqualTo(LATEST);
      assertThat(migrator.applied(connection)).isEqualTo(applied);
      assertThat(createStatements(connection)).isEqualTo(createStatements);
      assertThat(migrator.pending(connection)).isEmpty();
    }
  }

  @Test
  void everyViewRunsOnEmptyTablesAndWithRows() throws Exception {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      new SchemaMigrator(Migrations.fromClasspath()).migrate(connection);

      for (String view : viewQueries()) {
        assertThat(count(statement, view)).as(view).isZero();
      }
      assertThat(columns(statement, "cx_survey_scores(grain = 'hour')"))
          .containsExactlyElementsOf(SCORE_COLUMNS);
      // The per-grain views add whether each row is partial (V011), complete and final (V008).
      List<String> perGrain = new ArrayList<>(SCORE_COLUMNS);
      perGrain.addAll(List.of("is_partial", "is_complete", "is_final"));
      for (String view :
          List.of("cx_survey_scores_minute", "cx_survey_scores_hour", "cx_survey_scores_day")) {
        assertThat(columns(statement, view)).as(view).containsExactlyElementsOf(perGrain);
      }
      assertThat(columns(statement, "cx_dead_letter_counts"))
          .containsExactly("bucket_start", "source_topic", "reason", "dead_letters");

      statement.execute(
          "INSERT INTO cx_survey_window VALUES ('2026-03-01 10:00:00', '2026-03-01 10:01:00',"
              + " 'web', 'new', 2, 1, 3, 1, 1, 1, 2, 5, 13, [0, 1, 1, 0, 0, 0, 0], 1)");
      // The same Kafka record dead-lettered twice (a replay) counts once.
      for (int i = 0; i < 2; i++) {
        statement.execute(
            "INSERT INTO cx_dead_letters VALUES ('2026-03-01 10:00:0"
                + i
                + ".250', 'UNDECODABLE', 'bad magic', 'cx.surveys', 0, 42, NULL, NULL, 3,"
                + " 'abc', 'survey')");
      }
      statement.execute(
          "INSERT INTO cx_dead_letters VALUES ('2026-03-01 10:00:30', 'UNDECODABLE', 'bad magic',"
              + " 'cx.surveys', 1, 42, 'e-1', '2026-03-01 09:59:00', 3, 'abc', 'survey')");

      // Every view runs; those over the rows inserted here return some. The checkout and ticket
      // views are checked value by value in CheckoutViewsITCase and TicketViewsITCase.
      for (String view : viewQueries()) {
        long rows = count(statement, view);
        if (view.startsWith("cx_survey") || view.startsWith("cx_dead_letter")) {
          assertThat(rows).as(view).isPositive();
        }
      }
      // One window row, four grouping sets.
      assertThat(count(statement, "cx_survey_scores_day")).isEqualTo(4);
      try (ResultSet rs = statement.executeQuery("SELECT * FROM cx_dead_letter_counts")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString("source_topic")).isEqualTo("cx.surveys");
        assertThat(rs.getString("reason")).isEqualTo("UNDECODABLE");
        assertThat(rs.getLong("dead_letters")).isEqualTo(2);
        assertThat(rs.next()).isFalse();
      }
    }
  }

  /**
   * V012 on a table that already holds dead letters: the old rows read job '' and stay countable,
   * the same record dead-lettered by the survey job and by the driver split job gives two rows
   * (while a replay of one job's dead letter still folds into its row), the owners' view counts the
   * record once and the view by job shows both, and V012's statements run again change nothing.
   */
  @Test
  void deadLettersOfOneRecordByTwoJobsAreTwoRowsAndTheOwnersViewCountsItOnce() throws Exception {
    Path sql = copyOfRepositorySql();
    Path index = sql.resolve(Migrations.INDEX);
    String repositoryIndex = Files.readString(index);
    Path repeatableIndex = sql.resolve(Migrations.REPEATABLE_INDEX);
    String repositoryRepeatableIndex = Files.readString(repeatableIndex);
    String v012 = "V012__dead_letters_by_job.sql";
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      // A database at V011, as a build before V012 and before the repeatable scripts left it.
      Files.writeString(index, repositoryIndex.substring(0, repositoryIndex.indexOf(v012)));
      Files.writeString(repeatableIndex, "");
      new SchemaMigrator(Migrations.fromDirectory(sql)).migrate(connection);
      statement.execute(
          "INSERT INTO cx_dead_letters VALUES ('2026-03-01 10:00:00', 'DUPLICATE', 'seen',"
              + " 'cx.surveys', 0, 7, 'e-7', '2026-03-01 09:59:00', 3, 'abc')");

      Files.writeString(index, repositoryIndex);
      Files.writeString(repeatableIndex, repositoryRepeatableIndex);
      new SchemaMigrator(Migrations.fromDirectory(sql)).migrate(connection);
      String insert =
          "INSERT INTO cx_dead_letters (dead_lettered_at, reason, detail, source_topic,"
              + " source_partition, source_offset, event_id, event_time, raw_length, raw_prefix,"
              + " job) VALUES ('2026-03-01 10:00:%02d', 'TOO_LATE', 'late', 'cx.surveys', 0, 8,"
              + " 'e-8', '2026-03-01 09:00:00', 3, 'abc', '%s')";
      statement.execute(String.format(insert, 10, "survey"));
      statement.execute(String.format(insert, 20, "driver-split"));
      statement.execute(String.format(insert, 30, "driver-split")); // a replay: folds

      try (ResultSet rs =
          statement.executeQuery(
              "SELECT source_offset, job, count() AS n FROM cx_dead_letters FINAL"
                  + " GROUP BY source_offset, job ORDER BY source_offset, job")) {
        List<String> rows = new ArrayList<>();
        while (rs.next()) {
          rows.add(rs.getLong(1) + " " + rs.getString(2) + " " + rs.getLong(3));
        }
        assertThat(rows).containsExactly("7  1", "8 driver-split 1", "8 survey 1");
      }
      try (ResultSet rs =
          statement.executeQuery(
              "SELECT reason, sum(dead_letters) FROM cx_dead_letter_counts"
                  + " GROUP BY reason ORDER BY reason")) {
        List<String> rows = new ArrayList<>();
        while (rs.next()) {
          rows.add(rs.getString(1) + " " + rs.getLong(2));
        }
        assertThat(rows).containsExactly("DUPLICATE 1", "TOO_LATE 1");
      }
      assertThat(columns(statement, "cx_dead_letter_counts_by_job"))
          .containsExactly("bucket_start", "job", "source_topic", "reason", "dead_letters");
      try (ResultSet rs =
          statement.executeQuery(
              "SELECT job, reason, sum(dead_letters) FROM cx_dead_letter_counts_by_job"
                  + " GROUP BY job, reason ORDER BY job, reason")) {
        List<String> rows = new ArrayList<>();
        while (rs.next()) {
          rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getLong(3));
        }
        assertThat(rows)
            .containsExactly(" DUPLICATE 1", "driver-split TOO_LATE 1", "survey TOO_LATE 1");
      }

      // Safe to run again, as a file that failed half-way would be.
      List<String> before = definitions(connection);
      for (String again : Files.readString(sql.resolve("migrations/" + v012)).split(";\\s*\n")) {
        if (!again.replaceAll("(?m)^--.*$", "").isBlank()) {
          statement.execute(again);
        }
      }
      assertThat(definitions(connection)).isEqualTo(before);
      assertThat(count(statement, "cx_dead_letters FINAL")).isEqualTo(3);
    }
  }

  @Test
  void rejectsAFileThatChangedAfterItWasApplied() throws Exception {
    Path sql = smallSql();
    try (Connection connection = connect()) {
      SchemaMigrator migrator = new SchemaMigrator(Migrations.fromDirectory(sql));
      migrator.migrate(connection);
      List<AppliedMigration> applied = migrator.applied(connection);
      List<String> createStatements = createStatements(connection);

      Files.writeString(
          sql.resolve("migrations/V002__item_count.sql"),
          "-- an innocent-looking edit\n",
          StandardOpenOption.APPEND);
      SchemaMigrator edited = new SchemaMigrator(Migrations.fromDirectory(sql));

      assertThatThrownBy(() -> edited.migrate(connection))
          .isInstanceOf(MigrationException.class)
          .hasMessageContaining("Migration V002__item_count.sql has changed since it was applied")
          .hasMessageContaining(applied.get(1).checksum())
          .extracting(e -> ((MigrationException) e).fileName())
          .isEqualTo("V002__item_count.sql");
      assertThat(migrator.applied(connection)).isEqualTo(applied);
      assertThat(createStatements(connection)).isEqualTo(createStatements);
    }
  }

  @Test
  void appliesOnlyANewFileAndRecordsAFailingFileOnlyOnceItSucceeds() throws Exception {
    Path sql = smallSql();
    try (Connection connection = connect()) {
      new SchemaMigrator(Migrations.fromDirectory(sql)).migrate(connection);
      List<Integer> versionsBefore =
          Migrations.fromDirectory(sql).migrations().stream().map(Migration::version).toList();

      Path v099 = sql.resolve("migrations/V099__extra_view.sql");
      Files.writeString(
          sql.resolve(Migrations.INDEX), "V099__extra_view.sql\n", StandardOpenOption.APPEND);
      Files.writeString(
          v099,
          "-- works\nCREATE OR REPLACE VIEW extra_a AS SELECT 1 AS one;\n\n"
              + "-- fails\nCREATE OR REPLACE VIEW extra_b AS\nSELECT no_such_column\nFROM"
              + " items;\n");

      assertThatThrownBy(
              () -> new SchemaMigrator(Migrations.fromDirectory(sql)).migrate(connection))
          .isInstanceOf(MigrationException.class)
          .hasMessageContaining("Migration V099__extra_view.sql failed at the statement on line 5")
          .hasMessageContaining("no_such_column");
      assertThat(new SchemaMigrator(Migrations.fromDirectory(sql)).applied(connection))
          .extracting(AppliedMigration::version)
          .containsExactlyElementsOf(versionsBefore);

      Files.writeString(
          v099,
          "CREATE OR REPLACE VIEW extra_a AS SELECT 1 AS one;\n"
              + "CREATE OR REPLACE VIEW extra_b AS SELECT count() AS n FROM items;\n");
      MigrationResult result =
          new SchemaMigrator(Migrations.fromDirectory(sql)).migrate(connection);

      assertThat(result.applied())
          .extracting(Migration::name)
          .containsExactly("V099__extra_view.sql");
      assertThat(result.alreadyApplied()).isEqualTo(versionsBefore.size());
      assertThat(result.schemaVersion()).isEqualTo(99);
      try (Statement statement = connection.createStatement()) {
        assertThat(count(statement, "extra_b")).isEqualTo(1);
      }
    }
  }

  @Test
  void rejectsAFileInsertedBeforeAnAppliedVersion() throws Exception {
    Path sql = smallSql();
    Path index = sql.resolve(Migrations.INDEX);
    String smallIndex = Files.readString(index);
    Files.writeString(
        sql.resolve("migrations/V900__first.sql"), "CREATE OR REPLACE VIEW v900 AS SELECT 900;\n");
    Files.writeString(
        sql.resolve("migrations/V910__second.sql"), "CREATE OR REPLACE VIEW v910 AS SELECT 910;\n");
    try (Connection connection = connect()) {
      Files.writeString(index, smallIndex + "V910__second.sql\n");
      new SchemaMigrator(Migrations.fromDirectory(sql)).migrate(connection);

      Files.writeString(index, smallIndex + "V900__first.sql\nV910__second.sql\n");

      assertThatThrownBy(
              () -> new SchemaMigrator(Migrations.fromDirectory(sql)).migrate(connection))
          .isInstanceOf(MigrationException.class)
          .hasMessageContaining("Migration V900__first.sql is not applied but version 910 is");
    }
  }

  /**
   * An edited repeatable script is applied again with every script after it (they may read what it
   * defines), not the scripts before it; the views it defines change in place.
   */
  @Test
  void appliesAChangedRepeatableScriptAndTheScriptsAfterIt() throws Exception {
    Path sql = copyOfRepositorySql();
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      new SchemaMigrator(Migrations.fromDirectory(sql)).migrate(connection);
      Path backlog = sql.resolve("repeatable/R__ticket_backlog.sql");
      Files.writeString(
          backlog,
          Files.readString(backlog)
              .replace(
                  "COMMENT 'Support backlog per minute",
                  "COMMENT 'Edited: support backlog per minute"));
      assertThat(Files.readString(backlog)).contains("Edited: support backlog");

      SchemaMigrator migrator = new SchemaMigrator(Migrations.fromDirectory(sql));
      MigrationResult result = migrator.migrate(connection);

      List<String> names =
          Migrations.fromClasspath().repeatables().stream().map(RepeatableScript::name).toList();
      assertThat(result.applied()).isEmpty();
      assertThat(result.repeatablesApplied())
          .extracting(RepeatableScript::name)
          .containsExactlyElementsOf(
              names.subList(names.indexOf("R__ticket_backlog.sql"), names.size()))
          .doesNotContain("R__formulas.sql");
      assertThat(migrator.currentRepeatables(connection))
          .containsEntry("R__ticket_backlog.sql", Migration.sha256(Files.readAllBytes(backlog)));
      try (ResultSet rs =
          statement.executeQuery(
              "SELECT comment FROM system.tables WHERE database = currentDatabase()"
                  + " AND name = 'cx_ticket_backlog_minute'")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).startsWith("Edited: support backlog per minute");
      }
      assertThat(migrator.migrate(connection).repeatablesApplied()).isEmpty();
    }
  }

  /**
   * A repeatable script that fails leaves every view and function as it was before the run (those
   * replaced put back, those created dropped, in scripts before the failing one too), records
   * nothing, and names the script and the line; fixed, it applies.
   */
  @Test
  void aFailingRepeatableScriptLeavesThePreviousViewsAndFunctions() throws Exception {
    Path sql = copyOfRepositorySql();
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      SchemaMigrator migrator = new SchemaMigrator(Migrations.fromDirectory(sql));
      migrator.migrate(connection);
      List<String> definitions = definitions(connection);
      List<String> functions = functions(connection);
      java.util.Map<String, String> recorded = migrator.currentRepeatables(connection);

      Path formulas = sql.resolve("repeatable/R__formulas.sql");
      String repositoryFormulas = Files.readString(formulas);
      Files.writeString(
          formulas,
          repositoryFormulas.replace(
                  "CREATE OR REPLACE FUNCTION cx_wilson_low AS (successes, trials, z) ->\n",
                  "CREATE OR REPLACE FUNCTION cx_wilson_low AS (successes, trials, z) -> 0.5 +\n")
              + "CREATE OR REPLACE FUNCTION cx_migrations_it_new AS (a) -> a;\n");
      Path survey = sql.resolve("repeatable/R__survey_scores.sql");
      Files.writeString(
          survey,
          Files.readString(survey).replace("AS z,", "AS z, -- edited")
              + "CREATE OR REPLACE VIEW cx_migrations_it_new AS SELECT 1 AS one;\n");
      Path alerts = sql.resolve("repeatable/R__alerts.sql");
      String repositoryAlerts = Files.readString(alerts);
      Files.writeString(
          alerts,
          repositoryAlerts
              + "\nCREATE OR REPLACE VIEW cx_migrations_it_broken AS\nSELECT no_such_column\n"
              + "FROM cx_alerts;\n");
      int brokenLine = (int) repositoryAlerts.lines().count() + 2;

      assertThatThrownBy(
              () -> new SchemaMigrator(Migrations.fromDirectory(sql)).migrate(connection))
          .isInstanceOf(MigrationException.class)
          .hasMessageContaining(
              "Repeatable script R__alerts.sql failed at the statement on line " + brokenLine)
          .hasMessageContaining("no_such_column")
          .hasMessageContaining("every view and function of this run is back to its previous")
          .extracting(e -> ((MigrationException) e).fileName())
          .isEqualTo("R__alerts.sql");
      assertThat(definitions(connection)).isEqualTo(definitions);
      assertThat(functions(connection)).isEqualTo(functions);
      assertThat(migrator.currentRepeatables(connection)).isEqualTo(recorded);

      Files.writeString(alerts, repositoryAlerts);
      MigrationResult fixed = new SchemaMigrator(Migrations.fromDirectory(sql)).migrate(connection);
      assertThat(fixed.repeatablesApplied())
          .containsExactlyElementsOf(Migrations.fromDirectory(sql).repeatables());
      assertThat(tablesByEngine(connection, "= 'View'")).contains("cx_migrations_it_new");
      assertThat(functions(connection))
          .anySatisfy(f -> assertThat(f).startsWith("cx_migrations_it_new"))
          .anySatisfy(f -> assertThat(f).startsWith("cx_wilson_low").contains("0.5 +"));

      // Back to the repository's functions, which every database of this engine shares.
      Files.writeString(formulas, repositoryFormulas);
      new SchemaMigrator(Migrations.fromDirectory(sql)).migrate(connection);
      statement.execute("DROP FUNCTION cx_migrations_it_new");
      assertThat(functions(connection)).isEqualTo(functions);
    }
  }

  @Test
  void commandLineMigratesAndFailsWithAClearMessage() throws Exception {
    String url = clickHouse.jdbcUrl(database);

    assertThat(runCommand("--clickhouse-url", url).exitCode).isZero();
    CommandRun again = runCommand("--clickhouse-url", url, "--user", "default", "--password", "");
    assertThat(again.exitCode).isZero();
    assertThat(again.out)
        .contains(
            "schema at version "
                + LATEST
                + ": applied 0 migration(s), "
                + MIGRATIONS
                + " already applied; applied 0 repeatable script(s)");

    Path sql = copyOfRepositorySql();
    Files.writeString(
        sql.resolve("migrations/V001__survey_window.sql"), "\n", StandardOpenOption.APPEND);
    CommandRun changed = runCommand("--clickhouse-url", url, "--sql-dir", sql.toString());
    assertThat(changed.exitCode).isEqualTo(MigrateCommand.EXIT_FAILED);
    assertThat(changed.err)
        .contains("Migration failed: Migration V001__survey_window.sql has changed");

    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    CommandRun unreachable =
        runCommand(
            "--clickhouse-url",
            "jdbc:clickhouse:http://127.0.0.1:" + closedPort + "/default?password=secret",
            "--password",
            "hunter2");
    assertThat(unreachable.exitCode).isEqualTo(MigrateCommand.EXIT_FAILED);
    assertThat(unreachable.err)
        .startsWith("Migration failed: ")
        .doesNotContain("hunter2", "secret");

    assertThat(runCommand("--no-such-option").exitCode).isEqualTo(2);
    CommandRun help = runCommand("--help");
    assertThat(help.exitCode).isZero();
    assertThat(help.out).contains("--clickhouse-url", "CLICKHOUSE_PASSWORD");
  }

  private record CommandRun(int exitCode, String out, String err) {}

  private static CommandRun runCommand(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode =
        new CommandLine(new MigrateCommand())
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(args);
    return new CommandRun(exitCode, out.toString(), err.toString());
  }

  /**
   * A two-file SQL root (a table and a view over it) with the repository's bookkeeping tables: what
   * the migrator's rules for versioned files need, without the repository's files, whose every view
   * costs the engine its planning (a full migration takes 6 to 15 s here).
   */
  private Path smallSql() throws IOException {
    Path root = tempDir.resolve("small-sql");
    Files.createDirectories(root.resolve(Migrations.MIGRATIONS_DIR));
    Files.createDirectories(root.resolve(Migrations.REPEATABLE_DIR));
    Files.copy(
        MigrationsTest.REPOSITORY_SQL.resolve(Migrations.BOOKKEEPING),
        root.resolve(Migrations.BOOKKEEPING));
    Files.writeString(
        root.resolve(Migrations.MIGRATIONS_DIR + "V001__items.sql"),
        "CREATE TABLE IF NOT EXISTS items (id UInt32) ENGINE = MergeTree ORDER BY id;\n");
    Files.writeString(
        root.resolve(Migrations.MIGRATIONS_DIR + "V002__item_count.sql"),
        "CREATE OR REPLACE VIEW item_count AS SELECT count() AS n FROM items;\n");
    Files.writeString(root.resolve(Migrations.INDEX), "V001__items.sql\nV002__item_count.sql\n");
    Files.writeString(root.resolve(Migrations.REPEATABLE_INDEX), "");
    return root;
  }

  private Path copyOfRepositorySql() throws IOException {
    Path copy = tempDir.resolve("sql");
    try (Stream<Path> files = Files.walk(MigrationsTest.REPOSITORY_SQL)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path target = copy.resolve(MigrationsTest.REPOSITORY_SQL.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    }
    return copy;
  }

  /** A FROM clause for every view; the parameterised one with each grain. */
  private static List<String> viewQueries() {
    List<String> queries = new ArrayList<>(VIEWS);
    queries.removeAll(PARAMETERISED_VIEWS);
    for (String view : PARAMETERISED_VIEWS) {
      for (String grain : List.of("minute", "hour", "day")) {
        queries.add(view + "(grain = '" + grain + "')");
      }
    }
    String range = "from_time = '2026-03-01 00:00:00', to_time = '2026-04-01 00:00:00'";
    for (String view : List.of("cx_driver_split_between", "cx_driver_rows_between")) {
      queries.remove(view);
      queries.add(view + "(" + range + ")");
    }
    queries.remove("cx_ticket_backlog_between");
    queries.add("cx_ticket_backlog_between(grain = 'hour', " + range + ")");
    return queries;
  }

  private static long count(Statement statement, String from) throws SQLException {
    try (ResultSet rs = statement.executeQuery("SELECT * FROM " + from)) {
      long rows = 0;
      while (rs.next()) {
        rows++;
      }
      return rows;
    }
  }

  private static List<String> columns(Statement statement, String from) throws SQLException {
    List<String> columns = new ArrayList<>();
    try (ResultSet rs = statement.executeQuery("SELECT * FROM " + from + " LIMIT 0")) {
      for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
        columns.add(rs.getMetaData().getColumnLabel(i));
      }
    }
    return columns;
  }

  private static List<String> tablesByEngine(Connection connection, String engineCondition)
      throws SQLException {
    List<String> names = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine "
                    + engineCondition
                    + " ORDER BY name")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }

  private static List<String> createStatements(Connection connection) throws SQLException {
    List<String> statements = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT name, create_table_query, metadata_modification_time FROM system.tables"
                    + " WHERE database = currentDatabase() ORDER BY name")) {
      while (rs.next()) {
        statements.add(rs.getString(1) + " @ " + rs.getString(3) + ": " + rs.getString(2));
      }
    }
    return statements;
  }

  /** Every SQL function of the engine: name and definition. */
  private static List<String> functions(Connection connection) throws SQLException {
    List<String> functions = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT name, create_query FROM system.functions"
                    + " WHERE origin = 'SQLUserDefined' ORDER BY name")) {
      while (rs.next()) {
        functions.add(rs.getString(1) + ": " + rs.getString(2));
      }
    }
    return functions;
  }

  /** Every table's and view's definition, without when it was last (re)created. */
  private static List<String> definitions(Connection connection) throws SQLException {
    return createStatements(connection).stream()
        .map(statement -> statement.replaceFirst(" @ [^:]+:[^:]+:[^:]+: ", ": "))
        .toList();
  }
}
