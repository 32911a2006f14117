package io.cxpulse.embedded.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * No SQL sent over HTTP reaches the server's file system, network or processes, whoever sends it:
 * each probe of the security issue, run against the real engine, by the writer the jobs use (the
 * user with the most rights). Each of these statements succeeded before the engine got its own
 * configuration ({@link EngineConfig}) and the server its guard ({@link ClientSqlGuard}).
 */
class ClickHouseSqlReachITCase {

  @TempDir static Path dataDir;

  /** A directory the server's process can read and write, holding a secret. */
  @TempDir static Path hostFiles;

  private static final String WRITER = "writer";
  private static final String WRITER_PASSWORD = "writer-secret";
  private static final String READER = "reader";
  private static final String READER_PASSWORD = "reader-secret";
  private static final String SECRET = "SECRET-CANARY-4711";
  private static final Duration MAX_QUERY_TIME = Duration.ofSeconds(3);

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static EmbeddedClickHouse clickHouse;
  private static Path secretFile;

  /** A TCP port that counts every connection: anything the engine dials on our behalf. */
  private static ServerSocket listener;

  private static final AtomicInteger dialled = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    secretFile = Files.writeString(hostFiles.resolve("secret.txt"), SECRET + "\n");
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor =
        new Thread(
            () -> {
              while (!listener.isClosed()) {
                try (Socket accepted = listener.accept()) {
                  dialled.incrementAndGet();
                } catch (java.io.IOException closed) {
                  return;
                }
              }
            },
            "dial-counter");
    acceptor.setDaemon(true);
    acceptor.start();
    clickHouse =
        EmbeddedClickHouse.builder()
            .dataDir(dataDir)
            .port(0)
            .user(WRITER, WRITER_PASSWORD, false)
            .user(READER, READER_PASSWORD, true)
            .maxQueryTime(MAX_QUERY_TIME)
            .start();
    assertThat(
            query(
                WRITER,
                WRITER_PASSWORD,
                "CREATE TABLE lines (s String) ENGINE = MergeTree ORDER BY s"))
        .extracting(HttpResponse::statusCode)
        .isEqualTo(200);
  }

  @AfterAll
  static void stop() throws Exception {
    if (clickHouse != null) {
      clickHouse.close();
    }
    listener.close();
  }

  private static HttpResponse<String> query(String user, String password, String sql)
      throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(clickHouse.httpUrl()))
            .header(
                "Authorization",
                "Basic "
                    + Base64.getEncoder()
                        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
            .POST(HttpRequest.BodyPublishers.ofString(sql))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> write(String sql) throws Exception {
    return query(WRITER, WRITER_PASSWORD, sql);
  }

  private static String code(HttpResponse<String> response) {
    return response.headers().firstValue("X-ClickHouse-Exception-Code").orElse("none");
  }

  private static String literal(Path path) {
    return "'" + path.toString().replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  static Stream<String> filesRead() {
    String secret = literal(secretFile);
    return Stream.of(
        "SELECT * FROM file(" + secret + ", 'LineAsString')",
        "SELECT * FROM file('/proc/self/environ', 'LineAsString')",
        "SELECT * FROM file('/etc/passwd', 'LineAsString')",
        "SELECT * FROM filesystem(" + literal(hostFiles) + ")",
        "SELECT * FROM fileCluster('default', " + secret + ", 'LineAsString')",
        "CREATE TABLE f_engine (s String) ENGINE = File(LineAsString, " + secret + ")",
        "CREATE DICTIONARY d (s String) PRIMARY KEY s SOURCE(FILE(path "
            + secret
            + " format 'LineAsString')) LAYOUT(COMPLEX_KEY_HASHED()) LIFETIME(0)",
        "INSERT INTO lines FROM INFILE " + secret + " FORMAT LineAsString",
        "SELECT * FROM executable('cat', 'LineAsString', 's String')");
  }

  @ParameterizedTest
  @MethodSource("filesRead")
  void noStatementReadsAFileOfTheServersMachine(String sql) throws Exception {
    HttpResponse<String> refused = write(sql);

    assertThat(refused.statusCode()).as(refused.body()).isNotEqualTo(200);
    assertThat(refused.body()).doesNotContain(SECRET).doesNotContain("PATH=");
    assertThat(write("SELECT count() FROM lines").body()).isEqualTo("0\n");
  }

  @Test
  void theRefusalsSayWhatIsRefusedInClickHousesWords() throws Exception {
    HttpResponse<String> file =
        write("SELECT * FROM file(" + literal(secretFile) + ", 'LineAsString')");
    assertThat(code(file)).isEqualTo("497");
    assertThat(file.body()).contains("READ ON FILE").contains("(ACCESS_DENIED)");

    HttpResponse<String> infile =
        write("INSERT INTO lines FROM INFILE " + literal(secretFile) + " FORMAT LineAsString");
    assertThat(code(infile)).isEqualTo("497");
    assertThat(infile.body()).contains("FROM INFILE is not allowed");

    HttpResponse<String> outfile = write("SELECT 1 INTO OUTFILE '/tmp/x.txt'");
    assertThat(code(outfile)).isEqualTo("497");
    assertThat(outfile.body()).contains("INTO OUTFILE is not allowed");

    // A literal or a name that merely spells the words is no statement of them.
    assertThat(write("SELECT 'INTO OUTFILE' AS `from infile`").body()).isEqualTo("INTO OUTFILE\n");
  }

  @Test
  void noStatementWritesAFile() throws Exception {
    Path target = Files.createDirectories(hostFiles.resolve("written"));
    List<String> writes =
        List.of(
            "INSERT INTO FUNCTION file("
                + literal(target.resolve("a.txt"))
                + ", 'LineAsString') SELECT 'x'",
            "SELECT 'x' INTO OUTFILE " + literal(target.resolve("b.txt")),
            "SELECT 'x' INTO OUTFILE " + literal(target.resolve("c.txt")) + " APPEND",
            "BACKUP TABLE lines TO File(" + literal(target.resolve("backup")) + ")",
            "CREATE TABLE on_disk (s String) ENGINE = MergeTree ORDER BY s SETTINGS disk ="
                + " disk(type = local, path = "
                + literal(target)
                + ")");
    for (String sql : writes) {
      HttpResponse<String> refused = write(sql);
      assertThat(refused.statusCode()).as(sql + ": " + refused.body()).isNotEqualTo(200);
    }
    try (Stream<Path> written = Files.list(target)) {
      assertThat(written).as("files written by SQL").isEmpty();
    }
  }

  @Test
  void attachFromAPathCannotTakeADirectoryAway() throws Exception {
    // Tried on the engine alone, this statement moved the whole directory into the engine's
    // store (it took /etc away from the machine); here it is refused before it reaches the engine.
    HttpResponse<String> refused =
        write(
            "ATTACH TABLE taken FROM "
                + literal(hostFiles)
                + " (s String) ENGINE = MergeTree ORDER BY s");

    assertThat(code(refused)).isEqualTo("497");
    assertThat(refused.body()).contains("ATTACH is not allowed");
    assertThat(secretFile).hasContent(SECRET);
  }

  static Stream<String> networkReached() {
    String address = "127.0.0.1:" + listener.getLocalPort();
    return Stream.of(
        "SELECT * FROM url('http://" + address + "/config', 'LineAsString')",
        "SELECT * FROM s3('http://" + address + "/bucket-name/x.csv', 'CSV', 's String')",
        "SELECT * FROM remote('" + address + "', system.one)",
        "SELECT * FROM remoteSecure('" + address + "', system.one)",
        "SELECT * FROM mysql('" + address + "', 'db', 't', 'u', 'p')",
        "SELECT * FROM postgresql('" + address + "', 'db', 't', 'u', 'p')",
        "SELECT * FROM hdfs('hdfs://" + address + "/x', 'CSV', 's String')",
        "SELECT * FROM azureBlobStorage('http://"
            + address
            + "/account', 'container', 'x.csv', 'CSV', 's String')",
        "SELECT * FROM mongodb('" + address + "', 'db', 'c', 'u', 'p', 's String')",
        "CREATE TABLE u_engine (s String) ENGINE = URL('http://" + address + "/', LineAsString)",
        "CREATE DICTIONARY dh (s String) PRIMARY KEY s SOURCE(HTTP(url 'http://"
            + address
            + "/' format 'LineAsString')) LAYOUT(COMPLEX_KEY_HASHED()) LIFETIME(0)",
        "INSERT INTO FUNCTION url('http://" + address + "/', 'LineAsString') SELECT 'x'");
  }

  @ParameterizedTest
  @MethodSource("networkReached")
  void noStatementDialsAnotherServer(String sql) throws Exception {
    int before = dialled.get();

    HttpResponse<String> refused = write(sql);

    assertThat(refused.statusCode()).as(refused.body()).isNotEqualTo(200);
    assertThat(dialled.get()).as("connections the engine made for the caller").isEqualTo(before);
  }

  @Test
  void severalStatementsInOneRequestAreRefusedAsByAServer() throws Exception {
    HttpResponse<String> refused = write("SELECT 1; INSERT INTO lines VALUES ('sneaked')");

    assertThat(code(refused)).isEqualTo("62");
    assertThat(refused.body()).contains("Multi-statements are not allowed");
    assertThat(write("SELECT count() FROM lines").body()).isEqualTo("0\n");
  }

  @Test
  void everyStatementEndsWithinTheQueryTimeAndNoClientCanLiftIt() throws Exception {
    String slow = "SELECT sleepEachRow(0.5) FROM numbers(20) SETTINGS max_block_size = 1";

    HttpResponse<String> timedOut = query(READER, READER_PASSWORD, slow);
    assertThat(code(timedOut)).as(timedOut.body()).isEqualTo("159");

    for (String lifted :
        List.of(
            slow + ", max_execution_time = 0",
            slow + ", max_execution_time = 3600",
            "SET max_execution_time = 0")) {
      HttpResponse<String> refused = query(READER, READER_PASSWORD, lifted);
      assertThat(code(refused)).as(lifted + ": " + refused.body()).isEqualTo("452");
    }
    HttpResponse<String> byParameter =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(
                        clickHouse.httpUrl()
                            + "?max_execution_time=0&user="
                            + WRITER
                            + "&password="
                            + URLEncoder.encode(WRITER_PASSWORD, StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(slow))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(code(byParameter)).isEqualTo("452");
    // A client may still ask for less.
    HttpResponse<String> shorter =
        query(
            READER,
            READER_PASSWORD,
            "SELECT getSetting('max_execution_time') SETTINGS max_execution_time = 2");
    assertThat(shorter.body()).isEqualTo("2\n");
    assertThat(write("INSERT INTO lines VALUES ('after')").statusCode()).isEqualTo(200);
    assertThat(write("TRUNCATE TABLE lines").statusCode()).isEqualTo(200);
  }

  @Test
  void theReaderReadsButCannotWriteOrLiftReadonly() throws Exception {
    assertThat(query(READER, READER_PASSWORD, "SELECT count() FROM lines").body()).isEqualTo("0\n");
    HttpResponse<String> insert = query(READER, READER_PASSWORD, "INSERT INTO lines VALUES ('r')");
    assertThat(code(insert)).isEqualTo("164");
    HttpResponse<String> lift = query(READER, READER_PASSWORD, "SELECT 1 SETTINGS readonly = 0");
    assertThat(lift.statusCode()).isNotEqualTo(200);
  }

  @Test
  void aServerBeyondLoopbackNeedsUsers() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> EmbeddedClickHouse.builder().dataDir(dataDir).host("0.0.0.0").port(0).start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("only with users and passwords");
    assertThat(EmbeddedClickHouse.isLoopback("127.0.0.2")).isTrue();
    assertThat(EmbeddedClickHouse.isLoopback("::1")).isTrue();
    assertThat(EmbeddedClickHouse.isLoopback("0.0.0.0")).isFalse();
  }
}
