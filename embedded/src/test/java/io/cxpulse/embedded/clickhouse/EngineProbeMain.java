package io.cxpulse.embedded.clickhouse;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
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
