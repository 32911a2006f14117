package io.cxpulse.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.embedded.clickhouse.ChdbLibraryLocator;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Local mode in a JVM of its own, as {@code ./cx-pulse run} runs it ({@code libjsig.so} preloaded,
 * {@link CxPulseCommand} as the main class), its stdout and stderr in files, stopped by real
 * signals: the fixture of the tests that must see what a person sees, or survive a process dying.
 */
final class LocalModeProcess {

  /** A log line as log4j's patterns here print one: a time, then a level. */
  static final Pattern LOG_LINE =
      Pattern.compile("^\\d{2}:\\d{2}:\\d{2}(\\.\\d{3})? +(TRACE|DEBUG|INFO|WARN|ERROR)\\b.*");

  /** A line of a stack trace, or its heading. */
  static final Pattern TRACE_LINE =
      Pattern.compile("^(\\s+at |Caused by: |Exception in thread |\\s*\\.\\.\\. \\d+ more).*");

  /** Our own warnings and errors, as the terminal shows them: one line each. */
  static final Pattern OWN_PROBLEM = Pattern.compile("^\\d{2}:\\d{2}:\\d{2} (WARN |ERROR) .*");

  private final Process process;
  private final Path stdout;
  private final Path stderr;
  private final int kafkaPort;
  private final int clickHousePort;

  private LocalModeProcess(
      Process process, Path stdout, Path stderr, int kafkaPort, int clickHousePort) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
    this.kafkaPort = kafkaPort;
    this.clickHousePort = clickHousePort;
  }

  /**
   * Starts {@code ./cx-pulse run} on {@code dataDir} with free ports, one partition, parallelism 1
   * and light traffic ({@code extraArgs} come last and win).
   *
   * @param name names the run's stdout and stderr files in {@code dir}
   */
  static LocalModeProcess start(Path dir, String name, Path dataDir, String... extraArgs)
      throws IOException {
    int kafkaPort = freePort();
    int clickHousePort = freePort();
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    // Ctrl-C must reach it whoever started the tests: a shell starts a background job (as the
    // test suite's script starts the local module's tests) with SIGINT ignored, every process
    // below inherits that, and a JVM that starts with SIGINT ignored never handles it.
    List<String> command =
        new ArrayList<>(
            List.of(
                "env", "--default-signal=INT", java.toString(), "-Duser.timezone=UTC", "-Xmx1g"));
    String library = System.getProperty(ChdbLibraryLocator.LIBRARY_PROPERTY);
    if (library != null) {
      command.add("-D" + ChdbLibraryLocator.LIBRARY_PROPERTY + "=" + library);
    }
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            CxPulseCommand.class.getName(),
            "local",
            "--data-dir=" + dataDir,
            "--kafka-port=" + kafkaPort,
            "--clickhouse-port=" + clickHousePort,
            "--flink-ui-port=" + freePort(),
            "--dashboard-port=" + freePort()));
    // Light defaults, each left out when extraArgs give the flag (picocli takes a flag once).
    for (String light :
        List.of(
            "--parallelism=1",
            "--partitions=1",
            "--rate=10",
            "--checkout-rate=1",
            "--bad-record-every=20")) {
      String flag = light.substring(0, light.indexOf('=') + 1);
      if (Arrays.stream(extraArgs).noneMatch(arg -> arg.startsWith(flag))) {
        command.add(light);
      }
    }
    command.addAll(List.of(extraArgs));
    Path out = dir.resolve(name + ".stdout");
    Path err = dir.resolve(name + ".stderr");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    // As the launcher runs it (see cx-pulse).
    builder
        .environment()
        .put("LD_PRELOAD", Path.of(System.getProperty("java.home"), "lib/libjsig.so").toString());
    return new LocalModeProcess(builder.start(), out, err, kafkaPort, clickHousePort);
  }

  Process process() {
    return process;
  }

  String kafkaBootstrap() {
    return "127.0.0.1:" + kafkaPort;
  }

  String clickHouseHttpUrl() {
    return "http://127.0.0.1:" + clickHousePort + "/";
  }

  /** Waits until stdout shows what {@code stdoutShows} looks for; fails if the process ends. */
  void await(Predicate<String> stdoutShows, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!stdoutShows.test(stdout())) {
      assertThat(System.nanoTime())
          .as("what local mode printed within %s:\n%s", timeout, terminal())
          .isLessThan(deadline);
      assertThat(process.isAlive()).as(terminal()).isTrue();
      Thread.sleep(200);
    }
  }

  /** Sends the signal {@code name} (TERM, INT, KILL) with kill(1). */
  void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
  }

  /** Waits for the process to end after a signal; returns its exit code. */
  int awaitExit(Duration timeout) throws Exception {
    assertThat(process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS))
        .as("stopped within %s:\n%s", timeout, terminal())
        .isTrue();
    return process.exitValue();
  }

  String stdout() throws IOException {
    return read(stdout);
  }

  /** stdout, then stderr: all a terminal would show. */
  String terminal() throws IOException {
    return read(stdout) + read(stderr);
  }

  /**
   * What a person sees holds no engine log line (only our own warnings and errors, one line each),
   * no stack trace and no JDK warning: the engines log to the file the banner names.
   */
  void assertTerminalShowsNoEngineLogs() throws IOException {
    assertThat(terminal().lines().filter(LOG_LINE.asMatchPredicate()))
        .as("log lines on the terminal")
        .allMatch(OWN_PROBLEM.asMatchPredicate());
    assertThat(terminal().lines().filter(TRACE_LINE.asMatchPredicate()))
        .as("stack trace lines on the terminal:\n%s", terminal())
        .isEmpty();
    assertThat(terminal()).doesNotContain("OpenJDK VM warning");
  }

  void kill() {
    process.destroyForcibly();
  }

  private static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
