package io.cxpulse.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import picocli.CommandLine;

/**
 * One local mode with live traffic of every stream, started as {@code ./cx-pulse run} starts it,
 * and what is checked against it: every README example ({@link ReadmeExampleChecks}), every
 * dashboard query ({@link DashboardQueryChecks}) and the dashboard page in a real browser ({@link
 * DashboardPageChecks}). One local mode for all three because each waits for minutes of traffic.
 *
 * <p>What it costs: the README examples and the dashboards wait for the slowest view, the driver
 * split. Its rows need a ticket that was answered, resolved and followed by a survey (1 to 5
 * minutes after the resolution, {@code FollowUpSurveys}), and an outcome the job has decided (its
 * allowed lateness plus a window after the first reply). With local mode's defaults that is about
 * 8.5 minutes into a run; with {@value #TICKET_RATE} tickets a second, {@value #DRIVER_WINDOW}
 * windows and {@value #DRIVER_LATENESS} of lateness, about 2.5 minutes; the dashboards then find
 * their data there. The open-alert examples and the alert panels need an alert: a CSAT drop on web
 * from the start fires within the first two minutes and stays open. Checkouts are abandoned after
 * {@value #INACTIVITY_TIMEOUT} without a step, so that abandonment by step, reason and currency has
 * rows within the run.
 */
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class LiveLocalModeITCase {

  static final Path REPO_DIR =
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

  /**
   * The driver split's allowed lateness: its outcomes are decided this much sooner than with local
   * mode's 2 minutes. Still beyond the generator's latest stragglers (40 s), so none is
   * dead-lettered by it.
   */
  private static final String DRIVER_LATENESS = "45s";

  /** Local mode's inactivity timeout for checkouts, shortened so abandonments come in minutes. */
  private static final String INACTIVITY_TIMEOUT = "1m";

  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  /** Where the examples run: {@code data/local} in it is local mode's data directory. */
  @TempDir static Path work;

  static Path dataDir;
  static Path curlHome;
  static LocalMode localMode;
  static int clickHousePort;
  static long trafficStart;

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
            "--dashboard-port=" + freePort(),
            "--parallelism=1",
            "--partitions=1",
            "--ticket-rate=" + TICKET_RATE,
            "--driver-window=" + DRIVER_WINDOW,
            "--driver-lateness=" + DRIVER_LATENESS,
            "--inactivity-timeout=" + INACTIVITY_TIMEOUT,
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

  static String readerPassword() throws Exception {
    return LocalCredentials.loadOrCreate(dataDir).readerPassword();
  }

  /**
   * Counted down when the dashboard queries are done: the browser draws the dashboards after them,
   * when every panel has data (its checks draw once, they do not wait for rows).
   */
  static final CountDownLatch QUERIES_CHECKED = new CountDownLatch(1);

  // The README examples and the dashboard queries run at the same time (each in its own thread,
  // its own checks one after another): both wait minutes for the driver split's first rows, and
  // once rows are there the queries' ~2 minutes of work would otherwise come after the README's
  // waiting instead of during it (see the failsafe configuration in local/pom.xml).

  @Nested
  @Order(1)
  @Execution(ExecutionMode.CONCURRENT)
  class EveryReadmeExample extends ReadmeExampleChecks {}

  @Nested
  @Order(2)
  @Execution(ExecutionMode.CONCURRENT)
  class EveryDashboardQuery extends DashboardQueryChecks {

    @AfterAll
    static void checked() {
      QUERIES_CHECKED.countDown();
    }
  }

  @Nested
  @Order(3)
  class DashboardsInABrowser extends DashboardPageChecks {

    @BeforeAll
    static void afterTheQueries() throws InterruptedException {
      assertThat(QUERIES_CHECKED.await(15, TimeUnit.MINUTES))
          .as("the dashboard queries were checked")
          .isTrue();
    }
  }

  static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
