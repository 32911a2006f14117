package io.cxpulse.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cxpulse.local.ReadmeExamples.Example;
import io.cxpulse.local.ReadmeExamples.Parsed;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every SQL and curl example of the README, run against a fresh local mode with its live traffic,
 * must answer without error and with at least one row, so an example cannot rot (as one did that
 * read a fixed month of 2025). One dynamic test per example, named by its README line; an example
 * marked {@code <!-- docs-test: skip (why) -->} is reported as skipped with its reason.
 *
 * <p>Faithful to what a reader does: local mode runs in this JVM as {@code ./cx-pulse run} starts
 * it, with its data directory at {@code data/local} of the directory the examples run in, so the
 * README's own {@code CH=…} line reads the reader's password from there; each curl command runs as
 * written, in {@code bash}, through a real {@code curl}. Only where curl connects is changed, by a
 * {@code .curlrc} ({@code connect-to}): every connection goes to this test's ClickHouse port, not
 * to the README's 8123, which another local mode on the machine may hold (and which would refuse
 * the password that {@code $CH} holds, this run's own, were a connection to go astray). SQL blocks
 * go to ClickHouse's HTTP interface as {@code cx_reader}. Rows are counted by the server ({@code
 * result_rows} of {@code X-ClickHouse-Summary}), whatever the output format.
 *
 * <p>What it costs: the examples wait for the slowest view, the driver split. Its rows need a
 * ticket that was answered, resolved and followed by a survey (1 to 5 minutes after the resolution,
 * {@link FollowUpSurveys}), and an outcome the job has decided (its allowed lateness plus a window
 * after the first reply). With local mode's defaults that is about 8.5 minutes into a run; with
 * {@value #TICKET_RATE} tickets a second and {@value #DRIVER_WINDOW} windows, 3.5 to 4 minutes, so
 * the class takes about 4.5 minutes (measured on a busy 2-core machine). The open-alert examples
 * need an alert: a CSAT drop on web from the start fires within the first two minutes and stays
 * open.
 */
class ReadmeExamplesITCase {

  private static final Path REPO_DIR =
      Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
          .toAbsolutePath()
          .getParent();

  /** Tickets opened a second: more tickets, so the earliest follow-up survey comes sooner. */
  private static final int TICKET_RATE = 50;

  /**
   * The driver split's window: it decides a ticket's outcome its allowed lateness (2 minutes in
   * local mode) plus one window after the first reply, so a short window brings the first rows
   * about 50 s sooner than the default minute. Any window shows what the examples show.
   */
  private static final String DRIVER_WINDOW = "10s";

  /** Longest wait, from the traffic's start, for an example's first row. */
  private static final Duration ROWS_WITHIN = Duration.ofMinutes(8);

  private static final Duration POLL = Duration.ofSeconds(5);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** Where the examples run: {@code data/local} in it is local mode's data directory. */
  @TempDir static Path work;

  private static Path dataDir;
  private static Path curlHome;
  private static LocalMode localMode;
  private static int clickHousePort;
  private static long trafficStart;

  @BeforeAll
  static void start() throws Exception {
    dataDir = Files.createDirectories(work.resolve(LocalMode.DEFAULT_DATA_DIR));
    clickHousePort = freePort();
    curlHome = Files.createDirectories(work.resolve("curl-home"));
    Files.writeString(
        curlHome.resolve(".curlrc"),
        String.join(
            "\n",
            "# Any host and port the README names: this test's ClickHouse, nothing else. Quoted:",
            "# unquoted, curl reads the leading colons as separators and ignores the option.",
            "connect-to = \"::127.0.0.1:" + clickHousePort + "\"",
            "# An HTTP error is an error (exit 22), its body still shown.",
            "fail-with-body",
            "silent",
            "show-error",
            "max-time = " + REQUEST_TIMEOUT.toSeconds(),
            "dump-header = \"" + curlHome.resolve("headers") + "\"",
            ""));

    localMode = new LocalMode();
    new CommandLine(localMode)
        .parseArgs(
            "--data-dir=" + dataDir,
            "--kafka-port=" + freePort(),
            "--clickhouse-port=" + clickHousePort,
            "--flink-ui-port=" + freePort(),
            "--parallelism=1",
            "--partitions=1",
            "--ticket-rate=" + TICKET_RATE,
            "--driver-window=" + DRIVER_WINDOW,
            "--incident=csat-drop:web",
            "--incident-start=0s",
            "--incident-duration=1h",
            "--summary-interval=0");
    localMode.readArguments();
    localMode.startAll();
    trafficStart = System.nanoTime();
  }

  @AfterAll
  static void stop() {
    if (localMode != null) {
      localMode.stopAll();
    }
  }

  @TestFactory
  Stream<DynamicTest> everyReadmeExampleAnswersWithRows() throws Exception {
    Parsed readme = ReadmeExamples.parse(Files.readString(REPO_DIR.resolve("README.md")));
    assertThat(readme.runnable()).as("runnable README examples").isNotEmpty();
    for (Example skipped : readme.skipped()) {
      System.err.printf("README example skipped (%s): %s%n", skipped.skipReason(), skipped.name());
    }
    return readme.examples().stream()
        .map(
            example ->
                DynamicTest.dynamicTest(
                    example.name(), () -> answersWithRows(example, readme.variables())));
  }

  /** Runs {@code example} until it answers with rows; an error fails at once. */
  private static void answersWithRows(Example example, List<String> variables) throws Exception {
    Assumptions.assumeFalse(
        example.skipped(),
        () -> "docs-test: skip (" + example.skipReason() + "): " + example.name());
    long deadline = trafficStart + ROWS_WITHIN.toNanos();
    while (true) {
      Answer answer =
          switch (example.kind()) {
            case SQL -> query(example.text());
            case CURL -> curl(example.text(), variables);
          };
      if (answer.error() != null) {
        fail("%s: %s%n%s", example.name(), answer.error(), answer.output());
      }
      if (answer.rows() > 0) {
        System.err.printf(
            "README example answered %d row(s) %d s into the run: %s%n",
            answer.rows(),
            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - trafficStart),
            example.name());
        return;
      }
      if (System.nanoTime() > deadline) {
        fail(
            "%s: no rows within %s of the traffic's start; it answered:%n%s",
            example.name(), ROWS_WITHIN, answer.output());
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  /**
   * What an example answered.
   *
   * @param output what it printed
   * @param rows the rows of the result, as the server counted them
   * @param error why it failed; null when it did not
   */
  private record Answer(String output, long rows, String error) {}

  /** The README's curl command, as written, after the README's variable assignments. */
  private static Answer curl(String command, List<String> variables) throws Exception {
    Path headers = curlHome.resolve("headers");
    Files.deleteIfExists(headers);
    String script = "set -euo pipefail\n" + String.join("\n", variables) + "\n" + command + "\n";
    ProcessBuilder builder =
        new ProcessBuilder("bash", "-c", script)
            .directory(work.toFile())
            .redirectOutput(work.resolve("curl-stdout").toFile())
            .redirectError(work.resolve("curl-stderr").toFile());
    builder.environment().put("CURL_HOME", curlHome.toString());
    Process process = builder.start();
    if (!process.waitFor(REQUEST_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return new Answer("", 0, "curl did not finish within " + REQUEST_TIMEOUT);
    }
    String output =
        Files.readString(work.resolve("curl-stdout"), StandardCharsets.UTF_8)
            + Files.readString(work.resolve("curl-stderr"), StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      return new Answer(output, 0, "exit code " + process.exitValue());
    }
    Optional<String> summary =
        Files.exists(headers)
            ? Files.readAllLines(headers, StandardCharsets.UTF_8).stream()
                .filter(line -> line.toLowerCase().startsWith("x-clickhouse-summary:"))
                .map(line -> line.substring(line.indexOf(':') + 1).strip())
                .findFirst()
            : Optional.empty();
    if (summary.isEmpty()) {
      return new Answer(output, 0, "no X-ClickHouse-Summary header: not an answer of ClickHouse");
    }
    return new Answer(output, resultRows(summary.get()), null);
  }

  /** {@code sql} through ClickHouse's HTTP interface, as {@code cx_reader}. */
  private static Answer query(String sql) throws Exception {
    String reader =
        LocalCredentials.READER + ":" + LocalCredentials.loadOrCreate(dataDir).readerPassword();
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + clickHousePort + "/"))
                .timeout(REQUEST_TIMEOUT)
                .header(
                    "Authorization",
                    "Basic "
                        + Base64.getEncoder()
                            .encodeToString(reader.getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(sql))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      return new Answer(response.body(), 0, "HTTP " + response.statusCode());
    }
    return new Answer(
        response.body(),
        resultRows(response.headers().firstValue("X-ClickHouse-Summary").orElseThrow()),
        null);
  }

  private static long resultRows(String summary) throws Exception {
    return JSON.readTree(summary).get("result_rows").asLong();
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
