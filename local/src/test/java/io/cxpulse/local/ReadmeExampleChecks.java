package io.cxpulse.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cxpulse.local.ReadmeExamples.Example;
import io.cxpulse.local.ReadmeExamples.Parsed;
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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Every SQL and curl example of the documentation (README.md and docs/*.md, {@link
 * ReadmeExamples#documents}), run against a fresh local mode with its live traffic ({@link
 * LiveLocalModeITCase} runs these checks), must answer without error and with at least one row, so
 * an example cannot rot (as one did that read a fixed month of 2025). One dynamic test per example,
 * named by its document and line; an example marked {@code <!-- docs-test: skip (why) -->} is
 * reported as skipped with its reason.
 *
 * <p>Faithful to what a reader does: local mode runs in this JVM as {@code ./cx-pulse run} starts
 * it, with its data directory at {@code data/local} of the directory the examples run in, so the
 * README's own {@code CH=…} line reads the reader's password from there; each curl command runs as
 * written, in {@code bash}, through a real {@code curl}, after the variables the documents set.
 * Only where curl connects is changed, by a {@code .curlrc} ({@code connect-to}): every connection
 * goes to this test's ClickHouse port, not to the README's 8123, which another local mode on the
 * machine may hold (and which would refuse the password that {@code $CH} holds, this run's own,
 * were a connection to go astray). SQL blocks go to ClickHouse's HTTP interface as {@code
 * cx_reader}. Rows are counted by the server ({@code result_rows} of {@code X-ClickHouse-Summary}),
 * whatever the output format.
 */
abstract class ReadmeExampleChecks {

  /** Longest wait, from the traffic's start, for an example's first row. */
  private static final Duration ROWS_WITHIN = Duration.ofMinutes(8);

  private static final Duration POLL = Duration.ofSeconds(5);
  private static final Duration REQUEST_TIMEOUT = LiveLocalModeITCase.REQUEST_TIMEOUT;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  // One after another within the class (the class itself may run beside another).
  @Execution(ExecutionMode.SAME_THREAD)
  @TestFactory
  Stream<DynamicTest> everyDocumentedExampleAnswersWithRows() throws Exception {
    Parsed docs = ReadmeExamples.parseAll(LiveLocalModeITCase.REPO_DIR);
    assertThat(docs.runnable()).as("runnable documentation examples").isNotEmpty();
    for (Example skipped : docs.skipped()) {
      System.err.printf(
          "Documentation example skipped (%s): %s%n", skipped.skipReason(), skipped.name());
    }
    return docs.examples().stream()
        .map(
            example ->
                DynamicTest.dynamicTest(
                    example.name(), () -> answersWithRows(example, docs.variables())));
  }

  /** Runs {@code example} until it answers with rows; an error fails at once. */
  private static void answersWithRows(Example example, List<String> variables) throws Exception {
    Assumptions.assumeFalse(
        example.skipped(),
        () -> "docs-test: skip (" + example.skipReason() + "): " + example.name());
    long deadline = LiveLocalModeITCase.trafficStart + ROWS_WITHIN.toNanos();
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
            "Documentation example answered %d row(s) %d s into the run: %s%n",
            answer.rows(),
            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - LiveLocalModeITCase.trafficStart),
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

  /** A documented curl command, as written, after the documents' variable assignments. */
  private static Answer curl(String command, List<String> variables) throws Exception {
    Path curlHome = LiveLocalModeITCase.curlHome;
    Path work = LiveLocalModeITCase.work;
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
    String reader = LocalCredentials.READER + ":" + LiveLocalModeITCase.readerPassword();
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + LiveLocalModeITCase.clickHousePort + "/"))
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
}
