package io.cxpulse.embedded.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded server with users, as local mode runs it: every query names a user and password, the
 * way curl, the JDBC driver and BI tools send them, or is refused as a ClickHouse server refuses
 * it; a read-only user reads and cannot write.
 */
class ClickHouseAuthenticationITCase {

  private static final String WRITER = "cx_writer";
  private static final String WRITER_PASSWORD = "w-secret-1";
  private static final String READER = "cx_reader";
  private static final String READER_PASSWORD = "r-secret-2";

  @TempDir static Path dataDir;

  private static EmbeddedClickHouse clickHouse;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    clickHouse =
        EmbeddedClickHouse.builder()
            .dataDir(dataDir)
            .port(0)
            .user(WRITER, WRITER_PASSWORD, false)
            .user(READER, READER_PASSWORD, true)
            .start();
    try (Connection connection = connect(WRITER, WRITER_PASSWORD);
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE t (x UInt32) ENGINE = MergeTree ORDER BY x");
      statement.execute("INSERT INTO t VALUES (1), (2)");
    }
  }

  @AfterAll
  static void stop() {
    if (clickHouse != null) {
      clickHouse.close();
    }
  }

  private static Connection connect(String user, String password) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("password", password);
    return DriverManager.getConnection(clickHouse.jdbcUrl(), properties);
  }

  private static HttpResponse<String> post(String sql, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(clickHouse.httpUrl()))
            .POST(HttpRequest.BodyPublishers.ofString(sql));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void withoutTheRightPasswordNothingIsAnswered() throws Exception {
    for (HttpResponse<String> refused :
        new HttpResponse[] {
          post("SELECT 1"),
          post("SELECT 1", "Authorization", basic(WRITER, "wrong")),
          post("SELECT 1", "Authorization", basic("nobody", WRITER_PASSWORD)),
          post("SELECT 1", "X-ClickHouse-User", READER, "X-ClickHouse-Key", WRITER_PASSWORD)
        }) {
      assertThat(refused.statusCode()).isEqualTo(401);
      assertThat(refused.headers().firstValue("X-ClickHouse-Exception-Code")).hasValue("516");
      assertThat(refused.body()).startsWith("Code: 516.").contains("(AUTHENTICATION_FAILED)");
    }
    assertThatThrownBy(() -> connect(WRITER, "wrong").createStatement().executeQuery("SELECT 1"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("516");
    // Health checks stay open, as on a ClickHouse server.
    assertThat(
            HTTP.send(
                    HttpRequest.newBuilder(URI.create(clickHouse.httpUrl() + "ping")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body())
        .isEqualTo("Ok.\n");
  }

  @Test
  void everyWayClientsSendCredentialsIsAccepted() throws Exception {
    assertThat(
            post("SELECT count() FROM t", "Authorization", basic(READER, READER_PASSWORD)).body())
        .isEqualTo("2\n");
    assertThat(
            post(
                    "SELECT count() FROM t",
                    "X-ClickHouse-User",
                    READER,
                    "X-ClickHouse-Key",
                    READER_PASSWORD)
                .body())
        .isEqualTo("2\n");
    HttpResponse<String> parameters =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(
                        clickHouse.httpUrl()
                            + "?user="
                            + READER
                            + "&password="
                            + READER_PASSWORD
                            + "&query=SELECT+count()+FROM+t"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(parameters.body()).isEqualTo("2\n");
    try (Connection connection = connect(READER, READER_PASSWORD);
        ResultSet rs = connection.createStatement().executeQuery("SELECT sum(x) FROM t")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(1)).isEqualTo(3);
    }
  }

  @Test
  void theReadOnlyUserCannotWriteNorLiftTheLimit() throws Exception {
    HttpResponse<String> insert =
        post("INSERT INTO t VALUES (3)", "Authorization", basic(READER, READER_PASSWORD));
    assertThat(insert.statusCode()).isEqualTo(500);
    assertThat(insert.body()).contains("(READONLY)");
    HttpResponse<String> lift =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(clickHouse.httpUrl() + "?readonly=0"))
                .header("Authorization", basic(READER, READER_PASSWORD))
                .POST(HttpRequest.BodyPublishers.ofString("INSERT INTO t VALUES (4)"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(lift.statusCode()).isEqualTo(500);
    assertThatThrownBy(
            () -> {
              try (Connection connection = connect(READER, READER_PASSWORD)) {
                connection.createStatement().execute("DROP TABLE t");
              }
            })
        .isInstanceOf(SQLException.class);
    assertThat(
            post("SELECT count() FROM t", "Authorization", basic(WRITER, WRITER_PASSWORD)).body())
        .isEqualTo("2\n");
  }
}
