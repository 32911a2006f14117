package io.cxpulse.jobs.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.cxpulse.embedded.clickhouse.EmbeddedClickHouse;
import io.cxpulse.metrics.ConfidenceInterval;
import io.cxpulse.metrics.Intervals;
import io.cxpulse.metrics.LogHistogram;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared formulas as SQL functions (sql/repeatable/R__formulas.sql) in the embedded engine as
 * local mode runs it, with a writer and a read-only user: the migrations create them, they survive
 * a restart on the same data directory, the read-only user calls them and reads the views built on
 * them but can neither create, replace nor drop one, and a view stores the expansion of the
 * functions it calls.
 */
class SqlFunctionsITCase {

  private static final String WRITER = "cx_writer";
  private static final String READER = "cx_reader";
  private static final String PASSWORD = "functions-it";

  /** Wilson bounds (low, high) for every successes/trials with trials 1..12. */
  private static final String WILSON =
      "arrayFlatten(arrayMap(n -> arrayFlatten(arrayMap(k -> [cx_wilson_low(k, n, 1.96),"
          + " cx_wilson_high(k, n, 1.96)], range(n + 1))), range(1, 13)))";

  /** The t quantile for df 1..130: the table and the expansion above it. */
  private static final String T975 = "arrayMap(df -> cx_t975(df), range(1, 131))";

  private static final double[] QUANTILES = {0.01, 0.25, 0.3, 0.5, 0.6, 0.75, 0.9, 0.99, 1.0};

  /**
   * A histogram with the zero bucket, regular buckets and the overflow bucket (40 days), from
   * LogHistogram itself.
   */
  private static final LogHistogram HISTOGRAM =
      new LogHistogram()
          .add(0)
          .add(0)
          .add(5)
          .add(37)
          .add(37)
          .add(1_000)
          .add(40L * 24 * 3600 * 1000);

  /** Quantiles of {@link #HISTOGRAM} at {@link #QUANTILES}. */
  private static String histogramQuantiles() {
    return "arrayMap(q -> cx_log_histogram_quantile(CAST("
        + Arrays.toString(HISTOGRAM.bucketIndexes())
        + " AS Array(UInt16)), "
        + Arrays.toString(HISTOGRAM.bucketCounts())
        + ", q), "
        + Arrays.toString(QUANTILES)
        + ")";
  }

  /**
   * The functions agree with io.cxpulse.metrics: Wilson and the histogram quantile exactly (the
   * same order of operations), the t quantile to 1e-9 (commons-math3's accuracy).
   */
  private static void assertFormulasAgreeWithJava(Connection connection) throws SQLException {
    List<Double> wilson = new ArrayList<>();
    for (long n = 1; n <= 12; n++) {
      for (long k = 0; k <= n; k++) {
        ConfidenceInterval interval = Intervals.wilson(k, n, Intervals.Z_95);
        wilson.add(interval.lower());
        wilson.add(interval.upper());
      }
    }
    assertThat(doubles(connection, WILSON)).containsExactlyElementsOf(wilson);

    List<Double> t = doubles(connection, T975);
    assertThat(t).hasSize(130);
    for (int df = 1; df <= 130; df++) {
      assertThat(t.get(df - 1))
          .as("t(0.975, %d)", df)
          .isCloseTo(Intervals.studentT975(df), within(1e-9));
    }

    List<Double> quantiles = new ArrayList<>();
    for (double q : QUANTILES) {
      quantiles.add(HISTOGRAM.quantile(q).orElseThrow());
    }
    assertThat(quantiles)
        .contains(0.0, LogHistogram.representativeValue(LogHistogram.OVERFLOW_BUCKET));
    assertThat(doubles(connection, histogramQuantiles())).containsExactlyElementsOf(quantiles);
  }

  /** An Array(Float64) expression's values, exactly (toString gives a double's shortest text). */
  private static List<Double> doubles(Connection connection, String array) throws SQLException {
    String text =
        row(connection, "SELECT arrayStringConcat(arrayMap(x -> toString(x), " + array + "), ' ')");
    List<Double> values = new ArrayList<>();
    for (String value : text.split(" ")) {
      values.add(Double.parseDouble(value));
    }
    return values;
  }

  @TempDir Path dataDir;

  @Test
  void functionsSurviveARestartAndTheReaderCallsButCannotChangeThem() throws Exception {
    try (EmbeddedClickHouse clickHouse = start();
        Connection writer = connect(clickHouse, WRITER)) {
      new SchemaMigrator(Migrations.fromClasspath()).migrate(writer);
      assertFormulasAgreeWithJava(writer);
    }

    try (EmbeddedClickHouse clickHouse = start();
        Connection reader = connect(clickHouse, READER);
        Connection writer = connect(clickHouse, WRITER);
        Statement statement = reader.createStatement()) {
      assertFormulasAgreeWithJava(reader);
      assertThat(row(reader, "SELECT count() FROM cx_survey_scores_hour")).isEqualTo("0");
      for (String change :
          List.of(
              "CREATE FUNCTION cx_reader_made AS (a) -> a",
              "CREATE OR REPLACE FUNCTION cx_wilson_low AS (successes, trials, z) -> 0.",
              "DROP FUNCTION cx_wilson_low")) {
        assertThatThrownBy(() -> statement.execute(change))
            .as(change)
            .isInstanceOf(SQLException.class)
            .hasMessageContaining("readonly");
      }
      assertFormulasAgreeWithJava(reader);

      // The views hold the functions' expansion: they read the same without them.
      assertThat(
              row(
                  writer,
                  "SELECT count() FROM system.tables WHERE database = currentDatabase()"
                      + " AND engine = 'View' AND create_table_query LIKE '%cx\\_wilson%'"))
          .isEqualTo("0");
      assertThat(
              new SchemaMigrator(Migrations.fromClasspath()).migrate(writer).repeatablesApplied())
          .isEmpty();
    }
  }

  private EmbeddedClickHouse start() throws Exception {
    return EmbeddedClickHouse.builder()
        .dataDir(dataDir)
        .port(0)
        .user(WRITER, PASSWORD, false)
        .user(READER, PASSWORD, true)
        .start();
  }

  private static Connection connect(EmbeddedClickHouse clickHouse, String user)
      throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("password", PASSWORD);
    return DriverManager.getConnection(clickHouse.jdbcUrl(), properties);
  }

  private static String row(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      assertThat(rs.next()).as(sql).isTrue();
      StringBuilder row = new StringBuilder();
      for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
        row.append(i > 1 ? " | " : "").append(rs.getString(i));
      }
      return row.toString();
    }
  }
}
