package io.cxpulse.embedded.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Process-level behaviour of the embedded engine, each case in a child JVM so that a hang or a
 * crash fails the test instead of the build: the JVM's own signal handling survives the native
 * library, and Ctrl-C (SIGINT) and SIGTERM stop the server cleanly with the data kept.
 *
 * <p>Two defences are tested apart: restoring the JVM's handlers after each connect (what a JVM
 * without {@code LD_PRELOAD} relies on) and HotSpot's signal chaining with {@code libjsig.so}
 * preloaded (what the build and the launcher use, because it also covers the window while the first
 * connect runs).
 */
class EmbeddedClickHouseProcessITCase {

  private static final Duration STARTUP = Duration.ofSeconds(120);

  @TempDir Path tempDir;

  @Test
  void theBuildRunsTestJvmsWithSignalChaining() {
    assertThat(ChdbEngine.signalChainingActive())
        .as("the build's surefire and failsafe preload libjsig.so (see the root pom)")
        .isTrue();
  }

  @Test
  void jvmSurvivesImplicitNullPointerExceptionsAfterTheEngineIsUp() throws Exception {
    Child child = Child.start(tempDir.resolve("data"), "exit", false);
    try {
      assertThat(child.awaitLine(line -> line.startsWith("SURVIVED"), STARTUP))
          .isEqualTo("SURVIVED 100");
      assertThat(child.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(child.process.exitValue()).as(child.output()).isZero();
      assertThat(child.output()).contains("CLOSED");
    } finally {
      child.kill();
    }
  }

  /**
   * With libjsig preloaded the engine's handlers never reach the kernel, even when nothing restores
   * the JVM's: the same probe survives with the restore switched off.
   */
  @Test
  void withSignalChainingTheEngineHandlersNeverReplaceTheJvms() throws Exception {
    Child child =
        Child.start(
            tempDir.resolve("data"),
            "exit",
            true,
            "-D" + ChdbEngine.KEEP_ENGINE_SIGNAL_HANDLERS_PROPERTY + "=true");
    try {
      assertThat(child.awaitLine(line -> line.startsWith("SURVIVED"), STARTUP))
          .isEqualTo("SURVIVED 100");
      assertThat(child.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(child.process.exitValue()).as(child.output()).isZero();
    } finally {
      child.kill();
    }
  }

  /**
   * The control: with the engine's handlers left in place the same probe never gets through. The
   * JVM uses SIGSEGV long before the probe's own null checks (safepoints, JIT-compiled driver
   * code), so it typically hangs before printing anything; it must neither finish nor survive.
   */
  @Test
  void withoutRestoringTheJvmHandlersTheSameProbeHangs() throws Exception {
    Child child =
        Child.start(
            tempDir.resolve("data"),
            "exit",
            false,
            "-D" + ChdbEngine.KEEP_ENGINE_SIGNAL_HANDLERS_PROPERTY + "=true");
    try {
      String survived = child.pollLine(line -> line.startsWith("SURVIVED"), Duration.ofSeconds(30));
      assertThat(survived).as(child.output()).isNull();
      boolean exitedCleanly = !child.process.isAlive() && child.process.exitValue() == 0;
      assertThat(exitedCleanly).as(child.output()).isFalse();
    } finally {
      child.kill();
    }
  }

  /**
   * The engine appends whatever standard input holds to every INSERT's data and reads it to end of
   * file (it once took a Maven fork's command channel as rows). The parent writes a line to the
   * child's standard input and keeps it open: every insert must complete with only its own rows,
   * and the line must still be there for the child's Java code.
   */
  @Test
  void insertsNeverReadTheProcessStandardInput() throws Exception {
    Child child = Child.start(tempDir.resolve("data"), "stdin", true);
    try {
      child
          .process
          .getOutputStream()
          .write("(7, 'from the parent')\n".getBytes(StandardCharsets.UTF_8));
      child.process.getOutputStream().flush();
      assertThat(child.awaitLine(line -> line.startsWith("ROWS"), STARTUP))
          .isEqualTo("ROWS 1:prepared,2:inline,3:batch,4:batch");
      assertThat(child.awaitLine(line -> line.startsWith("STDIN"), STARTUP))
          .isEqualTo("STDIN (7, 'from the parent')");
      assertThat(child.process.waitFor(60, TimeUnit.SECONDS)).as(child.output()).isTrue();
    } finally {
      child.kill();
    }
  }

  @Test
  void sigtermStopsCleanlyAndKeepsTheData() throws Exception {
    stopsCleanlyOn("TERM", 143);
  }

  @Test
  void ctrlCStopsCleanlyAndKeepsTheData() throws Exception {
    stopsCleanlyOn("INT", 130);
  }

  private void stopsCleanlyOn(String signal, int expectedExitCode) throws Exception {
    Path dataDir = tempDir.resolve("data-" + signal);
    Child child = Child.start(dataDir, "wait", true);
    try {
      child.awaitLine(line -> line.equals("READY"), STARTUP);
      Process kill =
          new ProcessBuilder("kill", "-" + signal, Long.toString(child.process.pid())).start();
      assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(child.process.waitFor(60, TimeUnit.SECONDS)).as(child.output()).isTrue();
      // 128 + signal number: the JVM ran its shutdown hooks and exited; 134 or 139 would be the
      // engine crashing on the way out.
      assertThat(child.process.exitValue()).as(child.output()).isEqualTo(expectedExitCode);
      child.drain();
      assertThat(child.output()).contains("ClickHouse HTTP interface on port").contains("closed");
      // Nothing the engine does on the way out reaches the terminal: its static destructors reset
      // the handlers it installed with signal(), which libjsig answers with a JDK warning.
      assertThat(child.output()).doesNotContain("OpenJDK VM warning");
    } finally {
      child.kill();
    }
    try (EmbeddedClickHouse reopened =
            EmbeddedClickHouse.builder().dataDir(dataDir).port(0).start();
        Connection connection = DriverManager.getConnection(reopened.jdbcUrl());
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT count(), sum(n) FROM probe")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(1)).isEqualTo(1000);
      assertThat(rs.getLong(2)).isEqualTo(499_500);
    }
  }

  /** A child JVM running {@link EngineProbeMain}, its output collected line by line. */
  private static final class Child {
    final Process process;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    final List<String> seen = new ArrayList<>();
    final Thread pump;

    private Child(Process process) {
      this.process = process;
      this.pump =
          new Thread(
              () -> {
                try (BufferedReader reader =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = reader.readLine()) != null) {
                    lines.add(line);
                  }
                } catch (IOException ignored) {
                  // The child was killed.
                }
              },
              "child-output");
      pump.setDaemon(true);
      pump.start();
    }

    /**
     * @param signalChaining whether the child runs with {@code libjsig.so} preloaded, as the
     *     launcher runs the local mode
     */
    static Child start(Path dataDir, String mode, boolean signalChaining, String... jvmOptions)
        throws IOException {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Duser.timezone=UTC");
      command.add("-Xmx512m");
      // Keep our own shutdown-hook logs: log4j's hook would otherwise stop logging first.
      command.add("-Dlog4j2.shutdownHookEnabled=false");
      String library = System.getProperty(ChdbLibraryLocator.LIBRARY_PROPERTY);
      if (library != null) {
        command.add("-D" + ChdbLibraryLocator.LIBRARY_PROPERTY + "=" + library);
      }
      command.addAll(List.of(jvmOptions));
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(EngineProbeMain.class.getName());
      command.add(dataDir.toString());
      command.add(mode);
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      // The build preloads libjsig into this JVM; the child gets it only when asked for.
      builder.environment().remove("LD_PRELOAD");
      if (signalChaining) {
        builder
            .environment()
            .put(
                "LD_PRELOAD",
                Path.of(System.getProperty("java.home"), "lib", "libjsig.so").toString());
      }
      return new Child(builder.start());
    }

    String awaitLine(java.util.function.Predicate<String> wanted, Duration timeout)
        throws InterruptedException {
      String line = pollLine(wanted, timeout);
      // The description only on failure: output() drains the lines not read yet, and the next
      // awaitLine would miss one the child printed right after this one.
      if (line == null) {
        assertThat(line).as("child output so far:\n" + output()).isNotNull();
      }
      return line;
    }

    String pollLine(java.util.function.Predicate<String> wanted, Duration timeout)
        throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        String line = lines.poll(100, TimeUnit.MILLISECONDS);
        if (line != null) {
          seen.add(line);
          if (wanted.test(line)) {
            return line;
          }
        }
      }
      return null;
    }

    void drain() throws InterruptedException {
      pump.join(TimeUnit.SECONDS.toMillis(10));
      lines.drainTo(seen);
    }

    String output() {
      lines.drainTo(seen);
      return String.join("\n", seen);
    }

    void kill() {
      process.destroyForcibly();
    }
  }
}
