package io.cxpulse.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Where local mode listens with {@code --host 0.0.0.0}, as the kernel reports it for this very
 * process, with local mode started here as {@code ./cx-pulse run} starts it: it starts (it failed
 * to, on a URL naming the wildcard), only ClickHouse, the Flink web UI and the dashboards accept on
 * every interface, and the banner names addresses that answer. The default host's case (every port
 * on loopback) is checked on the local mode {@link LocalModeSecretsITCase} runs.
 */
class LocalModeAddressesITCase {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void withHostZeroLocalModeStartsAndTheBannerNamesAddressesThatAnswer(@TempDir Path dataDir)
      throws Exception {
    try (Run run = Run.start(dataDir, "--host=0.0.0.0")) {
      ListeningSockets opened = run.opened();
      String banner = run.banner();
      String hostName = InetAddress.getLocalHost().getHostName();
      String clickHouse = "http://127.0.0.1:" + run.clickHousePort + "/";
      String flink = "http://127.0.0.1:" + run.flinkPort + "/";
      String dashboards = "http://127.0.0.1:" + run.dashboardPort + "/";

      assertThat(banner).contains("CX Pulse local mode is up").contains(": RUNNING");
      assertThat(line(banner, "ClickHouse HTTP"))
          .startsWith("  ClickHouse HTTP   " + clickHouse + " ")
          .contains("all interfaces")
          .contains("http://" + hostName + ":" + run.clickHousePort + "/");
      assertThat(line(banner, "ClickHouse JDBC"))
          .isEqualTo("  ClickHouse JDBC   jdbc:clickhouse:" + clickHouse + "default");
      assertThat(line(banner, "Flink web UI"))
          .startsWith("  Flink web UI      " + flink + " ")
          .contains("all interfaces")
          .contains("http://" + hostName + ":" + run.flinkPort + "/");
      assertThat(line(banner, "Dashboards"))
          .startsWith("  Dashboards        " + dashboards + " ")
          .contains("all interfaces")
          .contains("http://" + hostName + ":" + run.dashboardPort + "/");
      // The wildcard is where it listens, not an address to open.
      assertThat(banner).doesNotContain("://0.0.0.0").doesNotContain("0:0:0:0");

      // The addresses named answer, by address and by host name.
      for (String base :
          List.of(clickHouse, "http://" + hostName + ":" + run.clickHousePort + "/")) {
        assertThat(get(base + "ping").body()).as(base).isEqualTo("Ok.\n");
      }
      for (String base : List.of(flink, "http://" + hostName + ":" + run.flinkPort + "/")) {
        assertThat(get(base + "overview").statusCode()).as(base).isEqualTo(200);
      }
      for (String base :
          List.of(dashboards, "http://" + hostName + ":" + run.dashboardPort + "/")) {
        assertThat(get(base + "api/dashboards").statusCode()).as(base).isEqualTo(200);
      }
      // Only what --host is for listens beyond loopback, Kafka and Flink's internals do not.
      assertThat(opened.listeners())
          .filteredOn(listener -> !listener.onLoopback())
          .as("sockets beyond loopback, of %s", opened.listeners())
          .allMatch(ListeningSockets.Listener::onAllInterfaces)
          .extracting(ListeningSockets.Listener::port)
          .containsExactlyInAnyOrder(run.clickHousePort, run.flinkPort, run.dashboardPort);
    }
  }

  /** The banner's line starting with {@code label}. */
  private static String line(String banner, String label) {
    return banner
        .lines()
        .filter(line -> line.startsWith("  " + label + " "))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no line " + label + " in\n" + banner));
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Local mode started in this JVM, what it prints captured; stopped on close. */
  private static final class Run implements AutoCloseable {
    final int clickHousePort;
    final int kafkaPort;
    final int flinkPort;
    final int dashboardPort;
    private final LocalMode localMode = new LocalMode();
    private final ListeningSockets before;
    private final CapturedStdout stdout;

    private Run(Path dataDir, String... extraArgs) throws Exception {
      clickHousePort = freePort();
      kafkaPort = freePort();
      flinkPort = freePort();
      dashboardPort = freePort();
      before = ListeningSockets.ofThisProcess();
      List<String> args =
          new ArrayList<>(
              List.of(
                  "--data-dir=" + dataDir,
                  "--kafka-port=" + kafkaPort,
                  "--clickhouse-port=" + clickHousePort,
                  "--flink-ui-port=" + flinkPort,
                  "--dashboard-port=" + dashboardPort,
                  // The generator and the summary only connect; without them it starts sooner.
                  "--no-generator",
                  "--summary-interval=0"));
      args.addAll(List.of(extraArgs));
      new CommandLine(localMode).parseArgs(args.toArray(String[]::new));
      stdout = CapturedStdout.start();
    }

    static Run start(Path dataDir, String... extraArgs) throws Exception {
      Run run = new Run(dataDir, extraArgs);
      try {
        run.localMode.readArguments();
        run.localMode.startAll();
        return run;
      } catch (Exception e) {
        run.close();
        throw e;
      }
    }

    /** The sockets opened since just before local mode started, all of them local mode's. */
    ListeningSockets opened() throws IOException {
      return ListeningSockets.ofThisProcess().openedSince(before);
    }

    String banner() {
      return stdout.text();
    }

    @Override
    public void close() {
      try {
        localMode.stopAll();
      } finally {
        stdout.close();
      }
    }

    private static int freePort() throws Exception {
      try (ServerSocket socket = new ServerSocket(0)) {
        return socket.getLocalPort();
      }
    }
  }
}
