package io.cxpulse.embedded.clickhouse;

import io.cxpulse.embedded.ListenHost;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real ClickHouse engine in this JVM, served over ClickHouse's HTTP interface on loopback.
 *
 * <p>These machines run no Docker and have no usable ClickHouse server package, so tests and the
 * local mode use the engine as a library ({@code libchdb.so}) and talk to it through the unmodified
 * ClickHouse JDBC driver, exactly as production talks to a server.
 *
 * <p>A shutdown hook stops the server and closes the engine on Ctrl-C or SIGTERM (unless the owner
 * takes that over): the engine crashes the process if it exits with a connection open.
 *
 * <pre>{@code
 * try (EmbeddedClickHouse clickHouse = EmbeddedClickHouse.builder().dataDir(dir).port(0).start()) {
 *   DriverManager.getConnection(clickHouse.jdbcUrl());
 * }
 * }</pre>
 */
public final class EmbeddedClickHouse implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedClickHouse.class);

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8123;
  public static final String DEFAULT_TIMEZONE = "UTC";

  /** How long one statement may run unless {@link Builder#maxQueryTime} says otherwise. */
  public static final Duration DEFAULT_MAX_QUERY_TIME = EngineConfig.DEFAULT_MAX_QUERY_TIME;

  private final ChdbEngine engine;
  private final ClickHouseHttpServer server;
  private final Thread shutdownHook;
  private boolean closed;

  private EmbeddedClickHouse(
      ChdbEngine engine, ClickHouseHttpServer server, boolean closeOnShutdown) {
    this.engine = engine;
    this.server = server;
    this.shutdownHook =
        closeOnShutdown ? new Thread(this::closeQuietly, "embedded-clickhouse-shutdown") : null;
    if (shutdownHook != null) {
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * {@code http://host:port/}, for curl and BI tools: the host as given, or {@code 127.0.0.1} when
   * the server listens on every interface ({@link ListenHost}).
   */
  public String httpUrl() {
    return "http://" + ListenHost.urlAuthority(server.host(), server.port()) + "/";
  }

  /** A JDBC URL for the ClickHouse driver on the {@code default} database. */
  public String jdbcUrl() {
    return jdbcUrl("default");
  }

  public String jdbcUrl(String database) {
    return "jdbc:clickhouse:" + httpUrl() + database;
  }

  public int port() {
    return server.port();
  }

  public Path dataDir() {
    return engine.dataDir();
  }

  /** Stops the HTTP server, then the engine. Safe to call more than once. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException alreadyShuttingDown) {
        // Called from the hook itself, or during JVM shutdown: nothing to remove.
      }
    }
    server.close();
    engine.close();
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException e) {
      LOG.warn("Failed to stop the embedded ClickHouse cleanly", e);
    }
  }

  /** Whether {@code host} names this machine only (127.0.0.0/8, ::1, localhost). */
  static boolean isLoopback(String host) {
    try {
      return java.net.InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /** Settings with working defaults: loopback, port 8123, UTC, library from the fetch cache. */
  public static final class Builder {
    private Path dataDir;
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private String timezone = DEFAULT_TIMEZONE;
    private Duration maxQueryTime = DEFAULT_MAX_QUERY_TIME;
    private Path library;
    private boolean closeOnShutdown = true;
    private final java.util.Set<String> allowedOrigins = new java.util.LinkedHashSet<>();
    private final java.util.Map<String, ClickHouseUsers.User> users =
        new java.util.LinkedHashMap<>();

    private Builder() {}

    /**
     * Whether this server registers its own shutdown hook (default). An owner that stops several
     * services in order on shutdown turns it off and must then close this server itself.
     */
    public Builder closeOnShutdown(boolean closeOnShutdown) {
      this.closeOnShutdown = closeOnShutdown;
      return this;
    }

    /** Where the engine keeps its databases; created if absent and kept across restarts. */
    public Builder dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** The HTTP port; 0 picks a free one. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder timezone(String timezone) {
      this.timezone = timezone;
      return this;
    }

    /**
     * The longest one statement may run, whoever sends it; a client may ask for less, never for
     * more. The engine runs one statement at a time, so this is also the longest a slow read can
     * hold up the jobs' inserts (see {@link EngineConfig}).
     */
    public Builder maxQueryTime(Duration maxQueryTime) {
      this.maxQueryTime = Objects.requireNonNull(maxQueryTime, "maxQueryTime");
      return this;
    }

    /**
     * A web origin (scheme, host, port, e.g. {@code http://127.0.0.1:3000}) whose pages may query
     * the server from a browser; by default none may (see {@link ClickHouseHttpServer#start(
     * ChdbEngine, String, int, java.util.Set, ClickHouseUsers)}). Repeatable.
     */
    public Builder allowedOrigin(String origin) {
      allowedOrigins.add(Objects.requireNonNull(origin, "origin"));
      return this;
    }

    /**
     * A user the server accepts; once any is added, every query must name one with its password
     * (HTTP Basic, {@code X-ClickHouse-User}/{@code -Key} or {@code user}/{@code password}
     * parameters), or is refused with AUTHENTICATION_FAILED (516). Repeatable.
     *
     * @param readOnly whether the user may only read
     */
    public Builder user(String name, String password, boolean readOnly) {
      users.put(name, new ClickHouseUsers.User(name, password, readOnly));
      return this;
    }

    /** The {@code libchdb.so} to load; by default {@link ChdbLibraryLocator#locate()}. */
    public Builder library(Path library) {
      this.library = library;
      return this;
    }

    public EmbeddedClickHouse start() throws IOException {
      Objects.requireNonNull(dataDir, "dataDir");
      if (users.isEmpty() && !isLoopback(host)) {
        throw new IllegalStateException(
            "the embedded ClickHouse serves "
                + host
                + ", beyond this machine, only with users and passwords: add them with user(…)");
      }
      ChdbEngine engine =
          ChdbEngine.open(
              library != null ? library : ChdbLibraryLocator.locate(),
              dataDir,
              timezone,
              maxQueryTime);
      try {
        return new EmbeddedClickHouse(
            engine,
            ClickHouseHttpServer.start(
                engine, host, port, allowedOrigins, new ClickHouseUsers(users)),
            closeOnShutdown);
      } catch (IOException | RuntimeException e) {
        engine.close();
        throw e;
      }
    }
  }
}
