package io.cxpulse.jobs.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.embedded.clickhouse.EmbeddedClickHouse;
import io.cxpulse.jobs.alerts.AlertSinks;
import io.cxpulse.jobs.checkout.CheckoutJob;
import io.cxpulse.jobs.checkout.CheckoutWindowRow;
import io.cxpulse.jobs.drivers.DriverWindowRow;
import io.cxpulse.jobs.pipeline.ClickHouseSinks;
import io.cxpulse.jobs.pipeline.ClickHouseTable;
import io.cxpulse.jobs.pipeline.JobProgress;
import io.cxpulse.jobs.survey.SurveyWindowRow;
import io.cxpulse.jobs.tickets.TicketWindowRow;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every table declaration the jobs write through ({@link ClickHouseTable}) against the table the
 * migrations create in the real engine: a migration that renames, drops or retypes a column the
 * jobs write, or adds one without a default that they do not write, fails here rather than in a
 * running job's first batch.
 */
class ClickHouseTablesITCase {

  @TempDir static Path dataDir;

  private static EmbeddedClickHouse clickHouse;
  private static Connection connection;

  @BeforeAll
  static void migrate() throws Exception {
    clickHouse = EmbeddedClickHouse.builder().dataDir(dataDir).port(0).start();
    connection = DriverManager.getConnection(clickHouse.jdbcUrl());
    new SchemaMigrator(Migrations.fromClasspath()).migrate(connection);
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

  /** Every table a job writes. */
  static Stream<ClickHouseTable<?>> declarations() {
    return Stream.of(
        SurveyWindowRow.TABLE,
        CheckoutWindowRow.TABLE,
        TicketWindowRow.TABLE,
        DriverWindowRow.TABLE,
        ClickHouseSinks.deadLetterTable(CheckoutJob.JOB_ID),
        JobProgress.TABLE,
        AlertSinks.ALERT_TABLE,
        AlertSinks.EVALUATION_TABLE);
  }

  /** Every table a job writes in binary rows. */
  static Stream<ClickHouseTable<?>> binaryDeclarations() {
    return declarations().filter(ClickHouseTable::binaryRows);
  }

  @ParameterizedTest
  @MethodSource("declarations")
  void everyDeclaredColumnExistsAndTakesWhatIsBoundToIt(ClickHouseTable<?> table) throws Exception {
    Map<String, Column> actual = columns(table.name());
    assertThat(actual).as("columns of %s", table.name()).isNotEmpty();

    List<String> problems = new ArrayList<>();
    for (ClickHouseTable.Column<?> declared : table.columns()) {
      Column column = actual.get(declared.name());
      if (column == null) {
        problems.add(declared.name() + ": no such column");
      } else if (!declared.fits(column.type())) {
        problems.add(
            declared.name()
                + ": "
                + column.type()
                + " does not take "
                + (declared.nullable() ? "nullable " : "")
                + declared.kind()
                + (declared.elementType() == null ? "" : " of " + declared.elementType()));
      }
    }
    assertThat(problems).as("declaration of %s", table.name()).isEmpty();
  }

  /**
   * The driver's binary insert sends the rows without the statement's column list, so a table
   * written in binary must be declared whole and in the table's order, or its rows land in the
   * wrong columns.
   */
  @ParameterizedTest
  @MethodSource("binaryDeclarations")
  void aTableWrittenInBinaryIsDeclaredWholeInTheTablesOrder(ClickHouseTable<?> table)
      throws Exception {
    assertThat(table.columns().stream().map(ClickHouseTable.Column::name).toList())
        .as("declaration of %s", table.name())
        .containsExactlyElementsOf(columns(table.name()).keySet());
  }

  /** A column the job does not write gets its default; without one it would silently be 0 or ''. */
  @ParameterizedTest
  @MethodSource("declarations")
  void everyColumnTheJobDoesNotWriteHasADefault(ClickHouseTable<?> table) throws Exception {
    List<String> declared = table.columns().stream().map(ClickHouseTable.Column::name).toList();

    assertThat(columns(table.name()).values())
        .filteredOn(column -> !declared.contains(column.name()))
        .allSatisfy(column -> assertThat(column.defaultKind()).as(column.name()).isNotEmpty());
  }

  private record Column(String name, String type, String defaultKind) {}

  private static Map<String, Column> columns(String table) throws Exception {
    Map<String, Column> columns = new LinkedHashMap<>();
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT name, type, default_kind FROM system.columns"
                + " WHERE database = currentDatabase() AND table = ? ORDER BY position")) {
      query.setString(1, table);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          columns.put(
              rows.getString(1),
              new Column(rows.getString(1), rows.getString(2), rows.getString(3)));
        }
      }
    }
    return columns;
  }
}
