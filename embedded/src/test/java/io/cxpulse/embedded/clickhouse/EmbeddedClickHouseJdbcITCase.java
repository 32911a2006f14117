package io.cxpulse.embedded.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives the unmodified ClickHouse JDBC driver through everything CX Pulse needs from the embedded
 * server: DDL, the column types of the metric tables, large batch inserts, typed reads, errors,
 * per-connection isolation, settings, concurrency and a restart on the same data.
 */
class EmbeddedClickHouseJdbcITCase {

  private static final int BATCH_ROWS = 100_000;
  private static final LocalDateTime BASE_TIME = LocalDateTime.of(2026, 1, 1, 0, 0, 0);

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

  private static Connection connect() throws SQLException {
    return DriverManager.getConnection(clickHouse.jdbcUrl(), new Properties());
  }

  private static Connection connect(String urlSuffix) throws SQLException {
    return DriverManager.getConnection(clickHouse.jdbcUrl() + urlSuffix, new Properties());
  }

  @Test
  void batchInsertsAndReadsBackEveryColumnType() throws Exception {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS typed_rows");
      statement.execute(
          "CREATE TABLE typed_rows ("
              + " id UInt64, channel LowCardinality(String), window_start DateTime,"
              + " event_time DateTime64(3), score Float64, histogram Array(UInt32),"
              + " note String, version UInt64"
              + ") ENGINE = ReplacingMergeTree(version) ORDER BY id");

      try (PreparedStatement insert =
          connection.prepareStatement(
              "INSERT INTO typed_rows (id, channel, window_start, event_time, score, histogram,"
                  + " note, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (int i = 0; i < BATCH_ROWS; i++) {
          insert.setLong(1, i);
          insert.setString(2, channelOf(i));
          insert.setObject(3, BASE_TIME.plusMinutes(i % 1440));
          insert.setObject(4, BASE_TIME.plusNanos((long) i * 1_000_000L));
          insert.setDouble(5, i / 4.0);
          insert.setArray(6, connection.createArrayOf("UInt32", new Long[] {(long) i, 7L}));
          insert.setString(7, noteOf(i));
          insert.setLong(8, 1);
          insert.addBatch();
        }
        int[] counts = insert.executeBatch();
        assertThat(counts).hasSize(BATCH_ROWS);
      }

      // A second version of row 0 replaces the first once the table is merged (FINAL).
      statement.execute(
          "INSERT INTO typed_rows VALUES (0, 'web', '2026-01-01 00:00:00',"
              + " '2026-01-01 00:00:00.000', 99.5, [0, 7], 'second', 2)");

      try (ResultSet rs =
          statement.executeQuery(
              "SELECT count(), sum(id), sum(score), sum(arraySum(histogram)),"
                  + " uniqExact(channel) FROM typed_rows FINAL")) {
        assertThat(rs.next()).isTrue();
        long n = BATCH_ROWS;
        assertThat(rs.getLong(1)).isEqualTo(n);
        assertThat(rs.getLong(2)).isEqualTo(n * (n - 1) / 2);
        assertThat(rs.getDouble(3)).isEqualTo((n * (n - 1) / 2) / 4.0 + 99.5);
        assertThat(rs.getLong(4)).isEqualTo(n * (n - 1) / 2 + 7 * n);
        assertThat(rs.getLong(5)).isEqualTo(4);
      }

      try (ResultSet rs =
          statement.executeQuery(
              "SELECT id, channel, window_start, event_time, score, histogram, note, version"
                  + " FROM typed_rows FINAL WHERE id IN (0, 12345, 99999) ORDER BY id")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong("id")).isZero();
        assertThat(rs.getString("note")).isEqualTo("second");
        assertThat(rs.getDouble("score")).isEqualTo(99.5);
        assertThat(rs.getLong("version")).isEqualTo(2);

        for (int id : new int[] {12345, 99999}) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getLong("id")).isEqualTo(id);
          assertThat(rs.getString("channel")).isEqualTo(channelOf(id));
          LocalDateTime windowStart = BASE_TIME.plusMinutes(id % 1440);
          assertThat(rs.getObject("window_start", LocalDateTime.class)).isEqualTo(windowStart);
          assertThat(rs.getTimestamp("window_start"))
              .isEqualTo(Timestamp.from(windowStart.toInstant(ZoneOffset.UTC)));
          assertThat(rs.getObject("event_time", LocalDateTime.class))
              .isEqualTo(BASE_TIME.plusNanos(id * 1_000_000L));
          assertThat(rs.getDouble("score")).isEqualTo(id / 4.0);
          assertThat(numbers(rs.getArray("histogram"))).containsExactly((long) id, 7L);
          assertThat(rs.getString("note")).isEqualTo(noteOf(id));
          assertThat(rs.getLong("version")).isEqualTo(1);
        }
        assertThat(rs.next()).isFalse();
      }
      statement.execute("DROP TABLE typed_rows");
      assertThatThrownBy(() -> statement.executeQuery("SELECT * FROM typed_rows"))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(60));
    }
  }

  @Test
  void readsUInt64BeyondLongRange() throws Exception {
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT toUInt64(9223372036854775807), toUInt64('18446744073709551615')")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(1)).isEqualTo(Long.MAX_VALUE);
      assertThat(rs.getObject(2, BigInteger.class))
          .isEqualTo(new BigInteger("18446744073709551615"));
    }
  }

  @Test
  void badStatementSurfacesClickHouseErrorCodeAndMessage() throws Exception {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      assertThatThrownBy(() -> statement.executeQuery("SELEC 1"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("Syntax error")
          .satisfies(e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(62));
      assertThatThrownBy(() -> statement.executeQuery("SELECT * FROM no_such_table"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("no_such_table")
          .satisfies(e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(60));
      // The connection stays usable after errors.
      try (ResultSet rs = statement.executeQuery("SELECT 7")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(7);
      }
    }
  }

  @Test
  void errorMidResultDoesNotLeakIntoTheNextResult() throws Exception {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      assertThatThrownBy(
              () ->
                  statement.executeQuery(
                      "SELECT number, throwIf(number = 50000) FROM numbers(100000)"))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(395));
      try (ResultSet rs = statement.executeQuery("SELECT 'clean' AS s, 42 AS n")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString("s")).isEqualTo("clean");
        assertThat(rs.getInt("n")).isEqualTo(42);
        assertThat(rs.next()).isFalse();
      }
    }
  }

  @Test
  void setOnOneConnectionIsNotSeenByAnother() throws Exception {
    try (Connection first = connect();
        Connection second = connect();
        Statement a = first.createStatement();
        Statement b = second.createStatement()) {
      a.execute("SET max_threads = 3");
      try (ResultSet rs = b.executeQuery("SELECT getSetting('max_threads')")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isNotEqualTo("3");
      }
    }
  }

  /**
   * The engine turns asynchronous inserts on by default, and they refuse the {@code FROM INFILE}
   * form the server gives every insert's data (see EngineConfig); a prepared batch insert then
   * works only while the engine happens not to take the asynchronous path.
   */
  @Test
  void insertsAreSynchronousForEverySession() throws Exception {
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT getSetting('async_insert')")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getBoolean(1)).as("async_insert").isFalse();
    }
  }

  @Test
  void driverSettingsFromTheUrlAreApplied() throws Exception {
    try (Connection connection = connect("?clickhouse_setting_max_threads=3");
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT getSetting('max_threads')")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("3");
    }
  }

  @Test
  void unknownSettingGetsClickHousesOwnError() throws Exception {
    try (Connection connection = connect("?clickhouse_setting_no_such_setting=1");
        Statement statement = connection.createStatement()) {
      assertThatThrownBy(() -> statement.executeQuery("SELECT 1"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("no_such_setting")
          .satisfies(e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(115));
    }
  }

  @Test
  void concurrentConnectionsInsertAndReadExactTotals() throws Exception {
    int threads = 6;
    int batchesPerThread = 20;
    int rowsPerBatch = 500;
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS concurrent_rows");
      statement.execute(
          "CREATE TABLE concurrent_rows (writer UInt32, seq UInt64, value UInt64)"
              + " ENGINE = MergeTree ORDER BY (writer, seq)");
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Long>> futures = new ArrayList<>();
      for (int w = 0; w < threads; w++) {
        int writer = w;
        Callable<Long> work =
            () -> {
              long written = 0;
              try (Connection connection = connect();
                  PreparedStatement insert =
                      connection.prepareStatement(
                          "INSERT INTO concurrent_rows (writer, seq, value) VALUES (?, ?, ?)");
                  Statement reader = connection.createStatement()) {
                for (int b = 0; b < batchesPerThread; b++) {
                  for (int r = 0; r < rowsPerBatch; r++) {
                    long seq = (long) b * rowsPerBatch + r;
                    insert.setLong(1, writer);
                    insert.setLong(2, seq);
                    insert.setLong(3, seq * 3);
                    insert.addBatch();
                  }
                  insert.executeBatch();
                  written += rowsPerBatch;
                  // Every reader sees at least its own writes so far: inserts are synchronous.
                  try (ResultSet rs =
                      reader.executeQuery(
                          "SELECT count() FROM concurrent_rows WHERE writer = " + writer)) {
                    rs.next();
                    assertThat(rs.getLong(1)).isEqualTo(written);
                  }
                }
              }
              return written;
            };
        futures.add(pool.submit(work));
      }
      long total = 0;
      for (Future<Long> future : futures) {
        total += future.get(5, TimeUnit.MINUTES);
      }
      assertThat(total).isEqualTo((long) threads * batchesPerThread * rowsPerBatch);
    } finally {
      pool.shutdownNow();
    }
    long rows = (long) batchesPerThread * rowsPerBatch;
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT writer, count(), sum(value), uniqExact(seq) FROM concurrent_rows"
                    + " GROUP BY writer ORDER BY writer")) {
      for (int w = 0; w < threads; w++) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(w);
        assertThat(rs.getLong(2)).isEqualTo(rows);
        assertThat(rs.getLong(3)).isEqualTo(3 * rows * (rows - 1) / 2);
        assertThat(rs.getLong(4)).isEqualTo(rows);
      }
      assertThat(rs.next()).isFalse();
    }
  }

  private static List<Long> numbers(Array array) throws SQLException {
    Object values = array.getArray();
    List<Long> result = new ArrayList<>();
    int length = java.lang.reflect.Array.getLength(values);
    for (int i = 0; i < length; i++) {
      result.add(((Number) java.lang.reflect.Array.get(values, i)).longValue());
    }
    return result;
  }

  private static String channelOf(int i) {
    return switch (i % 4) {
      case 0 -> "web";
      case 1 -> "mobile_app";
      case 2 -> "email";
      default -> "chat";
    };
  }

  /** Quotes, backslashes, tabs, newlines and non-ASCII: everything the VALUES path must escape. */
  private static String noteOf(int i) {
    return "n" + i + " it's \\ a\ttab\nline – Zürich ✓";
  }
}
