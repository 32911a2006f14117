package io.cxpulse.local.bench;

import io.cxpulse.embedded.clickhouse.EmbeddedClickHouse;
import io.cxpulse.local.CxPulseVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Prints how fast the ClickHouse JDBC driver writes to and reads from the embedded server: batch
 * insert rows/s into a metric-shaped table and the latency of a trivial SELECT. A command, not a
 * test: figures depend on the machine and are for the record, never for assertions.
 */
@Command(
    name = "bench-clickhouse",
    mixinStandardHelpOptions = true,
    versionProvider = CxPulseVersion.class,
    description = "Benchmark JDBC batch inserts and trivial SELECT latency on embedded ClickHouse.")
public final class ClickHouseJdbcBenchmark implements Callable<Integer> {

  @Option(
      names = "--batches",
      defaultValue = "10",
      description = "Measured batches (default: ${DEFAULT-VALUE}).")
  int batches;

  @Option(
      names = "--batch-rows",
      defaultValue = "10000",
      description = "Rows per batch (default: ${DEFAULT-VALUE}).")
  int batchRows;

  @Option(
      names = "--warmup-batches",
      defaultValue = "2",
      description = "Unmeasured batches first (default: ${DEFAULT-VALUE}).")
  int warmupBatches;

  @Option(
      names = "--selects",
      defaultValue = "2000",
      description = "Measured SELECT 1 round trips (default: ${DEFAULT-VALUE}).")
  int selects;

  @Override
  public Integer call() throws Exception {
    Path dataDir = Files.createTempDirectory("cx-pulse-bench-");
    try (EmbeddedClickHouse clickHouse =
            EmbeddedClickHouse.builder().dataDir(dataDir).port(0).start();
        Connection connection = DriverManager.getConnection(clickHouse.jdbcUrl());
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE bench_rows (window_start DateTime, channel LowCardinality(String),"
              + " segment LowCardinality(String), total UInt64, score Float64,"
              + " histogram Array(UInt32), version UInt64)"
              + " ENGINE = ReplacingMergeTree(version) ORDER BY (window_start, channel, segment)");
      System.out.printf(
          "JDBC batch insert: %d batches of %,d rows after %d warm-up batches%n",
          batches, batchRows, warmupBatches);
      double[] rowsPerSecond = new double[batches];
      try (PreparedStatement insert =
          connection.prepareStatement(
              "INSERT INTO bench_rows (window_start, channel, segment, total, score, histogram,"
                  + " version) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        for (int b = -warmupBatches; b < batches; b++) {
          long started = System.nanoTime();
          for (int r = 0; r < batchRows; r++) {
            long i = (long) (b + warmupBatches) * batchRows + r;
            insert.setObject(1, LocalDateTime.of(2026, 1, 1, 0, 0).plusMinutes(i % 10_000));
            insert.setString(2, "channel-" + (i % 8));
            insert.setString(3, "segment-" + (i % 4));
            insert.setLong(4, i);
            insert.setDouble(5, i / 7.0);
            insert.setArray(6, connection.createArrayOf("UInt32", new Long[] {i % 100, 1L, 2L}));
            insert.setLong(7, 1);
            insert.addBatch();
          }
          insert.executeBatch();
          double seconds = (System.nanoTime() - started) / 1e9;
          if (b >= 0) {
            rowsPerSecond[b] = batchRows / seconds;
            System.out.printf(
                "  batch %2d: %8.1f ms  %,10.0f rows/s%n", b + 1, seconds * 1e3, rowsPerSecond[b]);
          }
        }
      }
      Arrays.sort(rowsPerSecond);
      System.out.printf(
          "  rows/s: median %,.0f  min %,.0f  max %,.0f%n",
          percentile(rowsPerSecond, 50), rowsPerSecond[0], rowsPerSecond[batches - 1]);

      double[] latenciesMs = new double[selects];
      for (int i = -selects / 10; i < selects; i++) {
        long started = System.nanoTime();
        try (ResultSet rs = statement.executeQuery("SELECT 1")) {
          rs.next();
        }
        if (i >= 0) {
          latenciesMs[i] = (System.nanoTime() - started) / 1e6;
        }
      }
      Arrays.sort(latenciesMs);
      System.out.printf(
          "SELECT 1 through JDBC (%d round trips): p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max"
              + " %.2f ms%n",
          selects,
          percentile(latenciesMs, 50),
          percentile(latenciesMs, 90),
          percentile(latenciesMs, 99),
          latenciesMs[selects - 1]);
    } finally {
      deleteRecursively(dataDir);
    }
    return 0;
  }

  private static double percentile(double[] sorted, double p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  /** Removes a benchmark's data directory: a month of rows is gigabytes. */
  public static void deleteRecursively(Path dir) throws java.io.IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
