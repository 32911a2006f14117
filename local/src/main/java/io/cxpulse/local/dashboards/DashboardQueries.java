package io.cxpulse.local.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cxpulse.local.dashboards.Dashboards.Dashboard;
import io.cxpulse.local.dashboards.Dashboards.Query;
import io.cxpulse.local.dashboards.Dashboards.Variable;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs the queries of the dashboards against ClickHouse's HTTP interface, as a read-only user,
 * after checking every variable value against the values the variable offers and expanding the SQL
 * with {@link GrafanaQuery}. Nothing but the dashboards' own queries ever runs: a caller names a
 * dashboard, a query of it, a time range and variable values, never SQL.
 *
 * <p>Why the values are checked: Grafana puts a variable's value into the SQL as text (quoted, for
 * {@code ${name:singlequote}}, or as it is, as the grain in a view's name), so a value that is not
 * one of the variable's options could change the statement.
 */
public final class DashboardQueries {

  /** How long a query variable's options are reused before they are read again. */
  static final Duration OPTIONS_TTL = Duration.ofSeconds(10);

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Dashboards dashboards;
  private final URI clickHouse;
  private final String authorization;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Map<String, CachedOptions> options = new ConcurrentHashMap<>();

  /** A column of a result: its name and ClickHouse type. */
  public record Column(String name, String type) {

    public boolean numeric() {
      String base = type.replaceFirst("^Nullable\\((.*)\\)$", "$1");
      return base.matches("U?Int\\d+|Float\\d+|Decimal.*|Bool");
    }

    public boolean time() {
      return type.replaceFirst("^Nullable\\((.*)\\)$", "$1").startsWith("DateTime");
    }

    public boolean text() {
      String base = type.replaceFirst("^Nullable\\((.*)\\)$", "$1");
      return base.equals("String") || base.startsWith("LowCardinality(");
    }
  }

  /**
   * A query's answer.
   *
   * @param sql the SQL that ran (variables and macros expanded)
   * @param columns the result's columns
   * @param rows the rows, values as JSON gives them (times as ISO-8601 text in UTC)
   */
  public record Result(String sql, List<Column> columns, List<List<JsonNode>> rows) {}

  private record CachedOptions(List<String> values, long readAtNanos) {}

