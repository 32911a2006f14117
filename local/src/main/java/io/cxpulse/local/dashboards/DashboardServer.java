package io.cxpulse.local.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.cxpulse.local.dashboards.Dashboards.Dashboard;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local mode's dashboard page: the Grafana dashboards of {@code dashboards/json/}, drawn in the
 * browser with Apache ECharts (served from its WebJar, no CDN), their queries run by {@link
 * DashboardQueries} against the embedded ClickHouse as the read-only user.
 *
 * <p>What it exposes, and why that adds no way in: the page never holds a ClickHouse password and
 * never sends SQL. It asks for "query Q of dashboard D, over this range, with these variable
 * values"; the server checks every value against the variable's own options, expands the query and
 * runs it as {@code cx_reader} ({@code readonly = 2}). ClickHouse keeps refusing every request a
 * browser makes (it allows no origin), because the browser never talks to it. Every answer refuses
 * framing and other origins' scripts (a Content-Security-Policy of its own origin only), a request
 * whose {@code Host} is not the address the server listens on is refused (so a DNS name rebound to
 * loopback reaches nothing), and the query endpoint takes only a JSON {@code POST} from its own
 * origin, which no other page can send without a CORS preflight that this server never grants.
 */
public final class DashboardServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PAGE_RESOURCES = "io/cxpulse/local/dashboards/page/";
  private static final String ECHARTS =
      "META-INF/resources/webjars/echarts/" + echartsVersion() + "/dist/echarts.min.js";
  private static final int MAX_REQUEST_BYTES = 64 * 1024;

  private final HttpServer server;
  private final ExecutorService workers;
  private final DashboardQueries queries;
  private final String host;

  private DashboardServer(
      HttpServer server, ExecutorService workers, DashboardQueries queries, String host) {
    this.server = server;
    this.workers = workers;
    this.queries = queries;
    this.host = host;
  }

  /** Starts serving on {@code host}:{@code port} (0: any free port). */
  public static DashboardServer start(String host, int port, DashboardQueries queries)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
    // The engine runs one statement at a time; a few threads keep static files answering while a
    // query waits for it.
    ExecutorService workers =
        Executors.newFixedThreadPool(
            4,
            runnable -> {
              Thread thread = new Thread(runnable, "cx-pulse-dashboards");
              thread.setDaemon(true);
              return thread;
            });
    server.setExecutor(workers);
    DashboardServer dashboards = new DashboardServer(server, workers, queries, host);
    server.createContext("/", dashboards::handle);
    server.start();
    LOG.info("Dashboards at {}", dashboards.url());
    return dashboards;
  }

  /** The page's address, e.g. {@code http://127.0.0.1:3000/}. */
  public String url() {
    return "http://" + (host.equals("0.0.0.0") ? "127.0.0.1" : host) + ":" + port() + "/";
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    workers.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      securityHeaders(exchange);
      if (!hostAllowed(exchange)) {
        send(exchange, 403, "text/plain", "unknown host\n".getBytes(StandardCharsets.UTF_8));
        return;
      }
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      if (path.equals("/api/query")) {
        if (!method.equals("POST")) {
          send(exchange, 405, "text/plain", "POST only\n".getBytes(StandardCharsets.UTF_8));
        } else {
          query(exchange);
        }
        return;
      }
      if (!method.equals("GET") && !method.equals("HEAD")) {
        send(exchange, 405, "text/plain", "GET only\n".getBytes(StandardCharsets.UTF_8));
        return;
      }
      if (path.equals("/")) {
        exchange
            .getResponseHeaders()
            .set("Location", "/d/" + queries.dashboards().all().get(0).uid());
        send(exchange, 302, "text/plain", new byte[0]);
      } else if (path.startsWith("/d/")
          && queries.dashboards().get(path.substring(3)).isPresent()) {
        sendResource(exchange, PAGE_RESOURCES + "index.html", "text/html; charset=utf-8");
      } else if (path.equals("/api/dashboards")) {
        ArrayNode list = JSON.createArrayNode();
        for (Dashboard dashboard : queries.dashboards().all()) {
          list.addObject().put("uid", dashboard.uid()).put("title", dashboard.title());
        }
        sendJson(exchange, 200, list);
      } else if (path.startsWith("/api/dashboards/")) {
        var dashboard = queries.dashboards().get(path.substring("/api/dashboards/".length()));
        if (dashboard.isEmpty()) {
          sendJson(exchange, 404, error("no such dashboard"));
        } else {
          sendJson(exchange, 200, dashboard.get().json());
        }
      } else if (path.startsWith("/api/variables/")) {
        String[] parts = path.substring("/api/variables/".length()).split("/", 2);
        try {
          ArrayNode values = JSON.createArrayNode();
          queries.options(parts[0], parts.length > 1 ? parts[1] : "").forEach(values::add);
          sendJson(exchange, 200, values);
        } catch (IllegalArgumentException e) {
          sendJson(exchange, 404, error(e.getMessage()));
        }
      } else if (path.equals("/static/dashboard.js")) {
        sendResource(exchange, PAGE_RESOURCES + "dashboard.js", "text/javascript; charset=utf-8");
      } else if (path.equals("/static/dashboard.css")) {
        sendResource(exchange, PAGE_RESOURCES + "dashboard.css", "text/css; charset=utf-8");
      } else if (path.equals("/static/echarts.min.js")) {
        sendResource(exchange, ECHARTS, "text/javascript; charset=utf-8");
      } else {
        send(exchange, 404, "text/plain", "not found\n".getBytes(StandardCharsets.UTF_8));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("Dashboard request {} failed", exchange.getRequestURI(), e);
    }
  }

  /**
   * Runs one query of a dashboard: {@code {"dashboard": uid, "query": "panel-3", "from": ms, "to":
   * ms, "maxDataPoints": n, "variables": {"channel": "web", …}}}.
   */
  private void query(HttpExchange exchange) throws IOException, InterruptedException {
    String origin = exchange.getRequestHeaders().getFirst("Origin");
    String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
    if ((origin != null && !sameOrigin(exchange, origin))
        || contentType == null
        || !contentType.startsWith("application/json")) {
      sendJson(exchange, 403, error("only this page may run dashboard queries"));
      return;
    }
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readNBytes(MAX_REQUEST_BYTES + 1);
    }
    if (body.length > MAX_REQUEST_BYTES) {
      sendJson(exchange, 413, error("request too large"));
      return;
    }
    JsonNode request;
    try {
      request = JSON.readTree(body);
    } catch (IOException e) {
      sendJson(exchange, 400, error("not JSON"));
      return;
    }
    Map<String, String> variables = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = request.path("variables").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> variable = it.next();
      variables.put(variable.getKey(), variable.getValue().asText());
    }
    try {
      DashboardQueries.Result result =
          queries.run(
              request.path("dashboard").asText(),
              request.path("query").asText(),
              Instant.ofEpochMilli(request.path("from").asLong()),
              Instant.ofEpochMilli(request.path("to").asLong()),
              Math.max(1, request.path("maxDataPoints").asInt(1000)),
              variables);
      ObjectNode answer = JSON.createObjectNode();
      answer.put("sql", result.sql());
      ArrayNode columns = answer.putArray("columns");
      for (DashboardQueries.Column column : result.columns()) {
        columns.addObject().put("name", column.name()).put("type", column.type());
      }
      ArrayNode rows = answer.putArray("rows");
      for (List<JsonNode> row : result.rows()) {
        ArrayNode values = rows.addArray();
        row.forEach(values::add);
      }
      sendJson(exchange, 200, answer);
    } catch (IllegalArgumentException e) {
      sendJson(exchange, 400, error(e.getMessage()));
    } catch (DashboardQueries.QueryFailedException e) {
      sendJson(exchange, 502, error(e.getMessage()));
    }
  }

  /** The Host header names the address this server listens on (loopback by default). */
  private boolean hostAllowed(HttpExchange exchange) {
    String requested = exchange.getRequestHeaders().getFirst("Host");
    if (requested == null) {
      return false;
    }
    URI listening = URI.create(url());
    return requested.equals(listening.getHost() + ":" + listening.getPort())
        || (host.equals("0.0.0.0") && requested.endsWith(":" + port()));
  }

  private boolean sameOrigin(HttpExchange exchange, String origin) {
    return origin.equals("http://" + exchange.getRequestHeaders().getFirst("Host"));
  }

  private static void securityHeaders(HttpExchange exchange) {
    var headers = exchange.getResponseHeaders();
    headers.set(
        "Content-Security-Policy",
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:;"
            + " frame-ancestors 'none'; form-action 'none'; base-uri 'none'");
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("X-Frame-Options", "DENY");
    headers.set("Referrer-Policy", "no-referrer");
    headers.set("Cache-Control", "no-store");
  }

  private static ObjectNode error(String message) {
    return JSON.createObjectNode().put("error", message);
  }

  private static void sendJson(HttpExchange exchange, int status, JsonNode json)
      throws IOException {
    send(exchange, status, "application/json; charset=utf-8", JSON.writeValueAsBytes(json));
  }

  private static void sendResource(HttpExchange exchange, String resource, String contentType)
      throws IOException {
    try (InputStream in = DashboardServer.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        send(exchange, 404, "text/plain", "not found\n".getBytes(StandardCharsets.UTF_8));
        return;
      }
      send(exchange, 200, contentType, in.readAllBytes());
    }
  }

  private static void send(HttpExchange exchange, int status, String contentType, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** The ECharts WebJar's version, from its own Maven metadata on the classpath. */
  private static String echartsVersion() {
    String pom = "META-INF/maven/org.webjars.npm/echarts/pom.properties";
    try (InputStream in = DashboardServer.class.getClassLoader().getResourceAsStream(pom)) {
      if (in == null) {
        throw new IllegalStateException("the ECharts WebJar is not on the classpath");
      }
      java.util.Properties properties = new java.util.Properties();
      properties.load(in);
      return properties.getProperty("version");
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + pom, e);
    }
  }
}
