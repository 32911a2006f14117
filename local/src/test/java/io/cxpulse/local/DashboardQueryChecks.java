package io.cxpulse.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cxpulse.local.dashboards.DashboardQueries;
import io.cxpulse.local.dashboards.DashboardQueries.Column;
import io.cxpulse.local.dashboards.DashboardQueries.Result;
import io.cxpulse.local.dashboards.Dashboards;
import io.cxpulse.local.dashboards.Dashboards.Dashboard;
import io.cxpulse.local.dashboards.Dashboards.Query;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Every query of every dashboard in {@code dashboards/json/} (panels and annotations), expanded by
 * the same code as local mode's page ({@link DashboardQueries}, {@code GrafanaQuery}) for a few
 * realistic time ranges, grains and selections, runs against the embedded ClickHouse of a live
 * local mode ({@link LiveLocalModeITCase}) and must answer rows with the columns its panel type
 * needs: a time column first for time series, a category first for bar charts, a time and a text
 * for annotations, at least one number for charts and stats, each point once.
 *
 * <p>And no query may read an average of averages or a ratio from a rollup: in the rollup views
 * (those that count each row under 'all' as well, and the views over them) every derived column (a
 * {@code Nullable(Float64)}: percentages, scores, percentiles) is a ratio of sums, so an aggregate
 * function over one of them is refused, and every dimension of such a view must be pinned
 * (compared, or listed in {@code LIMIT … BY}), since the 'all' rows already hold the totals and
 * summing them with the other rows would count everything twice. What a rollup view and a derived
 * column is, is read from the engine, not listed here.
 */
abstract class DashboardQueryChecks {

  /** Longest wait, from the traffic's start, for a query's first row. */
  private static final Duration ROWS_WITHIN = Duration.ofMinutes(9);

  private static final Duration POLL = Duration.ofSeconds(5);

  /** Grafana's default maximum data points for a panel about 1,000 pixels wide. */
  private static final int MAX_DATA_POINTS = 1000;

  private static final List<String> DIMENSIONS =
      List.of("channel", "segment", "priority", "frt_bucket");

  private static final List<String> COMBINATORS =
      List.of("", "If", "OrNull", "OrDefault", "Array", "ForEach", "Distinct", "Merge", "State");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private DashboardQueries queries;
  private Rollups rollups;

  /**
   * A time range and selection to run every query with.
   *
   * @param name how reports name it
   * @param range the range, ending now
   * @param selected variable values by name, or by dashboard uid and name ({@code
   *     cx-support/channel}) for that dashboard alone; a dashboard without such a variable ignores
   *     it, and {@link #FIRST_VALUE} stands for the first value that is not the rollup 'all'
   */
  private record Scenario(String name, Duration range, Map<String, String> selected) {}

  private static final String FIRST_VALUE = "<first value>";

  /**
   * The scenarios. A channel with data in every panel of its dashboard: web has the incident's
   * alerts, while follow-up surveys (the driver split) come for tickets of the live channels only.
   */
  private static final List<Scenario> SCENARIOS =
      List.of(
          new Scenario(
              "last 15 minutes by minute, all", Duration.ofMinutes(15), Map.of("grain", "minute")),
          new Scenario(
              "last 6 hours by hour, channel web (support: chat)",
              Duration.ofHours(6),
              Map.of("grain", "hour", "channel", "web", "cx-support/channel", "chat")),
          new Scenario(
              "last 7 days by day, one segment and priority",
              Duration.ofDays(7),
              Map.of("grain", "day", "segment", FIRST_VALUE, "priority", FIRST_VALUE)));

  /** What the engine says about the views: which are rollups, their dimensions and ratios. */
  private record Rollups(
      Map<String, Set<String>> dimensions, Set<String> derived, Set<String> aggregates) {}

  @BeforeEach
  void connect() throws Exception {
    queries =
        new DashboardQueries(
            Dashboards.fromClasspath(),
            "http://127.0.0.1:" + LiveLocalModeITCase.clickHousePort + "/",
            LocalCredentials.READER,
            LiveLocalModeITCase.readerPassword());
    rollups = readRollups();
  }