  /**
   * @param dashboards the dashboards whose queries may run
   * @param clickHouseHttpUrl ClickHouse's HTTP interface, e.g. {@code http://127.0.0.1:8123/}
   * @param user a read-only user
   * @param password its password
   */
  public DashboardQueries(
      Dashboards dashboards, String clickHouseHttpUrl, String user, String password) {
    this.dashboards = dashboards;
    this.clickHouse =
        URI.create(clickHouseHttpUrl.endsWith("/") ? clickHouseHttpUrl : clickHouseHttpUrl + "/");
    this.authorization =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  public Dashboards dashboards() {
    return dashboards;
  }

  /**
   * Runs query {@code key} of dashboard {@code uid} for the range {@code from}–{@code to}, with
   * {@code maxDataPoints} as Grafana derives the interval from it, and the variable values {@code
   * selected} (a variable not given takes its dashboard's current value).
   *
   * @throws IllegalArgumentException for an unknown dashboard or query, or a variable value that is
   *     not one of the variable's options
   * @throws QueryFailedException when ClickHouse answers with an error
   */
  public Result run(
      String uid,
      String key,
      Instant from,
      Instant to,
      int maxDataPoints,
      Map<String, String> selected)
      throws IOException, InterruptedException {
    Dashboard dashboard = dashboard(uid);
    Query query =
        dashboard
            .query(key)
            .orElseThrow(() -> new IllegalArgumentException("dashboard " + uid + " has no " + key));
    GrafanaQuery.Request request =
        new GrafanaQuery.Request(
            from, to, GrafanaQuery.interval(from, to, maxDataPoints), values(dashboard, selected));
    return execute(GrafanaQuery.expand(query.rawSql(), request));
  }

  /** The values variable {@code name} of dashboard {@code uid} offers, in its order. */
  public List<String> options(String uid, String name) throws IOException, InterruptedException {
    Dashboard dashboard = dashboard(uid);
    Variable variable =
        dashboard
            .variable(name)
            .orElseThrow(
                () ->
                    new IllegalArgumentException("dashboard " + uid + " has no variable " + name));
    return options(dashboard, variable);
  }

  /** Every variable's value: the selected one, checked, else the dashboard's current one. */
  private Map<String, String> values(Dashboard dashboard, Map<String, String> selected)
      throws IOException, InterruptedException {
    for (String name : selected.keySet()) {
      if (dashboard.variable(name).isEmpty()) {
        throw new IllegalArgumentException(
            "dashboard " + dashboard.uid() + " has no variable " + name);
      }
    }
    Map<String, String> values = new HashMap<>();
    for (Variable variable : dashboard.variables()) {
      String value = selected.getOrDefault(variable.name(), variable.current());
      if (!options(dashboard, variable).contains(value)) {
        throw new IllegalArgumentException(
            "'" + value + "' is not a value of variable " + variable.name());
      }
      values.put(variable.name(), value);
    }
    return values;
  }

  private List<String> options(Dashboard dashboard, Variable variable)
      throws IOException, InterruptedException {
    if (!variable.fromQuery()) {
      return variable.customOptions();
    }
    String cacheKey = dashboard.uid() + "/" + variable.name();
    CachedOptions cached = options.get(cacheKey);
    if (cached != null && System.nanoTime() - cached.readAtNanos() < OPTIONS_TTL.toNanos()) {
      return cached.values();
    }
    // Variable queries use neither macros nor other variables (DashboardFilesTest checks it).
    Result result = execute(variable.query());
    List<String> values = new ArrayList<>();
    for (List<JsonNode> row : result.rows()) {
      values.add(row.get(0).asText());
    }
    options.put(cacheKey, new CachedOptions(List.copyOf(values), System.nanoTime()));
    return values;
  }

  private Dashboard dashboard(String uid) {
    return dashboards
        .get(uid)
        .orElseThrow(() -> new IllegalArgumentException("no dashboard " + uid));
  }

  /** Runs {@code sql} as the read-only user and reads its JSONCompact answer. */
  private Result execute(String sql) throws IOException, InterruptedException {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("default_format", "JSONCompact");
    // Times as ISO-8601 in UTC, which browsers read as they are; 64-bit integers as numbers.
    settings.put("date_time_output_format", "iso");
    settings.put("output_format_json_quote_64bit_integers", "0");
    StringBuilder query = new StringBuilder();
    settings.forEach(
        (name, value) ->
            query
                .append(query.isEmpty() ? "?" : "&")
                .append(name)
                .append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
    HttpResponse<byte[]> response =
        http.send(
            HttpRequest.newBuilder(clickHouse.resolve("/" + query))
                .timeout(REQUEST_TIMEOUT)
                .header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofString(sql, StandardCharsets.UTF_8))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    String body = new String(response.body(), StandardCharsets.UTF_8);
    if (response.statusCode() != 200) {
      throw new QueryFailedException(sql, body.strip());
    }
    JsonNode answer = JSON.readTree(body);
    List<Column> columns = new ArrayList<>();
    for (JsonNode column : answer.path("meta")) {
      columns.add(new Column(column.path("name").asText(), column.path("type").asText()));
    }
    List<List<JsonNode>> rows = new ArrayList<>();
    for (JsonNode row : answer.path("data")) {
      List<JsonNode> values = new ArrayList<>();
      row.forEach(values::add);
      rows.add(values);
    }
    return new Result(sql, List.copyOf(columns), rows);
  }

  /** ClickHouse refused or failed a dashboard query. */
  public static final class QueryFailedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String sql;

    QueryFailedException(String sql, String error) {
      super(error);
      this.sql = sql;
    }

    public String sql() {
      return sql;
    }
  }
}
