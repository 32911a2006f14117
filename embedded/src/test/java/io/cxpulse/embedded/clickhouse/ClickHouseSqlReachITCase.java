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
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * configuration ({@link EngineConfig}) and the server its guard ({@link ClientSqlGuard}). And no
 * statement outlasts the query time bound or starts a process, not even a read of every system
 * table by the read-only user ({@code system.models} started the library bridge and held the engine
 * 10 to 116 s).
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

  /**
   * How much longer than {@link #MAX_QUERY_TIME} a statement may take to end: the engine checks the
   * time between blocks, and a system table fills its one block in one go (measured: {@code
   * system.unicode} ended after 4.5 s under the 3 s bound on a loaded 2-core machine). Reading
   * {@code system.models} took 10 to 116 s before the engine lost that table.
   */
  private static final Duration GRACE = Duration.ofSeconds(3);

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
        "INSERT INTO lines FROM INFILE " + secret + " FORMAT LineAsString");
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

  /**
   * How many child processes the engine has started so far: its own count ({@code
   * ExecuteShellCommand}, one per command it runs, a bridge or {@code executable()}), read with
   * zero values shown so that a missing counter fails instead of reading as none.
   */
  private static long processesStarted() throws Exception {
    HttpResponse<String> events =
        write(
            "SELECT value FROM system.events WHERE event = 'ExecuteShellCommand'"
                + " SETTINGS system_events_show_zero_values = 1");
    assertThat(events.statusCode()).as(events.body()).isEqualTo(200);
    return Long.parseLong(events.body().strip());
  }

  /** {@code sql} as {@code user}, and how long the answer took. */
  private record Timed(HttpResponse<String> response, Duration took) {}

  private static Timed timed(String user, String password, String sql) throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> response = query(user, password, sql);
    return new Timed(response, Duration.ofNanos(System.nanoTime() - start));
  }

  @Test
  void everySystemTableAnswersTheReaderWithinTheBoundAndNoneStartsAProcess() throws Exception {
    List<String> tables =
        new ArrayList<>(
            query(
                    READER,
                    READER_PASSWORD,
                    "SELECT name FROM system.tables WHERE database = 'system' ORDER BY name")
                .body()
                .lines()
                .toList());
    // The table that started the library bridge, whether or not the engine still lists it.
    if (!tables.contains("models")) {
      tables.add("models");
    }
    long processesBefore = processesStarted();
    Map<String, String> slow = new LinkedHashMap<>();
    List<String> read = new ArrayList<>();
    for (String table : tables) {
      Timed answer =
          timed(
              READER,
              READER_PASSWORD,
              "SELECT * FROM system.`" + table + "` LIMIT 3000 FORMAT Null");
      if (answer.took().compareTo(MAX_QUERY_TIME.plus(GRACE)) > 0) {
        slow.put(table, answer.took().toMillis() + " ms, code " + code(answer.response()));
      }
      if (answer.response().statusCode() == 200) {
        read.add(table);
      }
    }

    assertThat(slow).as("system tables answered after the bound").isEmpty();
    assertThat(processesStarted() - processesBefore)
        .as("processes the engine started for the reader")
        .isZero();
    // Not vacuous: most tables were read, among them those that show queries and settings.
    assertThat(read).hasSizeGreaterThan(tables.size() / 2).contains("processes", "settings");
  }

  /**
   * Every way found to reach the library bridge (through {@code system.models}, whatever names it),
   * the ODBC bridge, a CatBoost model or a command: each refused at once, and no process started.
   */
  static Stream<String> processStarters() {
    return Stream.of(
        "SELECT * FROM system.models",
        "SELECT * FROM merge('system', '^models$')",
        "SELECT * FROM merge('system', '^m.dels$')",
        "SELECT * FROM merge(REGEXP('^syst'), '^mod')",
        "SELECT * FROM loop(system, models) LIMIT 1",
        "SELECT * FROM clusterAllReplicas('default', system.models)",
        "SELECT * FROM remote('127.0.0.1', system.models)",
        "CREATE VIEW models_view AS SELECT * FROM system.models",
        "CREATE TABLE models_copy AS system.models ENGINE = Merge('system', '^models$')",
        "CREATE TABLE models_engine (model_path String) ENGINE = SystemModels",
        "ATTACH TABLE system.models",
        "SYSTEM RELOAD MODELS",
        "SELECT catboostEvaluate('/tmp/model.bin', 1)",
        "SELECT * FROM odbc('DSN=x', 'db', 't')",
        "CREATE TABLE odbc_engine (s String) ENGINE = ODBC('DSN=x', 'db', 't')",
        "SELECT * FROM executable('cat', 'LineAsString', 's String')",
        "CREATE DICTIONARY dl (k UInt64, s String) PRIMARY KEY k"
            + " SOURCE(LIBRARY(path '/usr/lib/libm.so.6')) LAYOUT(FLAT()) LIFETIME(0)",
        "CREATE DICTIONARY de (k UInt64, s String) PRIMARY KEY k"
            + " SOURCE(EXECUTABLE(command 'cat' format 'TabSeparated')) LAYOUT(FLAT()) LIFETIME(0)");
  }

  @ParameterizedTest
  @MethodSource("processStarters")
  void noStatementStartsAProcessOrOutlastsTheBound(String sql) throws Exception {
    long before = processesStarted();

    Timed refused = timed(WRITER, WRITER_PASSWORD, sql);

    assertThat(refused.response().statusCode()).as(refused.response().body()).isNotEqualTo(200);
    assertThat(refused.took()).isLessThanOrEqualTo(MAX_QUERY_TIME.plus(GRACE));
    assertThat(processesStarted() - before).as("processes the engine started").isZero();
  }

  @Test
  void tablesMadeToReachAModelOrACommandStartNothingWhenRead() throws Exception {
    // Both may be created: a Merge table with its columns given looks for matching tables only
    // when read, and an Executable table looks for its command only when read.
    for (String create :
        List.of(
            "CREATE TABLE system_models (model_path String) ENGINE = Merge('system', '^models$')",
            "CREATE TABLE cat_command (s String) ENGINE = Executable('cat', LineAsString)")) {
      assertThat(write(create).statusCode()).as(create).isEqualTo(200);
    }
    try {
      long before = processesStarted();

      Timed models = timed(READER, READER_PASSWORD, "SELECT count() FROM system_models");
      Timed command = timed(READER, READER_PASSWORD, "SELECT count() FROM cat_command");

      assertThat(models.response().body()).isEqualTo("0\n");
      assertThat(command.response().statusCode()).isNotEqualTo(200);
      assertThat(command.response().body()).contains("does not exist inside user scripts folder");
      assertThat(List.of(models.took(), command.took()))
          .allMatch(took -> took.compareTo(MAX_QUERY_TIME.plus(GRACE)) <= 0);
      assertThat(processesStarted() - before).as("processes the engine started").isZero();
    } finally {
      write("DROP TABLE system_models");
      write("DROP TABLE cat_command");
    }
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
