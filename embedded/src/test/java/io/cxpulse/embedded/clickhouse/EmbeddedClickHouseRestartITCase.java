package io.cxpulse.embedded.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Data written through the server survives closing and reopening it on the same directory. */
class EmbeddedClickHouseRestartITCase {

  @TempDir Path dataDir;

  @Test
  void dataSurvivesARestartOnTheSameDirectory() throws Exception {
    try (EmbeddedClickHouse clickHouse =
            EmbeddedClickHouse.builder().dataDir(dataDir).port(0).start();
        Connection connection = DriverManager.getConnection(clickHouse.jdbcUrl());
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE kept (k UInt64, v String, version UInt64)"
              + " ENGINE = ReplacingMergeTree(version) ORDER BY k");
      statement.execute("INSERT INTO kept SELECT number, toString(number), 1 FROM numbers(5000)");
      statement.execute("INSERT INTO kept VALUES (7, 'newer', 2)");
    }
    for (int restart = 0; restart < 2; restart++) {
      try (EmbeddedClickHouse clickHouse =
              EmbeddedClickHouse.builder().dataDir(dataDir).port(0).start();
          Connection connection = DriverManager.getConnection(clickHouse.jdbcUrl());
          Statement statement = connection.createStatement();
          ResultSet rs =
              statement.executeQuery("SELECT count(), sum(k), anyIf(v, k = 7) FROM kept FINAL")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(5000);
        assertThat(rs.getLong(2)).isEqualTo(5000L * 4999 / 2);
        assertThat(rs.getString(3)).isEqualTo("newer");
      }
    }
  }
}
