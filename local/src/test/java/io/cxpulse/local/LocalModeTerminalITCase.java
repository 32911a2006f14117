package io.cxpulse.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C while local mode starts stops it without a stack trace, local mode run as {@code
 * ./cx-pulse run} runs it (its own JVM, a real signal). What the terminal shows of a running local
 * mode stopped by SIGTERM (the banner naming the log file, the summary, no engine log lines) is
 * checked on {@link LocalModeResumeITCase}'s second run.
 */
class LocalModeTerminalITCase {

  private static final Duration START = Duration.ofMinutes(4);
  private static final Duration STOP = Duration.ofMinutes(2);

  @TempDir Path dir;

  @Test
  void ctrlCWhileStartingStopsWithoutAStackTrace() throws Exception {
    Path dataDir = dir.resolve("data");
    Path logFile = dataDir.resolve("logs/cx-pulse.log");
    LocalModeProcess child = LocalModeProcess.start(dir, "run", dataDir);
    try {
      // ClickHouse is up and migrated, Kafka is next: where Ctrl-C once gave a 25-line
      // ExceptionInInitializerError (Kafka's metrics registering a shutdown hook during shutdown).
      Predicate<String> migrated = text -> text.contains("ClickHouse schema at version");
      long deadline = System.nanoTime() + START.toNanos();
      while (!migrated.test(child.terminal() + read(logFile))) {
        assertThat(System.nanoTime())
            .as("the schema migrated within %s; so far:\n%s", START, child.terminal())
            .isLessThan(deadline);
        assertThat(child.process().isAlive()).as(child.terminal()).isTrue();
        Thread.sleep(50);
      }
      child.signal("INT");
      assertThat(child.process().waitFor(STOP.toSeconds(), TimeUnit.SECONDS))
          .as("stopped within %s", STOP)
          .isTrue();

      // 128 + 2: stopped by the signal, through the shutdown hooks.
      assertThat(child.process().exitValue()).as(child.terminal()).isEqualTo(130);
      assertThat(child.terminal().lines().filter(LocalModeProcess.TRACE_LINE.asMatchPredicate()))
          .as("stack trace lines on the terminal:\n%s", child.terminal())
          .isEmpty();
      assertThat(child.terminal())
          .doesNotContain("Shutdown in progress")
          .doesNotContain("OpenJDK VM warning")
          // Nothing starts after the stop was asked for, so nothing announces itself as up.
          .doesNotContain("CX Pulse local mode is up");
      assertThat(read(logFile)).contains("CX Pulse local mode stopped");
    } finally {
      child.kill();
    }
  }

  private static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
  }
}
