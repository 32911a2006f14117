package io.cxpulse.embedded.clickhouse;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * Runs in a child JVM for {@link EmbeddedClickHouseProcessITCase}: starts the embedded server,
 * writes through JDBC, provokes implicit NullPointerExceptions in JIT-compiled code, then either
 * exits or waits for a signal.
 */
public final class EngineProbeMain {

  private static final class Holder {
    int value = 1;
  }

  private EngineProbeMain() {}

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    boolean waitForSignal = args.length > 1 && args[1].equals("wait");
    EmbeddedClickHouse clickHouse = EmbeddedClickHouse.builder().dataDir(dataDir).port(0).start();
    if (args.length > 1 && args[1].equals("stdin")) {
      insertWhileStandardInputHoldsData(clickHouse);
      clickHouse.close();
      return;
    }
    try (Connection connection = DriverManager.getConnection(clickHouse.jdbcUrl());
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE IF NOT EXISTS probe (n UInt64) ENGINE = MergeTree ORDER BY n");
      statement.execute("INSERT INTO probe SELECT number FROM numbers(1000)");
      try (ResultSet rs = statement.executeQuery("SELECT sum(n) FROM probe")) {
        rs.next();
        System.out.println("WROTE " + rs.getLong(1));
      }
    }
    System.out.println("NPE-START");
    System.out.flush();
    System.out.println("SURVIVED " + provokeImplicitNullPointerExceptions());
    System.out.flush();
    if (waitForSignal) {
      System.out.println("READY");
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
    clickHouse.close();
    System.out.println("CLOSED");
  }

  /**
   * Inserts in the three ways clients send rows (a prepared statement, inline VALUES, a batch)
   * while this process's standard input holds a line its parent wrote and keeps open; prints the
   * rows, then the line read from {@link System#in}: the engine must have taken none of it.
   */
  private static void insertWhileStandardInputHoldsData(EmbeddedClickHouse clickHouse)
      throws Exception {
    try (Connection connection = DriverManager.getConnection(clickHouse.jdbcUrl());
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE stdin_probe (n UInt64, s String) ENGINE = MergeTree ORDER BY n");
      try (PreparedStatement insert =
          connection.prepareStatement("INSERT INTO stdin_probe (n, s) VALUES (?, ?)")) {
        insert.setLong(1, 1);
        insert.setString(2, "prepared");
        insert.executeUpdate();
        for (long n = 3; n <= 4; n++) {
          insert.setLong(1, n);
          insert.setString(2, "batch");
          insert.addBatch();
        }
        insert.executeBatch();
      }
      statement.execute("INSERT INTO stdin_probe VALUES (2, 'inline')");
      StringBuilder rows = new StringBuilder();
      try (ResultSet rs = statement.executeQuery("SELECT n, s FROM stdin_probe ORDER BY n")) {
        while (rs.next()) {
          rows.append(rows.isEmpty() ? "" : ",")
              .append(rs.getLong(1))
              .append(':')
              .append(rs.getString(2));
        }
      }
      System.out.println("ROWS " + rows);
    }
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    System.out.println("STDIN " + in.readLine());
    System.out.flush();
  }

  /**
   * Compiled code checks for null by letting the access fault (SIGSEGV) and turning the signal into
   * an exception. Warming the method up first makes the JIT emit exactly that.
   */
  static int provokeImplicitNullPointerExceptions() {
    Holder holder = new Holder();
    long sum = 0;
    for (int i = 0; i < 500_000; i++) {
      sum += read(holder);
    }
    int caught = 0;
    for (int i = 0; i < 200; i++) {
      try {
        sum += read(i % 2 == 0 ? null : holder);
      } catch (NullPointerException expected) {
        caught++;
      }
    }
    return sum > 0 ? caught : -1;
  }

  private static int read(Holder holder) {
    return holder.value;
  }
}
