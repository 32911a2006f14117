package io.cxpulse.embedded.clickhouse;

import com.clickhouse.client.api.internal.CompressedBlockInputStream;
import com.clickhouse.client.api.internal.CompressedBlockOutputStream;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.InflaterInputStream;
import net.jpountz.lz4.LZ4Factory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ClickHouse's HTTP interface in front of a {@link ChdbEngine}, so that the unmodified ClickHouse
 * JDBC driver, curl and BI tools talk to the embedded engine as they talk to a ClickHouse server.
 *
 * <p>The JDK's HTTP server is enough here: requests are small in number, and the engine runs one
 * query at a time. What this class adds is the protocol: URL parameters as settings, the {@code
 * X-ClickHouse-*} headers the driver reads (error code, summary, time zone), the driver's LZ4 block
 * framing ({@code compress=1}, its default), HTTP gzip/deflate, {@code param_*} bound parameters,
 * sessions, and INSERT data passed to the engine through a file (see {@link InsertData}).
 *
 * <p>Each request without a {@code session_id} runs in a session of its own, as on a ClickHouse
 * server: a {@code SET} or {@code USE} from one request never reaches another.
 */
public final class ClickHouseHttpServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ClickHouseHttpServer.class);

  private static final String DEFAULT_FORMAT = "TabSeparated";
  private static final int SESSION_IS_LOCKED = 373;
  private static final int SESSION_NOT_FOUND = 372;
  private static final int UNKNOWN_SETTING = 115;
  private static final int ACCESS_DENIED = ClientSqlGuard.ACCESS_DENIED;
  private static final int AUTHENTICATION_FAILED = 516;
  private static final int LIMIT_EXCEEDED = 290;

  /**
   * The largest request body taken, as sent (compressed or not): 64 MiB. Far above what the jobs'
   * JDBC batches (kilobytes) and BI queries send; a bulk load larger than this should go in parts.
   */
  public static final long MAX_REQUEST_BODY_BYTES = 64L * 1024 * 1024;

  /**
   * The largest request body taken after decompression: 256 MiB. Without this bound, one 1 MB gzip
   * body that inflates to 1 GiB took the JVM to 23.6 GB of memory.
   */
  public static final long MAX_DECOMPRESSED_BODY_BYTES = 256L * 1024 * 1024;

  /** The longest client-sent text (an origin, a user name) echoed in an error message. */
  private static final int MAX_ECHOED_CHARS = 200;

  private static final int DEFAULT_SESSION_TIMEOUT_SECONDS = 60;

  /** The driver's own block size for LZ4 framing. */
  private static final int LZ4_BLOCK_SIZE = 1 << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The most connections open at once (the JDK server closes any beyond it as it accepts them), and
   * as many worker threads: the JDK's server reads a request's headers on a worker, so with fewer
   * workers than connections a few clients sending a byte every few seconds held every worker, and
   * every other query, {@code SELECT 1} included, waited 60 s.
   */
  public static final int MAX_CONNECTIONS = 64;

  /** The largest request line and headers taken, together: 64 KiB. */
  public static final int MAX_HEADER_BYTES = 64 * 1024;

  /**
   * The longest a client may take to send one request, headers and body: 30 s. A slow client is
   * disconnected then; the jobs' batches and BI queries arrive in milliseconds on loopback.
   */
  public static final int MAX_REQUEST_SECONDS = 30;

  /** How long a kept-alive connection may sit idle before the server closes it. */
  public static final int IDLE_CONNECTION_SECONDS = 30;

  static {
    // The JDK's server reads these once per JVM, when it first starts, so they are set before:
    // a value already given on the command line wins.
    // Without TCP_NODELAY a small response waits for the peer's delayed ACK: trivial queries took
    // ~48 ms instead of ~2 ms.
    setIfAbsent("sun.net.httpserver.nodelay", "true");
    setIfAbsent("jdk.httpserver.maxConnections", Integer.toString(MAX_CONNECTIONS));
    setIfAbsent("sun.net.httpserver.maxReqHeaderSize", Integer.toString(MAX_HEADER_BYTES));
    setIfAbsent("sun.net.httpserver.maxReqTime", Integer.toString(MAX_REQUEST_SECONDS));
    setIfAbsent("sun.net.httpserver.idleInterval", Integer.toString(IDLE_CONNECTION_SECONDS));
  }

  private static void setIfAbsent(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }

  private final ChdbEngine engine;
  private final HttpServer server;
  private final String host;
  private final ExecutorService workers;
  private final ScheduledExecutorService sessionReaper;
  private final Map<String, NamedSession> sessions = new ConcurrentHashMap<>();
  private final Path spoolDir;
  private final String serverVersion;
  private final Set<String> allowedOrigins;
  private final ClickHouseUsers users;

  private ClickHouseHttpServer(
      ChdbEngine engine,
      HttpServer server,
      String host,
      ExecutorService workers,
      String serverVersion,
      Set<String> allowedOrigins,
      ClickHouseUsers users)
      throws IOException {
    this.engine = engine;
    this.users = users;
    this.allowedOrigins = Set.copyOf(allowedOrigins);
    this.server = server;
    this.host = host;
    this.workers = workers;
    this.serverVersion = serverVersion;
    this.spoolDir = Files.createDirectories(engine.dataDir().resolve("http-spool"));
    this.sessionReaper =
        Executors.newSingleThreadScheduledExecutor(daemonThreads("clickhouse-http-sessions"));
  }

  /** Starts serving {@code engine} on {@code host:port} (port 0 picks a free one), to anyone. */
  public static ClickHouseHttpServer start(ChdbEngine engine, String host, int port)
      throws IOException {
    return start(engine, host, port, Set.of(), ClickHouseUsers.OPEN);
  }

  /**
   * Like {@link #start(ChdbEngine, String, int)}, to {@code users} only, answering browsers only
   * from {@code allowedOrigins} (e.g. {@code http://127.0.0.1:3000}, a dashboard page on another
   * port).
   *
   * <p>Why: a browser sends a cross-site {@code POST} with a {@code text/plain} body without any
   * CORS preflight, so without this check any web page the user visits could run SQL here, {@code
   * INSERT INTO FUNCTION file(…)} included. Browsers always name the page's origin in an {@code
   * Origin} header on such requests; curl, BI tools and the JDBC driver send none. So a request
   * with an {@code Origin} not in the list is refused with ClickHouse's ACCESS_DENIED (497) before
   * it reaches the engine, and preflights from it get no CORS headers.
   */
  public static ClickHouseHttpServer start(
      ChdbEngine engine, String host, int port, Set<String> allowedOrigins, ClickHouseUsers users)
      throws IOException {
    HttpServer http = HttpServer.create(new InetSocketAddress(host, port), MAX_CONNECTIONS);
    // Threads start as connections need them; the engine still runs one statement at a time.
    ExecutorService workers =
        Executors.newFixedThreadPool(MAX_CONNECTIONS, daemonThreads("clickhouse-http"));
    String version;
    try (ChdbEngine.Session session = engine.openSession()) {
      ChdbEngine.Result result = session.query("SELECT version()", "TabSeparated");
      version = new String(result.output(), StandardCharsets.UTF_8).trim();
    }
    ClickHouseHttpServer server =
        new ClickHouseHttpServer(engine, http, host, workers, version, allowedOrigins, users);
    http.createContext("/", server::handle);
    http.setExecutor(workers);
    http.start();
    server.sessionReaper.scheduleWithFixedDelay(server::expireSessions, 5, 5, TimeUnit.SECONDS);
    LOG.info(
        "ClickHouse {} HTTP interface listening on http://{}:{}/", version, host, server.port());
    return server;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /**
   * The host the server was asked to listen on, as given: {@code localhost} stays {@code localhost}
   * rather than the address it resolved to, so URLs built from it name what the user chose.
   */
  public String host() {
    return host;
  }

  private void handle(HttpExchange exchange) {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      String origin = exchange.getRequestHeaders().getFirst("Origin");
      if (origin != null) {
        if (!allowedOrigins.contains(origin)) {
          refuseOrigin(exchange, origin);
          return;
        }
        Headers cors = exchange.getResponseHeaders();
        cors.set("Access-Control-Allow-Origin", origin);
        cors.set("Vary", "Origin");
        if (method.equals("OPTIONS")) {
          cors.set("Access-Control-Allow-Methods", "GET, POST");
          cors.set(
              "Access-Control-Allow-Headers",
              "Authorization, Content-Type, X-ClickHouse-User, X-ClickHouse-Key,"
                  + " X-ClickHouse-Format, X-ClickHouse-Database, X-ClickHouse-Query-Id");
          cors.set("Access-Control-Max-Age", "600");
          send(exchange, 204, new byte[0]);
          return;
        }
      }
      if (path.equals("/ping") || path.equals("/replicas_status")) {
        respondText(exchange, 200, "Ok.\n");
        return;
      }
      if (!path.equals("/") && !path.equals("/query")) {
        respondText(exchange, 404, "There is no handle " + path + "\n\nUse / or /ping.\n");
        return;
      }
      if (method.equals("GET") && exchange.getRequestURI().getRawQuery() == null) {
        respondText(exchange, 200, "Ok.\n");
        return;
      }
      if (!method.equals("GET") && !method.equals("POST")) {
        respondText(exchange, 405, "Method " + method + " is not allowed\n");
        return;
      }
      serveQuery(exchange, method.equals("GET"));
    } catch (IOException | UncheckedIOException e) {
      // The client went away mid-response; nothing left to answer.
      LOG.debug("HTTP exchange failed: {}", e.toString());
    } catch (RuntimeException e) {
      LOG.warn("Unexpected failure serving an HTTP request", e);
    }
  }

  private void serveQuery(HttpExchange exchange, boolean readOnly) throws IOException {
    HttpQuery query = HttpQuery.parse(exchange.getRequestURI().getRawQuery());
    Headers requestHeaders = exchange.getRequestHeaders();
    String user = null;
    if (!users.isOpen()) {
      Credentials credentials = Credentials.of(requestHeaders, query);
      Optional<ClickHouseUsers.User> authenticated =
          users.authenticate(credentials.user(), credentials.password());
      if (authenticated.isEmpty()) {
        refuseCredentials(exchange, credentials.user());
        return;
      }
      user = authenticated.get().name();
      readOnly |= authenticated.get().readOnly();
    }
    String queryId =
        firstNonBlank(
            query.protocol("query_id"),
            requestHeaders.getFirst("X-ClickHouse-Query-Id"),
            UUID.randomUUID().toString());
    String format =
        firstNonBlank(
            requestHeaders.getFirst("X-ClickHouse-Format"),
            query.protocol("default_format"),
            DEFAULT_FORMAT);
    String database =
        firstNonBlank(
            requestHeaders.getFirst("X-ClickHouse-Database"), query.protocol("database"), null);

    byte[] body;
    try {
      body = readBody(exchange, query.isTrue("decompress"));
    } catch (BodyTooLargeException e) {
      exchange
          .getResponseHeaders()
          .set("X-ClickHouse-Exception-Code", Integer.toString(LIMIT_EXCEEDED));
      respondText(
          exchange,
          413,
          "Code: "
              + LIMIT_EXCEEDED
              + ". DB::Exception: "
              + e.getMessage()
              + ". (LIMIT_EXCEEDED)\n");
      return;
    }
    Statement statement = Statement.of(query.protocol("query"), body);

    Path dataFile = null;
    String clientSql = statement.sql();
    String sql = clientSql;
    if (statement.data() != null) {
      dataFile = Files.createTempFile(spoolDir, "insert-", ".data");
      Files.write(dataFile, statement.data());
      sql = statement.insert().fromInfile(escapeLiteral(dataFile.toString()));
    }
    try {
      ChdbEngine.Result result =
          execute(user, query, readOnly, database, new Sql(clientSql, sql), format);
      format = OutputFormat.effective(sql, format);
      if (result.failed()) {
        respondError(exchange, queryId, result);
        return;
      }
      respondResult(exchange, query, queryId, format, result);
    } finally {
      if (dataFile != null) {
        Files.deleteIfExists(dataFile);
      }
    }
  }

  /**
   * A statement as the client sent it (what {@link ClientSqlGuard} judges) and as the engine runs
   * it (with INSERT data read from the spool file).
   */
  private record Sql(String fromClient, String toRun) {}

  private ChdbEngine.Result execute(
      String user, HttpQuery query, boolean readOnly, String database, Sql sql, String format) {
    String sessionId = query.protocol("session_id");
    if (sessionId == null || sessionId.isBlank()) {
      try (ChdbEngine.Session session = engine.openSession()) {
        return runInSession(session, query, readOnly, database, sql, format);
      }
    }
    // Sessions belong to their user: a read-only user's session id must not reach a writer's
    // session, nor the other way round.
    String sessionKey = (user == null ? "" : user) + "\u0000" + sessionId;
    NamedSession named;
    if (query.isTrue("session_check")) {
      named = sessions.get(sessionKey);
      if (named == null) {
        return failure(
            SESSION_NOT_FOUND, "Session " + sessionId + " not found. (SESSION_NOT_FOUND)");
      }
    } else {
      named = sessions.computeIfAbsent(sessionKey, id -> new NamedSession(engine.openSession()));
    }
    named.timeoutSeconds = parseTimeout(query.protocol("session_timeout"));
    if (!named.lock.tryLock()) {
      return failure(
          SESSION_IS_LOCKED,
          "Session " + sessionId + " is locked by a concurrent client. (SESSION_IS_LOCKED)");
    }
    try {
      named.touch();
      ChdbEngine.Result result =
          runInSession(named.session, query, readOnly, database, sql, format);
      if (result.failed()) {
        // A failed query can leave partial output behind in its connection; a throwaway query
        // drains it so the session's next result is clean.
        named.session.query("SELECT 1", DEFAULT_FORMAT);
      }
      return result;
    } finally {
      named.lock.unlock();
    }
  }

  private ChdbEngine.Result runInSession(
      ChdbEngine.Session session,
      HttpQuery query,
      boolean readOnly,
      String database,
      Sql sql,
      String format) {
    Optional<ChdbEngine.Result> refused = ClientSqlGuard.check(session, sql.fromClient());
    if (refused.isPresent()) {
      return refused.get();
    }
    if (database != null) {
      ChdbEngine.Result use = session.query("USE " + quoteIdentifier(database), DEFAULT_FORMAT);
      if (use.failed()) {
        return use;
      }
    }
    for (Map.Entry<String, String> setting : query.settings().entrySet()) {
      String statement;
      try {
        statement = HttpQuery.setStatement(setting.getKey(), setting.getValue());
      } catch (IllegalArgumentException e) {
        return failure(UNKNOWN_SETTING, e.getMessage() + ". (UNKNOWN_SETTING)");
      }
      ChdbEngine.Result set = session.query(statement, DEFAULT_FORMAT);
      if (set.failed()) {
        return set;
      }
    }
    if (readOnly) {
      // As on a ClickHouse server, GET requests may read and change settings but not data.
      session.query("SET readonly = 2", DEFAULT_FORMAT);
    }
    return session.query(sql.toRun(), format, query.queryParameters());
  }

  private static ChdbEngine.Result failure(int code, String message) {
    return ChdbEngine.Result.failure("Code: " + code + ". DB::Exception: " + message);
  }

  /** A request body beyond {@link #MAX_REQUEST_BODY_BYTES} or its decompressed bound. */
  private static final class BodyTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    BodyTooLargeException(String message) {
      super(message);
    }
  }

  /**
   * Reads at most {@code limit} bytes of {@code in}, failing as soon as there is one more: the
   * bound holds while reading, so an oversized body is never held in memory.
   */
  private static byte[] readAtMost(InputStream in, long limit, String what) throws IOException {
    byte[] bytes = in.readNBytes((int) limit + 1);
    if (bytes.length > limit) {
      throw new BodyTooLargeException(
          "Request body " + what + " is larger than the maximum of " + limit + " bytes");
    }
    return bytes;
  }

  /** {@code in}, failing once more than {@code limit} bytes were read from it. */
  private static InputStream bounded(InputStream in, long limit) {
    return new java.io.FilterInputStream(in) {
      private long read;

      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          count(1);
        }
        return b;
      }

      @Override
      public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
          count(n);
        }
        return n;
      }

      private void count(int n) throws IOException {
        read += n;
        if (read > limit) {
          throw new BodyTooLargeException(
              "Request body as sent is larger than the maximum of " + limit + " bytes");
        }
      }
    };
  }

  private byte[] readBody(HttpExchange exchange, boolean clickHouseCompressed) throws IOException {
    InputStream in = bounded(exchange.getRequestBody(), MAX_REQUEST_BODY_BYTES);
    String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
    if (encoding != null) {
      switch (encoding.trim().toLowerCase(Locale.ROOT)) {
        case "gzip" -> in = new GZIPInputStream(in);
        case "deflate" -> in = new InflaterInputStream(in);
        case "identity", "" -> {}
        default -> throw new IOException("Unsupported Content-Encoding " + encoding);
      }
    }
    if (clickHouseCompressed) {
      in =
          new CompressedBlockInputStream(
              in, LZ4Factory.fastestInstance().fastDecompressor(), LZ4_BLOCK_SIZE);
    }
    return readAtMost(in, MAX_DECOMPRESSED_BODY_BYTES, "after decompression");
  }

  private void respondResult(
      HttpExchange exchange,
      HttpQuery query,
      String queryId,
      String format,
      ChdbEngine.Result result)
      throws IOException {
    Headers headers = exchange.getResponseHeaders();
    headers.set("X-ClickHouse-Query-Id", queryId);
    headers.set("X-ClickHouse-Format", format);
    headers.set("X-ClickHouse-Timezone", engine.timezone());
    headers.set("X-ClickHouse-Server-Display-Name", "cx-pulse-embedded");
    headers.set("X-ClickHouse-Summary", summary(result));
    headers.set("Content-Type", contentType(format));
    byte[] payload = result.output();
    if (query.isTrue("compress")) {
      ByteArrayOutputStream framed = new ByteArrayOutputStream(payload.length / 2 + 64);
      try (OutputStream lz4 =
          new CompressedBlockOutputStream.LZ4OutputStream(
              framed, LZ4Factory.fastestInstance().fastCompressor(), LZ4_BLOCK_SIZE)) {
        lz4.write(payload);
      }
      payload = framed.toByteArray();
    } else if (query.isTrue("enable_http_compression")) {
      payload = httpCompress(exchange, payload);
    }
    send(exchange, 200, payload);
  }

  private byte[] httpCompress(HttpExchange exchange, byte[] payload) throws IOException {
    String accepted = exchange.getRequestHeaders().getFirst("Accept-Encoding");
    if (accepted == null) {
      return payload;
    }
    String accept = accepted.toLowerCase(Locale.ROOT);
    ByteArrayOutputStream compressed = new ByteArrayOutputStream(payload.length / 2 + 64);
    if (accept.contains("gzip")) {
      try (OutputStream gzip = new GZIPOutputStream(compressed)) {
        gzip.write(payload);
      }
      exchange.getResponseHeaders().set("Content-Encoding", "gzip");
      return compressed.toByteArray();
    }
    if (accept.contains("deflate")) {
      try (OutputStream deflate = new DeflaterOutputStream(compressed)) {
        deflate.write(payload);
      }
      exchange.getResponseHeaders().set("Content-Encoding", "deflate");
      return compressed.toByteArray();
    }
    return payload;
  }

  private void respondError(HttpExchange exchange, String queryId, ChdbEngine.Result result)
      throws IOException {
    int code = result.errorCode();
    LOG.debug("Query {} failed with code {}", queryId, code);
    Headers headers = exchange.getResponseHeaders();
    headers.set("X-ClickHouse-Query-Id", queryId);
    headers.set("X-ClickHouse-Exception-Code", Integer.toString(code));
    headers.set("X-ClickHouse-Timezone", engine.timezone());
    headers.set("Content-Type", "text/plain; charset=UTF-8");
    String message = result.error().strip();
    if (!message.contains("(version ")) {
      message = message + " (version " + serverVersion + ")";
    }
    send(exchange, 500, (message + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The user and password of a request, from where ClickHouse's HTTP interface reads them, in its
   * order: HTTP Basic authentication (curl {@code -u}, the JDBC driver), the {@code
   * X-ClickHouse-User}/{@code X-ClickHouse-Key} headers, the {@code user}/{@code password} URL
   * parameters; without any, the user {@code default} with no password.
   */
  record Credentials(String user, String password) {
    static Credentials of(Headers headers, HttpQuery query) {
      String authorization = headers.getFirst("Authorization");
      if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
        try {
          String decoded =
              new String(
                  java.util.Base64.getDecoder().decode(authorization.substring(6).trim()),
                  StandardCharsets.UTF_8);
          int colon = decoded.indexOf(':');
          return colon < 0
              ? new Credentials(decoded, "")
              : new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1));
        } catch (IllegalArgumentException notBase64) {
          return new Credentials("", "");
        }
      }
      String user = headers.getFirst("X-ClickHouse-User");
      if (user != null) {
        String key = headers.getFirst("X-ClickHouse-Key");
        return new Credentials(user, key == null ? "" : key);
      }
      if (query.protocol("user") != null) {
        String password = query.protocol("password");
        return new Credentials(query.protocol("user"), password == null ? "" : password);
      }
      return new Credentials("default", "");
    }
  }

  private static String echoed(String clientText) {
    return clientText.length() <= MAX_ECHOED_CHARS
        ? clientText
        : clientText.substring(0, MAX_ECHOED_CHARS) + "…";
  }

  private static void refuseCredentials(HttpExchange exchange, String user) throws IOException {
    String shown = echoed(user);
    exchange
        .getResponseHeaders()
        .set("X-ClickHouse-Exception-Code", Integer.toString(AUTHENTICATION_FAILED));
    respondText(
        exchange,
        401,
        "Code: "
            + AUTHENTICATION_FAILED
            + ". DB::Exception: "
            + shown
            + ": Authentication failed: password is incorrect, or there is no user with such"
            + " name. (AUTHENTICATION_FAILED)\n");
  }

  private static void refuseOrigin(HttpExchange exchange, String origin) throws IOException {
    String shown = echoed(origin);
    LOG.warn("Refused a request from origin {} (not an allowed origin)", shown);
    exchange
        .getResponseHeaders()
        .set("X-ClickHouse-Exception-Code", Integer.toString(ACCESS_DENIED));
    respondText(
        exchange,
        403,
        "Code: "
            + ACCESS_DENIED
            + ". DB::Exception: Requests from web pages of origin "
            + shown
            + " are not allowed; only curl, BI tools, drivers and allowed origins may query this"
            + " server. (ACCESS_DENIED)\n");
  }

  private static void respondText(HttpExchange exchange, int status, String text)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=UTF-8");
    send(exchange, status, text.getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange exchange, int status, byte[] payload) throws IOException {
    boolean head = exchange.getRequestMethod().equals("HEAD");
    // The JDK server reads length 0 as "chunked"; -1 is its word for an empty body.
    exchange.sendResponseHeaders(status, payload.length == 0 || head ? -1 : payload.length);
    if (payload.length > 0 && !head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(payload);
      }
    }
  }

  private static String summary(ChdbEngine.Result result) {
    Map<String, String> summary = new LinkedHashMap<>();
    summary.put("read_rows", Long.toString(result.rowsRead()));
    summary.put("read_bytes", Long.toString(result.bytesRead()));
    summary.put("written_rows", Long.toString(result.rowsWritten()));
    summary.put("written_bytes", Long.toString(result.bytesWritten()));
    summary.put("total_rows_to_read", "0");
    summary.put("result_rows", Long.toString(result.resultRows()));
    summary.put("result_bytes", Long.toString(result.output().length));
    summary.put("elapsed_ns", Long.toString((long) (result.elapsedSeconds() * 1e9)));
    try {
      return JSON.writeValueAsString(summary);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String contentType(String format) {
    String f = format.toLowerCase(Locale.ROOT);
    if (f.startsWith("json")) {
      return "application/json; charset=UTF-8";
    }
    if (f.startsWith("tabseparated") || f.startsWith("tsv")) {
      return "text/tab-separated-values; charset=UTF-8";
    }
    if (f.startsWith("csv")) {
      return "text/csv; charset=UTF-8";
    }
    if (f.startsWith("rowbinary")
        || f.startsWith("native")
        || f.startsWith("parquet")
        || f.startsWith("arrow")) {
      return "application/octet-stream";
    }
    return "text/plain; charset=UTF-8";
  }

  private void expireSessions() {
    long now = System.nanoTime();
    sessions.forEach(
        (id, named) -> {
          if (now - named.lastUsedNanos > TimeUnit.SECONDS.toNanos(named.timeoutSeconds)
              && named.lock.tryLock()) {
            try {
              if (sessions.remove(id, named)) {
                named.session.close();
                LOG.debug("Session {} expired", id);
              }
            } finally {
              named.lock.unlock();
            }
          }
        });
  }

  /** Stops accepting requests, lets running ones finish (up to 5 s), then closes sessions. */
  @Override
  public void close() {
    server.stop(1);
    workers.shutdown();
    sessionReaper.shutdownNow();
    try {
      if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warn("HTTP workers still busy after 5 s; closing sessions anyway");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sessions.values().forEach(named -> named.session.close());
    sessions.clear();
    LOG.info("ClickHouse HTTP interface on port {} stopped", port());
  }

  private static int parseTimeout(String value) {
    if (value == null || value.isBlank()) {
      return DEFAULT_SESSION_TIMEOUT_SECONDS;
    }
    try {
      return Math.max(1, Integer.parseInt(value.trim()));
    } catch (NumberFormatException e) {
      return DEFAULT_SESSION_TIMEOUT_SECONDS;
    }
  }

  private static String quoteIdentifier(String identifier) {
    return "`" + identifier.replace("\\", "\\\\").replace("`", "\\`") + "`";
  }

  private static String escapeLiteral(String value) {
    return value.replace("\\", "\\\\").replace("'", "\\'");
  }

  private static String firstNonBlank(String a, String b, String fallback) {
    if (a != null && !a.isBlank()) {
      return a;
    }
    if (b != null && !b.isBlank()) {
      return b;
    }
    return fallback;
  }

  private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
    AtomicInteger counter = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + counter.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** A client-named session ({@code session_id}): settings and database persist across calls. */
  private static final class NamedSession {
    final ChdbEngine.Session session;
    final ReentrantLock lock = new ReentrantLock();
    volatile long lastUsedNanos = System.nanoTime();
    volatile int timeoutSeconds = DEFAULT_SESSION_TIMEOUT_SECONDS;

    NamedSession(ChdbEngine.Session session) {
      this.session = session;
    }

    void touch() {
      lastUsedNanos = System.nanoTime();
    }
  }

  /**
   * What a request asks the engine to run: the SQL, and for {@code INSERT … FORMAT} the data that
   * must reach the engine through a file.
   */
  record Statement(String sql, InsertData insert, byte[] data) {

    /**
     * ClickHouse's rules: with a {@code query} URL parameter the body continues the query, and for
     * an INSERT with a FORMAT clause the body is the data; without it, the body is the query, and
     * anything after an INSERT's FORMAT clause is the data.
     */
    static Statement of(String queryParameter, byte[] body) {
      if (queryParameter != null) {
        Optional<InsertData.Split> split = InsertData.parse(queryParameter);
        if (split.isPresent() && queryParameter.substring(split.get().dataOffset()).isBlank()) {
          return new Statement(queryParameter, split.get().insert(), body);
        }
        if (body.length == 0) {
          return fromBytes(queryParameter.getBytes(StandardCharsets.UTF_8));
        }
        byte[] head = (queryParameter + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] joined = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, joined, head.length, body.length);
        return fromBytes(joined);
      }
      return fromBytes(body);
    }

    private static Statement fromBytes(byte[] request) {
      // Latin-1 maps each byte to one char, so match offsets are byte offsets and binary data
      // after the FORMAT clause is sliced from the request untouched.
      Optional<InsertData.Split> split =
          InsertData.parse(new String(request, StandardCharsets.ISO_8859_1));
      if (split.isEmpty()) {
        return new Statement(new String(request, StandardCharsets.UTF_8), null, null);
      }
      int offset = split.get().dataOffset();
      InsertData latin1 = split.get().insert();
      InsertData insert =
          new InsertData(utf8(latin1.target()), utf8(latin1.settings()), latin1.format());
      return new Statement(
          new String(request, 0, offset, StandardCharsets.UTF_8),
          insert,
          Arrays.copyOfRange(request, offset, request.length));
    }

    private static String utf8(String latin1) {
      return new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }
  }
}
