package io.cxpulse.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cxpulse.embedded.clickhouse.EmbeddedClickHouse;
import java.net.ServerSocket;
import java.net.URI;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Local mode, started as {@code ./cx-pulse run} starts it (Kafka, the ClickHouse engine, the four
 * jobs with alerting and a webhook, the generator, the live summary), looked at for its secrets:
 * the ClickHouse passwords it generates and the webhook URL's token. None may be read by the
 * read-only ClickHouse user from any {@code system} table, by anyone from Flink's REST API, from
 * the logs, or from the files local mode writes beside the password file.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalModeSecretsITCase {

  /** The token in the webhook's path, as a Slack incoming webhook carries it. */
  private static final String WEBHOOK_TOKEN = "hook-token-3f9a61c2d7e84b05";

  /**
   * The longest any statement may run in local mode: the engine runs one at a time, so a system
   * table read beyond it would stall the jobs' inserts (system.models did, 10 to 116 s).
   */
  private static final Duration QUERY_BOUND = EmbeddedClickHouse.DEFAULT_MAX_QUERY_TIME;

  /** How long the client waits beyond the bound before it gives up on an answer. */
  private static final Duration CLIENT_GRACE = Duration.ofSeconds(15);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir static Path dataDir;

  private static LocalMode localMode;
  private static LocalCredentials credentials;
  private static int clickHousePort;
  private static int flinkPort;
  private static CapturedStdout stdout;
  private static boolean stopped;
  private static ListeningSockets listeningBefore;
  private static int kafkaPort;
  private static int dashboardPort;

  @BeforeAll
  static void start() throws Exception {
    // Our own code logs at DEBUG to local mode's log file: it must not log a secret even there.
    System.setProperty(LocalLog.LEVEL_PROPERTY, "DEBUG");
    // The banner and the summary, as the terminal shows them.
    stdout = CapturedStdout.start();

    clickHousePort = freePort();
    flinkPort = freePort();
    kafkaPort = freePort();
    dashboardPort = freePort();
    localMode = new LocalMode();
    new CommandLine(localMode)
        .parseArgs(
            "--data-dir=" + dataDir,
            "--kafka-port=" + kafkaPort,
            "--clickhouse-port=" + clickHousePort,
            "--flink-ui-port=" + flinkPort,
            "--dashboard-port=" + dashboardPort,
            "--parallelism=1",
            "--partitions=1",
            "--checkpoint-interval=1s",
            "--rate=20",
            "--checkout-rate=2",
            "--ticket-rate=1",
            // A dead letter every second: rows reach ClickHouse through the writer's JDBC sinks.
            "--bad-record-every=20",
            "--summary-interval=2s",
            // Nothing listens there: the URL only has to reach the jobs, as a real one does.
            "--alert-webhook-url=http://127.0.0.1:" + freePort() + "/hooks/" + WEBHOOK_TOKEN);
    localMode.readArguments();
    listeningBefore = ListeningSockets.ofThisProcess();
    localMode.startAll();
    credentials = LocalCredentials.loadOrCreate(dataDir);
    awaitRowsAndSummary();
    sendPasswordsEveryWayClientsDo();
  }

  @AfterAll
  static void stop() {
    try {
      if (!stopped && localMode != null) {
        localMode.stopAll();
      }
    } finally {
      if (stdout != null) {
        stdout.close();
      }
      System.clearProperty(LocalLog.LEVEL_PROPERTY);
    }
  }

  /** Every secret local mode holds, by what it is. */
  private static Map<String, String> secrets() {
    Map<String, String> secrets = new LinkedHashMap<>();
    secrets.put("cx_writer's password", credentials.writerPassword());
    secrets.put("cx_reader's password", credentials.readerPassword());
    secrets.put("the webhook token", WEBHOOK_TOKEN);
    return secrets;
  }

  /** The secrets {@code text} contains, by name. */
  private static List<String> secretsIn(String text) {
    return secrets().entrySet().stream()
        .filter(secret -> text.contains(secret.getValue()))
        .map(Map.Entry::getKey)
        .toList();
  }

  /**
   * With the default host every port local mode opens (Kafka's broker and controller, ClickHouse,
   * Flink's RPC, blob server, data exchange and REST API, anything else) accepts on loopback only,
   * as the kernel reports it for this process. Here rather than beside the {@code --host} case
   * ({@link LocalModeAddressesITCase}) because it needs a local mode with the default host, and
   * this one is running.
   */
  @Test
  @Order(0)
  void withTheDefaultHostEveryPortLocalModeOpensIsOnLoopback() throws Exception {
    ListeningSockets opened = ListeningSockets.ofThisProcess().openedSince(listeningBefore);

    // Not vacuous: the ports local mode was told to use are among them.
    assertThat(opened.ports()).contains(clickHousePort, kafkaPort, flinkPort, dashboardPort);
    assertThat(opened.listeners())
        .as("sockets local mode listens on beyond loopback, of %s", opened.listeners())
        .filteredOn(listener -> !listener.onLoopback())
        .isEmpty();
  }

  @Test
  @Order(1)
  void flinksRestApiShowsNoSecret() throws Exception {
    String base = "http://127.0.0.1:" + flinkPort;
    JsonNode jobs = JSON.readTree(get(base + "/jobs/overview").body()).get("jobs");
    assertThat(jobs).hasSize(1);
    assertThat(jobs.get(0).get("state").asText()).isEqualTo("RUNNING");
    String job = base + "/jobs/" + jobs.get(0).get("jid").asText();

    List<String> mustAnswer =
        new ArrayList<>(
            List.of(
                base + "/config",
                base + "/jobmanager/config",
                base + "/jobmanager/environment",
                base + "/taskmanagers",
                job,
                job + "/config",
                job + "/plan",
                job + "/jobmanager/config",
                job + "/jobmanager/environment",
                job + "/checkpoints/config",
                job + "/accumulators",
                job + "/exceptions"));
    for (JsonNode vertex : JSON.readTree(get(job).body()).get("vertices")) {
      String id = vertex.get("id").asText();
      mustAnswer.add(job + "/vertices/" + id);
      mustAnswer.add(job + "/vertices/" + id + "/accumulators");
    }
    for (JsonNode taskManager :
        JSON.readTree(get(base + "/taskmanagers").body()).get("taskmanagers")) {
      mustAnswer.add(base + "/taskmanagers/" + taskManager.get("id").asText());
    }
    // Logs and stdout: a MiniCluster has no log file to serve, but whatever it answers counts.
    List<String> mayAnswer =
        new ArrayList<>(
            List.of(
                base + "/jobmanager/logs", base + "/jobmanager/log", base + "/jobmanager/stdout"));
    for (JsonNode taskManager :
        JSON.readTree(get(base + "/taskmanagers").body()).get("taskmanagers")) {
      String tm = base + "/taskmanagers/" + taskManager.get("id").asText();
      mayAnswer.addAll(List.of(tm + "/logs", tm + "/log", tm + "/stdout"));
    }

    Map<String, List<String>> leaks = new LinkedHashMap<>();
    for (String url : mustAnswer) {
      HttpResponse<String> answer = get(url);
      assertThat(answer.statusCode()).as("%s: %s", url, answer.body()).isEqualTo(200);
      List<String> found = secretsIn(answer.body());
      if (!found.isEmpty()) {
        leaks.put(url.substring(base.length()), found);
      }
    }
    for (String url : mayAnswer) {
      List<String> found = secretsIn(get(url).body());
      if (!found.isEmpty()) {
        leaks.put(url.substring(base.length()), found);
      }
    }
    assertThat(leaks).as("Flink REST answers showing a secret").isEmpty();
  }

  @Test
  @Order(2)
  void theReaderFindsNoSecretInAnySystemTable() throws Exception {
    List<String> tables =
        readerQuery("SELECT name FROM system.tables WHERE database = 'system' ORDER BY name")
            .body()
            .lines()
            .toList();
    List<String> read = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    Map<String, String> overTheBound = new LinkedHashMap<>();
    Map<String, List<String>> leaks = new LinkedHashMap<>();
    for (String table : tables) {
      long start = System.nanoTime();
      HttpResponse<String> answer =
          readerQuery("SELECT * FROM system.`" + table + "` LIMIT 3000 FORMAT TSVWithNames");
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      if (took.compareTo(QUERY_BOUND) > 0) {
        overTheBound.put(table, took.toMillis() + " ms");
      }
      // Refusals too: an error message could quote a secret.
      List<String> found = secretsIn(answer.body());
      if (!found.isEmpty()) {
        leaks.put(table, found);
      }
      if (answer.statusCode() == 200) {
        read.add(table);
      } else {
        refused.add(
            table
                + " ("
                + answer
                    .headers()
                    .firstValue("X-ClickHouse-Exception-Code")
                    .orElse("HTTP " + answer.statusCode())
                + ")");
      }
    }
    System.err.printf(
        "system tables: %d read, %d refused %s%n", read.size(), refused.size(), refused);
    assertThat(leaks).as("system tables showing a secret to cx_reader").isEmpty();
    assertThat(overTheBound).as("system tables read for longer than %s", QUERY_BOUND).isEmpty();
    // Not vacuous: most tables were read, among them those that show queries and settings.
    assertThat(read).hasSizeGreaterThan(tables.size() / 2).contains("processes", "settings");
  }

  @Test
  @Order(3)
  void fromStartToStopNothingSecretIsLoggedNorPrintedButTheReadersPasswordInTheBanner()
      throws Exception {
    localMode.stopAll();
    stopped = true;
    // The file the user gets: the engines' logs and ours, from start to stop.
    String logs = Files.readString(localMode.logFile(), StandardCharsets.UTF_8);
    assertThat(logs)
        .as("logs")
        .contains("DEBUG")
        .contains("ClickHouse HTTP interface on port " + clickHousePort + " stopped");
    assertThat(secretsIn(logs)).as("secrets in the logs").isEmpty();

    String printed = stdout.text();
    assertThat(printed).contains("CX Pulse local mode is up");
    // The banner shows the reader's password on purpose (README), nothing else secret.
    assertThat(secretsIn(printed)).as("secrets printed").containsExactly("cx_reader's password");
  }

  @Test
  @Order(4)
  void nothingWrittenBesideThePasswordFileHoldsASecret() throws Exception {
    // After the stop (the test before): every file is complete and stays put.
    assertThat(stopped).isTrue();
    Path passwordFile = dataDir.resolve(LocalCredentials.FILE_NAME);
    Map<String, List<String>> leaks = new LinkedHashMap<>();
    int files = 0;
    try (Stream<Path> all = Files.walk(dataDir)) {
      for (Path file : all.filter(Files::isRegularFile).toList()) {
        if (file.equals(passwordFile)) {
          continue;
        }
        files++;
        List<String> found =
            secretsIn(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
        if (!found.isEmpty()) {
          leaks.put(dataDir.relativize(file).toString(), found);
        }
      }
    }
    // Among them: the engine's configuration (written at every start), its databases, Kafka's log
    // segments and the checkpoints.
    assertThat(dataDir.resolve("clickhouse/server-config/users.xml")).isRegularFile();
    assertThat(files).isGreaterThan(10);
    assertThat(leaks).as("files in the data directory holding a secret").isEmpty();
  }

  /** Waits until the jobs wrote rows through cx_writer and the summary read them as cx_reader. */
  private static void awaitRowsAndSummary() throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (true) {
      boolean rows = !readerQuery("SELECT count() FROM cx_dead_letters").body().equals("0\n");
      boolean summary = stdout.text().contains("dead letters");
      if (rows && summary) {
        return;
      }
      assertThat(System.nanoTime())
          .as("rows in cx_dead_letters and a summary within 2 minutes")
          .isLessThan(deadline);
      Thread.sleep(500);
    }
  }

  /**
   * Queries with each user's password in each place ClickHouse's HTTP interface takes it from (the
   * jobs and the summary already used HTTP Basic through the JDBC driver): the headers, and the URL
   * parameters some BI tools use.
   */
  private static void sendPasswordsEveryWayClientsDo() throws Exception {
    String base = "http://127.0.0.1:" + clickHousePort + "/";
    List<HttpRequest> requests =
        List.of(
            HttpRequest.newBuilder(URI.create(base))
                .header("X-ClickHouse-User", LocalCredentials.READER)
                .header("X-ClickHouse-Key", credentials.readerPassword())
                .POST(HttpRequest.BodyPublishers.ofString("SELECT count() FROM cx_dead_letters"))
                .build(),
            HttpRequest.newBuilder(
                    URI.create(
                        base
                            + "?user="
                            + LocalCredentials.READER
                            + "&password="
                            + credentials.readerPassword()
                            + "&query=SELECT+count()+FROM+cx_dead_letters"))
                .build(),
            HttpRequest.newBuilder(
                    URI.create(
                        base
                            + "?user="
                            + LocalCredentials.WRITER
                            + "&password="
                            + credentials.writerPassword()))
                .POST(HttpRequest.BodyPublishers.ofString("SELECT count() FROM cx_dead_letters"))
                .build());
    for (HttpRequest request : requests) {
      HttpResponse<String> answer = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).as("%s: %s", request, answer.body()).isEqualTo(200);
    }
  }

  /**
   * {@code sql} as cx_reader, over HTTP as curl sends it, under local mode's own bound; a client
   * timeout means the engine held it past the bound.
   */
  private static HttpResponse<String> readerQuery(String sql) throws Exception {
    String authorization =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(
                    (LocalCredentials.READER + ":" + credentials.readerPassword())
                        .getBytes(StandardCharsets.UTF_8));
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + clickHousePort + "/"))
            .timeout(QUERY_BOUND.plus(CLIENT_GRACE))
            .header("Authorization", authorization)
            .POST(HttpRequest.BodyPublishers.ofString(sql))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
