package io.cxpulse.local.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cxpulse.local.dashboards.Dashboards.Dashboard;
import io.cxpulse.local.dashboards.Dashboards.Query;
import io.cxpulse.local.dashboards.Dashboards.Variable;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard files of {@code dashboards/json/}, checked as Grafana and local mode read them:
 * unique ids, every data source reference resolving to the provisioned data source, every variable
 * a query uses defined (and every defined one used), only the plugin's macros, only panel types
 * local mode draws, panels inside the 24-column grid without overlapping, and every query
 * expandable with the variables' defaults. {@code LiveLocalModeITCase} runs the queries.
 */
class DashboardFilesTest {

  private static final Path REPO_DIR =
      Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
          .toAbsolutePath()
          .getParent();
  private static final Set<String> PANEL_TYPES = Set.of("timeseries", "stat", "table", "barchart");
  private static final Pattern VARIABLE_USE =
      Pattern.compile("\\$\\{(\\w+)(?::\\w+)?}|\\[\\[(\\w+)(?::\\w+)?]]|\\$(\\w+)");

  private static Dashboards dashboards;
  private static JsonNode datasource;

  @BeforeAll
  static void read() throws Exception {
    dashboards = Dashboards.fromDirectory(REPO_DIR.resolve("dashboards/json"));
    datasource =
        new ObjectMapper(new YAMLFactory())
            .readTree(
                REPO_DIR.resolve("dashboards/provisioning/datasources/clickhouse.yaml").toFile())
            .path("datasources")
            .get(0);
  }

  @Test
  void thereAreTheFourDashboardsWithUniqueUidsAndTitles() {
    assertThat(dashboards.all())
        .extracting(Dashboard::uid)
        .containsExactlyInAnyOrder("cx-scores", "cx-checkout", "cx-support", "cx-operations")
        .doesNotHaveDuplicates();
    assertThat(dashboards.all()).extracting(Dashboard::title).doesNotHaveDuplicates();
  }

  @Test
  void panelIdsAreUniqueAndPanelsFitTheGridWithoutOverlapping() {
    for (Dashboard dashboard : dashboards.all()) {
      Set<Integer> ids = new HashSet<>();
      Set<String> cells = new HashSet<>();
      for (JsonNode panel : dashboard.json().path("panels")) {
        assertThat(ids.add(panel.path("id").asInt()))
            .as("%s panel id %s", dashboard.uid(), panel.path("id"))
            .isTrue();
        assertThat(PANEL_TYPES)
            .as("%s panel type", dashboard.uid())
            .contains(panel.path("type").asText());
        JsonNode grid = panel.path("gridPos");
        int x = grid.path("x").asInt();
        int w = grid.path("w").asInt();
        assertThat(x + w)
            .as("%s panel %s inside 24 columns", dashboard.uid(), panel.path("id"))
            .isLessThanOrEqualTo(24);
        for (int cx = x; cx < x + w; cx++) {
          for (int cy = grid.path("y").asInt();
              cy < grid.path("y").asInt() + grid.path("h").asInt();
              cy++) {
            assertThat(cells.add(cx + "," + cy))
                .as("%s panel %s overlaps at %s,%s", dashboard.uid(), panel.path("id"), cx, cy)
                .isTrue();
          }
        }
      }
      for (JsonNode annotation : dashboard.json().path("annotations").path("list")) {
        for (JsonNode id : annotation.path("filter").path("ids")) {
          assertThat(ids)
              .as(
                  "%s annotation %s shows on existing panels",
                  dashboard.uid(), annotation.path("name"))
              .contains(id.asInt());
        }
      }
    }
  }

  @Test
  void everyDataSourceReferenceIsTheProvisionedClickHouse() {
    String uid = datasource.path("uid").asText();
    assertThat(datasource.path("type").asText()).isEqualTo(Dashboards.DATASOURCE_TYPE);
    for (Dashboard dashboard : dashboards.all()) {
      List<JsonNode> references = new ArrayList<>();
      dashboard
          .json()
          .findParents("datasource")
          .forEach(parent -> references.add(parent.path("datasource")));
      assertThat(references).as(dashboard.uid()).isNotEmpty();
      for (JsonNode reference : references) {
        if (reference.path("type").asText().equals("grafana")) {
          continue; // Grafana's built-in annotations.
        }
        assertThat(reference.path("type").asText())
            .as("%s: %s", dashboard.uid(), reference)
            .isEqualTo(Dashboards.DATASOURCE_TYPE);
        assertThat(reference.path("uid").asText())
            .as("%s: %s", dashboard.uid(), reference)
            .isEqualTo(uid);
      }
    }
  }

  @Test
  void everyVariableUsedIsDefinedEveryDefinedOneUsedAndEveryDashboardHasTheRollupVariables() {
    for (Dashboard dashboard : dashboards.all()) {
      Set<String> defined = new HashSet<>();
      for (Variable variable : dashboard.variables()) {
        assertThat(defined.add(variable.name()))
            .as("%s variable %s", dashboard.uid(), variable.name())
            .isTrue();
        if (variable.fromQuery()) {
          assertThat(variable.query())
              .as("%s: variable queries use no variables or macros", dashboard.uid())
              .doesNotContain("$");
        } else {
          assertThat(variable.customOptions())
              .as("%s %s", dashboard.uid(), variable.name())
              .contains(variable.current());
        }
      }
      assertThat(defined).as(dashboard.uid()).contains("channel", "segment", "grain");
      Set<String> used = new HashSet<>();
      for (Query query : dashboard.queries()) {
        Matcher use = VARIABLE_USE.matcher(query.rawSql());
        while (use.find()) {
          String name =
              use.group(1) != null
                  ? use.group(1)
                  : use.group(2) != null ? use.group(2) : use.group(3);
          if (name.startsWith("__")) {
            continue; // A macro: checked by expanding below.
          }
          assertThat(defined)
              .as("%s %s uses $%s", dashboard.uid(), query.key(), name)
              .contains(name);
          used.add(name);
        }
      }
      assertThat(used).as("%s: variables no query uses", dashboard.uid()).containsAll(defined);
    }
  }

  @Test
  void everyQueryExpandsWithTheDefaultsToSqlWithoutMacrosOrVariables() {
    Instant to = Instant.parse("2026-01-01T00:00:00Z");
    Instant from = to.minus(Duration.ofHours(1));
    for (Dashboard dashboard : dashboards.all()) {
      Map<String, String> defaults = new HashMap<>();
      dashboard.variables().forEach(variable -> defaults.put(variable.name(), variable.current()));
      for (Query query : dashboard.queries()) {
        String sql =
            GrafanaQuery.expand(
                query.rawSql(),
                new GrafanaQuery.Request(
                    from, to, GrafanaQuery.interval(from, to, 1000), defaults));
        assertThat(sql)
            .as("%s %s", dashboard.uid(), query.key())
            .doesNotContain("$")
            .doesNotContain("[[");
      }
    }
  }
}
