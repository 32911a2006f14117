package io.cxpulse.embedded.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The server's URLs name an address a client can open: the host as the user typed it (with {@code
 * localhost} the local mode's banner printed {@code http://127.0.0.1:…} for ClickHouse beside
 * {@code http://localhost:…} for the Flink web UI), loopback for a server on every interface
 * ({@code http://0.0.0.0:…} is no address to open), an IPv6 literal in brackets.
 */
class EmbeddedClickHouseHostITCase {

  @TempDir Path dataDir;

  @ParameterizedTest
  @CsvSource({"localhost, localhost", "0.0.0.0, 127.0.0.1", "'::1', '[::1]'"})
  void urlsNameAnAddressThatWorks(String host, String urlHost) throws Exception {
    try (EmbeddedClickHouse clickHouse =
        EmbeddedClickHouse.builder()
            .dataDir(dataDir)
            .host(host)
            .port(0)
            // A server beyond loopback needs users.
            .user("reader", "reader-secret", true)
            .start()) {
      int port = clickHouse.port();
      assertThat(clickHouse.httpUrl()).isEqualTo("http://" + urlHost + ":" + port + "/");
      assertThat(clickHouse.jdbcUrl())
          .isEqualTo("jdbc:clickhouse:http://" + urlHost + ":" + port + "/default");

      Properties credentials = new Properties();
      credentials.setProperty("user", "reader");
      credentials.setProperty("password", "reader-secret");
      try (Connection connection = DriverManager.getConnection(clickHouse.jdbcUrl(), credentials);
          Statement statement = connection.createStatement();
          ResultSet rs = statement.executeQuery("SELECT 1")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isOne();
      }
    }
  }
}