  // One after another within the class (the class itself may run beside another).
  @Execution(ExecutionMode.SAME_THREAD)
  @TestFactory
  Stream<DynamicNode> everyQueryAnswersWhatItsPanelNeeds() {
    List<DynamicNode> nodes = new ArrayList<>();
    for (Dashboard dashboard : queries.dashboards().all()) {
      List<DynamicNode> perScenario = new ArrayList<>();
      for (Scenario scenario : SCENARIOS) {
        List<DynamicNode> tests = new ArrayList<>();
        for (Query query : dashboard.queries()) {
          tests.add(
              DynamicTest.dynamicTest(
                  query.key() + " " + query.kind() + " '" + query.title() + "'",
                  () -> check(dashboard, query, scenario)));
        }
        perScenario.add(DynamicContainer.dynamicContainer(scenario.name(), tests));
      }
      nodes.add(DynamicContainer.dynamicContainer(dashboard.uid(), perScenario));
    }
    return nodes.stream();
  }

  /** The rules are not vacuous: a query that breaks them is reported. */
  // One after another within the class (the class itself may run beside another).
  @Execution(ExecutionMode.SAME_THREAD)
  @Test
  void theRollupRulesRefuseAveragesOfAveragesAndUnpinnedRollups() {
    assertThat(
            rollupProblems(
                "SELECT bucket_start AS time, avg(csat_pct) AS csat FROM cx_survey_scores_minute"
                    + " WHERE channel = 'web' AND segment = 'all' GROUP BY time",
                Set.of()))
        .singleElement()
        .asString()
        .contains("aggregates derived column csat_pct");
    assertThat(
            rollupProblems(
                "SELECT bucket_start AS time, sum(csat_total) AS n FROM cx_survey_scores_hour"
                    + " WHERE channel = 'web' GROUP BY time",
                Set.of()))
        .singleElement()
        .asString()
        .contains("segment");
    assertThat(
            rollupProblems(
                "SELECT bucket_start AS time, channel, csat_pct FROM cx_survey_scores_hour WHERE"
                    + " segment = 'all'",
                Set.of("channel")))
        .isEmpty();
  }

