package io.cxpulse.embedded.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's URLs name the host it was given, as the user typed it: with {@code localhost} the
 * local mode's banner printed {@code http://127.0.0.1:…} for ClickHouse beside {@code
 * http://localhost:…} for the Flink web UI.
 */
class EmbeddedClickHouseHostITCase {

  @TempDir Path dataDir;

  @Test
  void urlsNameTheHostAsGivenAndWork() throws Exception {
    try (EmbeddedClickHouse clickHouse =
        EmbeddedClickHouse.builder().dataDir(dataDir).host("localhost").port(0).start()) {
      int port = clickHouse.port();
      assertThat(clickHouse.httpUrl()).isEqualTo("http://localhost:" + port + "/");
      assertThat(clickHouse.jdbcUrl())
          .isEqualTo("jdbc:clickhouse:http://localhost:" + port + "/default");

      try (Connection connection =
              DriverManager.getConnection(clickHouse.jdbcUrl(), new Properties());
          Statement statement = connection.createStatement();
          ResultSet rs = statement.executeQuery("SELECT 1")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isOne();
      }
    }
  }
}
