package io.cxpulse.embedded.clickhouse;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ClickHouse engine loaded in-process from {@code libchdb.so}, on one persistent data
 * directory.
 *
 * <p>Three engine behaviours shape this class:
 *
 * <ul>
 *   <li>The first {@code chdb_connect} installs the engine's own handlers for SIGSEGV, SIGBUS,
 *       SIGFPE and others. The JVM relies on SIGSEGV for implicit null checks and safepoints, so
 *       with the engine's handler in place the next implicit NullPointerException hangs a thread.
 *       Every connect here saves the dispositions of all catchable signals before and restores them
 *       after. That leaves a window: while the first connect runs (hundreds of milliseconds), any
 *       other JVM thread that faults on purpose (a safepoint poll, an implicit null check) meets
 *       the engine's handler, and the JVM hangs or dies with "Segmentation fault". Only HotSpot's
 *       signal chaining closes it: with {@code libjsig.so} preloaded the engine's handlers are
 *       recorded as chained handlers and never replace the JVM's ({@link #signalChainingActive}).
 *       The build, the launcher and the tests preload it; without it {@link #open} warns. The
 *       engine is also asked to install no handlers at all ({@link #disableEngineSignalHandlers}),
 *       but then each connect resets the deadly signals to their defaults instead, so the bracket
 *       and signal chaining stay.
 *   <li>All callers of one connection share one session ({@code SET}, {@code USE}), so each {@link
 *       Session} is its own {@code chdb_connect} on the same path.
 *   <li>The engine is not safe for unsynchronised use from several threads; one lock serialises
 *       every native call. The engine executes one query at a time anyway.
 *   <li>Every INSERT also takes whatever the process's standard input holds as more of its data and
 *       reads it to end of file; see {@link #detachStandardInput}.
 * </ul>
 *
 * <p>An anchor connection stays open for the engine's lifetime: closing the last connection and
 * connecting again would reinstall the signal handlers and reload the databases.
 */
public final class ChdbEngine implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ChdbEngine.class);

  /**
   * Diagnosis only: lets the engine install its signal handlers and leaves them (its crash
   * reports), at the price of the JVM hanging on its next implicit NullPointerException. Tests use
   * it to prove that restoring the handlers is what keeps the JVM alive.
   */
  public static final String KEEP_ENGINE_SIGNAL_HANDLERS_PROPERTY =
      "cxpulse.chdb.keepEngineSignalHandlers";

  /** Signals 1..31 except SIGKILL (9) and SIGSTOP (19), whose dispositions cannot change. */
  private static final int[] CATCHABLE_SIGNALS = catchableSignals();

  private static boolean standardInputDetached;

  private final LibChdb lib;
  private final LibC libc;
  private final Path dataDir;
  private final ReentrantLock engineLock = new ReentrantLock();
  private final String timezone;
  private final String configArgument;
  private Pointer anchorConnection;
  private volatile boolean closed;

  private ChdbEngine(LibChdb lib, LibC libc, Path dataDir, String timezone, String configArgument) {
    this.lib = lib;
    this.libc = libc;
    this.dataDir = dataDir;
    this.timezone = timezone;
    this.configArgument = configArgument;
  }

  /**
   * Loads the library and opens the engine on {@code dataDir} (created if absent).
   *
   * @param library path of {@code libchdb.so}
   * @param timezone the engine's server time zone (for {@code DateTime} without an explicit zone)
   * @param maxQueryTime the longest one statement may run (see {@link EngineConfig})
   */
  public static ChdbEngine open(Path library, Path dataDir, String timezone, Duration maxQueryTime)
      throws IOException {
    ChdbLibraryLocator.checkPlatform();
    ChdbLibraryLocator.checkPresent(library);
    if (!signalChainingActive()) {
      LOG.warn(
          "libjsig.so is not preloaded: a JVM thread that faults while the engine starts may hang"
              + " or crash the JVM. Start the JVM with LD_PRELOAD=$JAVA_HOME/lib/libjsig.so"
              + " (./cx-pulse and the Maven build do).");
    }
    Files.createDirectories(dataDir);
    String configArgument = EngineConfig.write(dataDir.toAbsolutePath(), maxQueryTime);
    LibC libc = Native.load("c", LibC.class);
    // The engine reads TZ once when it initialises; pinning it keeps DateTime decoding in the
    // JDBC driver and the engine on the same zone whatever the host's /etc/localtime says.
    libc.setenv("TZ", timezone, 1);
    libc.tzset();
    detachStandardInput(libc);
    long started = System.nanoTime();
    LibChdb lib = Native.load(library.toAbsolutePath().toString(), LibChdb.class);
    ChdbEngine engine =
        new ChdbEngine(lib, libc, dataDir.toAbsolutePath(), timezone, configArgument);
    if (!Boolean.getBoolean(KEEP_ENGINE_SIGNAL_HANDLERS_PROPERTY)) {
      engine.disableEngineSignalHandlers();
    }
    engine.anchorConnection = engine.connect();
    try {
      engine.removeSystemTables();
    } catch (RuntimeException e) {
      engine.close();
      throw e;
    }
    LOG.info(
        "ClickHouse engine (libchdb) opened on {} in {} ms",
        engine.dataDir,
        (System.nanoTime() - started) / 1_000_000);
    return engine;
  }

  public Path dataDir() {
    return dataDir;
  }

  /**
   * Points file descriptor 0 at {@code /dev/null} before the engine's first connect. libchdb runs
   * clickhouse-local's client code for every statement, and that code appends whatever standard
   * input holds to an INSERT's data, inline or {@code FROM INFILE}, reading it to end of file: with
   * a pipe that carries data (a process supervisor, {@code producer | ./cx-pulse run}, the command
   * channel of Maven's test forks) an INSERT takes foreign bytes as rows, or waits for an end of
   * file that never comes while it holds the engine lock, and every later query waits behind it. A
   * terminal is left alone: the engine never reads one. A closed descriptor 0 is filled too, or the
   * next file or socket this process opens would become the engine's input. Java code keeps the
   * original input where Linux can reopen it: {@link System#in} reads a duplicate of it.
   */
  private static synchronized void detachStandardInput(LibC libc) {
    if (standardInputDetached || libc.isatty(0) == 1) {
      return;
    }
    int original = libc.dup(0);
    int devNull = libc.open("/dev/null", LibC.O_RDONLY);
    if (devNull < 0 || (devNull != 0 && libc.dup2(devNull, 0) != 0)) {
      throw new IllegalStateException(
          "cannot point standard input at /dev/null; the ClickHouse engine would read INSERT data"
              + " from it");
    }
    if (devNull != 0) {
      libc.close(devNull);
    }
    standardInputDetached = true;
    if (original >= 0) {
      try {
        System.setIn(new FileInputStream("/proc/self/fd/" + original));
        // The reopened stream holds the input on a descriptor of its own.
        libc.close(original);
      } catch (IOException e) {
        // A socket cannot be reopened by path; Java code then reads an empty input.
        LOG.debug("standard input (fd {}) not reopened for System.in: {}", original, e.toString());
      }
    }
    LOG.debug("standard input detached from the ClickHouse engine");
  }

  /** Takes {@link EngineConfig#REMOVED_SYSTEM_TABLES} out of the catalog, or fails. */
  private void removeSystemTables() {
    try (Session session = openSession()) {
      for (String statement : EngineConfig.removeSystemTables()) {
        Result result = session.query(statement, "TabSeparated");
        if (result.failed()) {
          throw new IllegalStateException(
              "the ClickHouse engine on "
                  + dataDir
                  + " refused "
                  + statement
                  + ": "
                  + result.error());
        }
      }
    }
  }

  public String timezone() {
    return timezone;
  }

  /** Opens a session: its own settings and current database, isolated from other sessions. */
  public Session openSession() {
    return new Session(connect());
  }

  private Pointer connect() {
    engineLock.lock();
    try {
      ensureOpen();
      List<String> args = new ArrayList<>();
      args.add("clickhouse");
      args.add("--path=" + dataDir);
      args.add(configArgument);
      boolean keepEngineHandlers = Boolean.getBoolean(KEEP_ENGINE_SIGNAL_HANDLERS_PROPERTY);
      Memory[] saved = keepEngineHandlers ? null : saveSignalDispositions();
      Pointer connection;
      try {
        connection = lib.chdb_connect(args.size(), args.toArray(new String[0]));
      } finally {
        if (saved != null) {
          restoreSignalDispositions(saved);
        }
      }
      if (connection == null || connection.getPointer(0) == null) {
        throw new IllegalStateException(
            "chdb_connect failed for "
                + dataDir
                + ": is another process or engine using this data directory?");
      }
      return connection;
    } finally {
      engineLock.unlock();
    }
  }

  /**
   * Asks the engine to install no signal handlers at all. The JVM's handlers are restored after
   * every connect anyway, so the engine's would never run; installed, they are also reset at exit:
   * the engine's static destructors call {@code signal(SIG_DFL)} for each, and under signal
   * chaining {@code libjsig.so} answers the first such call on a JVM signal by printing "OpenJDK VM
   * warning: the use of signal() and sigset() for signal chaining was deprecated" on every exit.
   * The call itself resets some signals to their defaults, hence the same bracket as a connect.
   */
  private void disableEngineSignalHandlers() {
    engineLock.lock();
    try {
      Memory[] saved = saveSignalDispositions();
      try {
        lib.chdb_set_signal_handlers_enabled(0);
      } finally {
        restoreSignalDispositions(saved);
      }
    } finally {
      engineLock.unlock();
    }
  }

  private Memory[] saveSignalDispositions() {
    Memory[] saved = new Memory[CATCHABLE_SIGNALS.length];
    for (int i = 0; i < CATCHABLE_SIGNALS.length; i++) {
      saved[i] = new Memory(LibC.SIGACTION_BUFFER_SIZE);
      saved[i].clear();
      if (libc.sigaction(CATCHABLE_SIGNALS[i], null, saved[i]) != 0) {
        saved[i] = null;
      }
    }
    return saved;
  }

  private void restoreSignalDispositions(Memory[] saved) {
    for (int i = 0; i < CATCHABLE_SIGNALS.length; i++) {
      if (saved[i] != null) {
        libc.sigaction(CATCHABLE_SIGNALS[i], saved[i], null);
      }
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the ClickHouse engine on " + dataDir + " is closed");
    }
  }

  /** Closes the engine. Sessions must be closed first; exiting with one open crashes the engine. */
  @Override
  public void close() {
    engineLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      lib.chdb_close_conn(anchorConnection);
      anchorConnection = null;
      LOG.info("ClickHouse engine on {} closed", dataDir);
    } finally {
      engineLock.unlock();
    }
  }

  /**
   * Whether HotSpot's signal-chaining library is loaded into this process, so that the engine's
   * signal handlers can never replace the JVM's.
   */
  public static boolean signalChainingActive() {
    try {
      return Files.readAllLines(Path.of("/proc/self/maps")).stream()
          .anyMatch(line -> line.endsWith("/libjsig.so"));
    } catch (IOException e) {
      return false;
    }
  }

  private static int[] catchableSignals() {
    List<Integer> signals = new ArrayList<>();
    for (int s = 1; s <= 31; s++) {
      if (s != 9 && s != 19) {
        signals.add(s);
      }
    }
    return signals.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The outcome of one statement: the formatted output or the engine's error, and counters. */
  public record Result(
      byte[] output,
      String error,
      long resultRows,
      long rowsRead,
      long bytesRead,
      long rowsWritten,
      long bytesWritten,
      double elapsedSeconds) {

    static Result failure(String error) {
      return new Result(new byte[0], error, 0, 0, 0, 0, 0, 0);
    }

    public boolean failed() {
      return error != null;
    }

    /** ClickHouse's numeric error code parsed from the message ("Code: 62. DB::Exception…"). */
    public int errorCode() {
      return ClickHouseErrors.codeOf(error);
    }
  }

  /** One engine session. Not thread-safe: a session serves one request at a time. */
  public final class Session implements AutoCloseable {
    private Pointer connectionPointer;

    private Session(Pointer connectionPointer) {
      this.connectionPointer = connectionPointer;
    }

    /** Runs one statement and returns its output in {@code format}. */
    public Result query(String sql, String format) {
      return query(sql, format, Map.of());
    }

    /** Runs one statement with server-side bound parameters ({@code {name:Type}} placeholders). */
    public Result query(String sql, String format, Map<String, String> parameters) {
      byte[] sqlBytes = sql.getBytes(StandardCharsets.UTF_8);
      byte[] formatBytes = format.getBytes(StandardCharsets.US_ASCII);
      engineLock.lock();
      try {
        ensureOpen();
        if (connectionPointer == null) {
          throw new IllegalStateException("session is closed");
        }
        Pointer connection = connectionPointer.getPointer(0);
        Pointer result;
        if (parameters.isEmpty()) {
          result =
              lib.chdb_query_n(
                  connection, sqlBytes, sqlBytes.length, formatBytes, formatBytes.length);
        } else {
          result = queryWithParameters(connection, sqlBytes, formatBytes, parameters);
        }
        if (result == null) {
          return Result.failure("Code: 1000. chdb returned no result");
        }
        try {
          return toResult(result);
        } finally {
          lib.chdb_destroy_query_result(result);
        }
      } finally {
        engineLock.unlock();
      }
    }

    private Pointer queryWithParameters(
        Pointer connection, byte[] sqlBytes, byte[] formatBytes, Map<String, String> parameters) {
      int n = parameters.size();
      String[] names = new String[n];
      Pointer[] values = new Pointer[n];
      long[] lengths = new long[n];
      int i = 0;
      for (Map.Entry<String, String> parameter : parameters.entrySet()) {
        names[i] = parameter.getKey();
        byte[] value = parameter.getValue().getBytes(StandardCharsets.UTF_8);
        Memory memory = new Memory(Math.max(1, value.length));
        memory.write(0, value, 0, value.length);
        values[i] = memory;
        lengths[i] = value.length;
        i++;
      }
      return lib.chdb_query_with_params_n(
          connection,
          sqlBytes,
          sqlBytes.length,
          formatBytes,
          formatBytes.length,
          names,
          null,
          values,
          lengths,
          n);
    }

    private Result toResult(Pointer result) {
      String error = lib.chdb_result_error(result);
      long length = lib.chdb_result_length(result);
      Pointer buffer = lib.chdb_result_buffer(result);
      byte[] output =
          (buffer == null || length <= 0) ? new byte[0] : buffer.getByteArray(0, (int) length);
      if (error != null && error.isEmpty()) {
        error = null;
      }
      if (error != null) {
        // The counters of a failed query are not initialised by the engine.
        return Result.failure(error);
      }
      return new Result(
          output,
          null,
          lib.chdb_result_rows_read(result),
          lib.chdb_result_storage_rows_read(result),
          lib.chdb_result_storage_bytes_read(result),
          lib.chdb_result_rows_written(result),
          lib.chdb_result_bytes_written(result),
          lib.chdb_result_elapsed(result));
    }

    @Override
    public void close() {
      engineLock.lock();
      try {
        if (connectionPointer != null && !closed) {
          lib.chdb_close_conn(connectionPointer);
        }
        connectionPointer = null;
      } finally {
        engineLock.unlock();
      }
    }
  }
}