  private void check(Dashboard dashboard, Query query, Scenario scenario) throws Exception {
    Map<String, String> selected = new HashMap<>();
    Map<String, String> wanted = new HashMap<>();
    scenario
        .selected()
        .forEach(
            (name, value) -> {
              if (!name.contains("/")) {
                wanted.put(name, value);
              }
            });
    scenario
        .selected()
        .forEach(
            (name, value) -> {
              if (name.startsWith(dashboard.uid() + "/")) {
                wanted.put(name.substring(name.indexOf('/') + 1), value);
              }
            });
    for (Map.Entry<String, String> entry : wanted.entrySet()) {
      if (dashboard.variable(entry.getKey()).isEmpty()) {
        continue;
      }
      String value = entry.getValue();
      if (value.equals(FIRST_VALUE)) {
        List<String> options = queries.options(dashboard.uid(), entry.getKey());
        value = options.stream().filter(option -> !option.equals("all")).findFirst().orElse("all");
      }
      selected.put(entry.getKey(), value);
    }
    long deadline = LiveLocalModeITCase.trafficStart + ROWS_WITHIN.toNanos();
    while (true) {
      Instant to = Instant.now();
      Result result =
          queries.run(
              dashboard.uid(),
              query.key(),
              to.minus(scenario.range()),
              to,
              MAX_DATA_POINTS,
              selected);
      assertThat(rollupProblems(result.sql(), labels(result)))
          .as("rollup rules of\n%s", result.sql())
          .isEmpty();
      checkColumns(query.kind(), result);
      if (!result.rows().isEmpty()) {
        checkEachPointOnce(query.kind(), result);
        return;
      }
      if (System.nanoTime() > deadline) {
        fail(
            "no rows within %s of the traffic's start, selection %s:%n%s",
            ROWS_WITHIN, selected, result.sql());
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  private static void checkColumns(String kind, Result result) {
    List<Column> columns = result.columns();
    String described = columns + " of\n" + result.sql();
    assertThat(columns).as(described).isNotEmpty();
    switch (kind) {
      case "timeseries" -> {
        assertThat(columns.get(0).time()).as("time column first: %s", described).isTrue();
        assertThat(columns.stream().skip(1).filter(Column::numeric))
            .as("a number: %s", described)
            .isNotEmpty();
        assertThat(columns.stream().skip(1).allMatch(c -> c.numeric() || c.text()))
            .as("numbers and labels after the time: %s", described)
            .isTrue();
      }
      case "stat" -> {
        assertThat(columns.stream().filter(Column::numeric))
            .as("a number: %s", described)
            .isNotEmpty();
        if (columns.get(0).time()) {
          assertThat(columns.stream().skip(1).allMatch(c -> c.numeric() || c.text()))
              .as(described)
              .isTrue();
        }
      }
      case "barchart" -> {
        assertThat(columns.get(0).text()).as("a category first: %s", described).isTrue();
        assertThat(columns.stream().skip(1).filter(Column::numeric))
            .as("a number: %s", described)
            .isNotEmpty();
      }
      case "table" -> {
        // Any columns.
      }
      case "annotation" -> {
        Map<String, Column> byName = new LinkedHashMap<>();
        columns.forEach(column -> byName.put(column.name(), column));
        assertThat(byName.get("time")).as("time: %s", described).isNotNull().matches(Column::time);
        assertThat(byName.get("text")).as("text: %s", described).isNotNull().matches(Column::text);
        if (byName.containsKey("timeEnd")) {
          assertThat(byName.get("timeEnd").time()).as(described).isTrue();
        }
      }
      default -> fail("panel type %s is not one local mode draws", kind);
    }
  }

  /** A point of a series (time and labels) or a bar's category comes once, else two rows mix. */
  private static void checkEachPointOnce(String kind, Result result) {
    List<Column> columns = result.columns();
    boolean series = (kind.equals("timeseries") || kind.equals("stat")) && columns.get(0).time();
    if (!series && !kind.equals("barchart")) {
      return;
    }
    Set<List<String>> seen = new HashSet<>();
    for (List<JsonNode> row : result.rows()) {
      List<String> key = new ArrayList<>();
      for (int i = 0; i < columns.size(); i++) {
        if (i == 0 || (series && columns.get(i).text())) {
          key.add(row.get(i).asText());
        }
      }
      assertThat(seen.add(key))
          .as("%s comes twice in the answer to%n%s", key, result.sql())
          .isTrue();
    }
  }

  /** The text columns of a chart's answer after its first: each value is a series of its own. */
  private static Set<String> labels(Result result) {
    Set<String> labels = new HashSet<>();
    if (!result.columns().isEmpty() && result.columns().get(0).time()) {
      result.columns().stream().skip(1).filter(Column::text).forEach(c -> labels.add(c.name()));
    }
    return labels;
  }

  /**
   * What in {@code sql} breaks the rollup rules (see the class comment); empty when nothing. A
   * dimension is pinned when it is compared, listed in {@code LIMIT … BY}, or returned as a series
   * label ({@code labels}): then every value, 'all' included, is a series of its own, and each
   * point comes once ({@link #checkEachPointOnce}).
   */
  private List<String> rollupProblems(String sql, Set<String> labels) {
    List<String> problems = new ArrayList<>();
    String flat = sql.replaceAll("\\s+", " ");
    Set<String> limitBy = new HashSet<>();
    Matcher limit = Pattern.compile("(?i)LIMIT \\d+ BY ([\\w ,]+)").matcher(flat);
    while (limit.find()) {
      for (String column : limit.group(1).split(",")) {
        limitBy.add(column.strip());
      }
    }
    for (Map.Entry<String, Set<String>> view : rollups.dimensions().entrySet()) {
      if (!Pattern.compile("\\b" + view.getKey() + "\\b").matcher(flat).find()) {
        continue;
      }
      for (String dimension : view.getValue()) {
        boolean compared =
            Pattern.compile("(?i)\\b" + dimension + "\\s*(=|!=|<>|IN\\b)").matcher(flat).find();
        if (!compared && !limitBy.contains(dimension) && !labels.contains(dimension)) {
          problems.add("reads rollup view " + view.getKey() + " without pinning " + dimension);
        }
      }
    }
    Matcher call = Pattern.compile("\\b([A-Za-z_]\\w*)\\s*\\(").matcher(flat);
    while (call.find()) {
      if (!isAggregate(call.group(1))) {
        continue;
      }
      String arguments = arguments(flat, call.end());
      for (String column : rollups.derived()) {
        if (Pattern.compile("\\b" + column + "\\b").matcher(arguments).find()) {
          problems.add(call.group(1) + "(…) aggregates derived column " + column + ", a ratio");
        }
      }
    }
    return problems;
  }

  private boolean isAggregate(String function) {
    for (String combinator : COMBINATORS) {
      if (function.endsWith(combinator)
          && rollups
              .aggregates()
              .contains(
                  function
                      .substring(0, function.length() - combinator.length())
                      .toLowerCase(Locale.ROOT))) {
        return true;
      }
    }
    return false;
  }

  /** The text between the parenthesis before {@code start} and its closing one. */
  private static String arguments(String sql, int start) {
    int depth = 1;
    for (int i = start; i < sql.length(); i++) {
      char c = sql.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')' && --depth == 0) {
        return sql.substring(start, i);
      }
    }
    return sql.substring(start);
  }

  /** A row counted under its own value and under 'all': {@code ARRAY JOIN [w.channel, 'all']}. */
  private static final Pattern ROLLUP_ARRAY_JOIN =
      Pattern.compile("ARRAY JOIN\\s*\\[[^\\]]*'all'\\s*\\]");

  /**
   * The rollup views: those whose definition groups by {@code GROUPING SETS} or counts each row
   * under 'all' as well ({@link #ROLLUP_ARRAY_JOIN}), and every view that reads one; with their
   * dimensions (of channel, segment, priority, frt_bucket), their derived columns ({@code
   * Nullable(Float64)}) and the engine's aggregate functions.
   */
  private static Rollups readRollups() throws Exception {
    Map<String, String> definitions = new HashMap<>();
    for (List<String> row :
        select(
            "SELECT name, create_table_query FROM system.tables WHERE database = currentDatabase()"
                + " AND engine = 'View'")) {
      definitions.put(row.get(0), row.get(1));
    }
    Set<String> rollupViews = new HashSet<>();
    definitions.forEach(
        (name, definition) -> {
          if (definition.contains("GROUPING SETS")
              || ROLLUP_ARRAY_JOIN.matcher(definition).find()) {
            rollupViews.add(name);
          }
        });
    boolean grew = true;
    while (grew) {
      grew = false;
      for (Map.Entry<String, String> view : definitions.entrySet()) {
        if (!rollupViews.contains(view.getKey())
            && rollupViews.stream()
                .anyMatch(
                    r -> Pattern.compile("\\b" + r + "\\b").matcher(view.getValue()).find())) {
          rollupViews.add(view.getKey());
          grew = true;
        }
      }
    }
    Map<String, Set<String>> dimensions = new HashMap<>();
    Set<String> derived = new HashSet<>();
    for (List<String> row :
        select("SELECT table, name, type FROM system.columns WHERE database = currentDatabase()")) {
      if (!rollupViews.contains(row.get(0))) {
        continue;
      }
      if (DIMENSIONS.contains(row.get(1))) {
        dimensions.computeIfAbsent(row.get(0), view -> new HashSet<>()).add(row.get(1));
      }
      if (row.get(2).equals("Nullable(Float64)")) {
        derived.add(row.get(1));
      }
    }
    // A parameterised view lists no columns: it has the dimensions of the views that read it.
    for (String view : rollupViews) {
      if (!dimensions.containsKey(view)) {
        Pattern reads = Pattern.compile("\\b" + view + "\\b");
        definitions.entrySet().stream()
            .filter(other -> dimensions.containsKey(other.getKey()))
            .filter(other -> reads.matcher(other.getValue()).find())
            .findFirst()
            .ifPresent(other -> dimensions.put(view, dimensions.get(other.getKey())));
      }
    }
    Set<String> aggregates = new HashSet<>();
    for (List<String> row : select("SELECT lower(name) FROM system.functions WHERE is_aggregate")) {
      aggregates.add(row.get(0));
    }
    // Parameterised views list no columns: their named views (_minute, …) stand for them.
    assertThat(dimensions)
        .as("rollup views")
        .containsKeys("cx_survey_scores_minute", "cx_driver_split", "cx_driver_split_between");
    assertThat(derived)
        .as("derived columns")
        .contains("csat_pct", "abandonment_pct", "first_response_p90_ms");
    return new Rollups(dimensions, derived, aggregates);
  }

  /** {@code sql} as {@code cx_reader}, rows of text. */
  private static List<List<String>> select(String sql) throws Exception {
    String reader = LocalCredentials.READER + ":" + LiveLocalModeITCase.readerPassword();
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:"
                            + LiveLocalModeITCase.clickHousePort
                            + "/?default_format=JSONCompact"))
                .timeout(LiveLocalModeITCase.REQUEST_TIMEOUT)
                .header(
                    "Authorization",
                    "Basic "
                        + Base64.getEncoder()
                            .encodeToString(reader.getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(sql))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    List<List<String>> rows = new ArrayList<>();
    for (JsonNode row : JSON.readTree(response.body()).path("data")) {
      List<String> values = new ArrayList<>();
      row.forEach(value -> values.add(value.asText()));
      rows.add(values);
    }
    return rows;
  }
}
