package io.cxpulse.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One OS process of the test's cluster, its stdout and stderr in a file under {@code target/}.
 * Every process still alive when the test JVM exits is killed by a shutdown hook, so a failed or
 * interrupted test leaves no JVM behind to spoil the next build.
 */
final class ChildProcess {

  private static final Set<ChildProcess> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> LIVE.forEach(ChildProcess::kill), "kill-children"));
  }

  private final String name;
  private final Process process;
  private final Path output;

  /** Where this run's output starts in {@link #output} (earlier runs of the same name precede). */
  private final long outputStart;

  private ChildProcess(String name, Process process, Path output, long outputStart) {
    this.name = name;
    this.process = process;
    this.output = output;
    this.outputStart = outputStart;
  }

  /**
   * Starts {@code command} with {@code environment} added to this JVM's; output goes to {@code
   * <dir>/<name>.out} (appended: a process started again on the same data keeps one file).
   */
  static ChildProcess start(
      String name, List<String> command, Map<String, String> environment, Path dir)
      throws IOException {
    Files.createDirectories(dir);
    Path output = dir.resolve(name + ".out");
    long outputStart = Files.exists(output) ? Files.size(output) : 0;
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
    builder.environment().putAll(environment);
    ChildProcess child = new ChildProcess(name, builder.start(), output, outputStart);
    LIVE.add(child);
    child.process.onExit().thenRun(() -> LIVE.remove(child));
    return child;
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  Path output() {
    return output;
  }

  /** SIGKILL (what {@link Process#destroyForcibly()} sends on Linux), then waits for the end. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Sends the signal {@code name} (e.g. TERM) with kill(1) and waits for the process to end. */
  void signalAndWait(String name, Duration timeout) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
    }
    awaitExit(timeout);
  }

  /** Waits for the process to end by itself; returns its exit code, or fails with its output. */
  int awaitExit(Duration timeout) throws Exception {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      kill();
      throw new AssertionError(name + " did not end within " + timeout + ":\n" + tail(60));
    }
    return process.exitValue();
  }

  /** Waits until the output holds a line {@code wanted} accepts; fails if the process ends. */
  String awaitLine(Predicate<String> wanted, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (String line : text().lines().toList()) {
        if (wanted.test(line)) {
          return line;
        }
      }
      if (!process.isAlive()) {
        throw new AssertionError(name + " ended (exit " + process.exitValue() + "):\n" + tail(60));
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            name + " printed nothing wanted within " + timeout + ":\n" + tail(60));
      }
      Thread.sleep(200);
    }
  }

  /** What this run printed. */
  String text() throws IOException {
    if (!Files.exists(output)) {
      return "";
    }
    byte[] all = Files.readAllBytes(output);
    int from = (int) Math.min(outputStart, all.length);
    return new String(all, from, all.length - from, StandardCharsets.UTF_8);
  }

  /** The last {@code lines} lines of the output, headed by the file's name. */
  String tail(int lines) {
    try {
      List<String> all = text().lines().toList();
      return "--- "
          + output
          + " (last "
          + lines
          + " lines)\n"
          + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "--- " + output + ": " + e;
    }
  }
}
