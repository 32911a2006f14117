package io.cxpulse.local.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The Grafana dashboards of {@code dashboards/json/}, read from the JSON files Grafana provisions,
 * as local mode's page and the tests use them: their variables, panels and annotation queries. The
 * files are the one definition of every panel and query; local mode finds them on its classpath
 * (the local module packages the folder as the resource folder {@value #RESOURCE_FOLDER}).
 */
public final class Dashboards {

  /** Where the dashboard files are on the classpath. */
  public static final String RESOURCE_FOLDER = "dashboards/json";

  /** The data source every query names: the provisioned ClickHouse data source. */
  public static final String DATASOURCE_TYPE = "grafana-clickhouse-datasource";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Dashboard> byUid;

  private Dashboards(List<Dashboard> dashboards) {
    Map<String, Dashboard> map = new LinkedHashMap<>();
    for (Dashboard dashboard : dashboards) {
      if (map.put(dashboard.uid(), dashboard) != null) {
        throw new IllegalArgumentException("two dashboards have the uid " + dashboard.uid());
      }
    }
    this.byUid = map;
  }

  /** A dashboard variable, with what values it may take. */
  public record Variable(
      String name, String type, String query, List<String> customOptions, String current) {

    /** Whether its values come from a query (else they are listed in the dashboard). */
    public boolean fromQuery() {
      return type.equals("query");
    }
  }

  /**
   * One query of a dashboard: a panel's or an annotation's.
   *
   * @param key how the page names it: {@code panel-ID} or {@code annotation-INDEX}
   * @param kind the panel type ({@code timeseries}, {@code stat}, {@code table}, {@code barchart})
   *     or {@code annotation}
   * @param title the panel's title or the annotation's name
   * @param rawSql the SQL as the file holds it
   */
  public record Query(String key, String kind, String title, String rawSql) {}

  /** A dashboard: its file, as parsed, and what this code reads of it. */
  public record Dashboard(
      String uid,
      String title,
      String fileName,
      JsonNode json,
      List<Variable> variables,
      List<Query> queries) {

    public Optional<Query> query(String key) {
      return queries.stream().filter(query -> query.key().equals(key)).findFirst();
    }

    public Optional<Variable> variable(String name) {
      return variables.stream().filter(variable -> variable.name().equals(name)).findFirst();
    }
  }

  /** The dashboards on the classpath, in file name order. */
  public static Dashboards fromClasspath() {
    URL folder = Dashboards.class.getClassLoader().getResource(RESOURCE_FOLDER);
    if (folder == null) {
      throw new IllegalStateException("no " + RESOURCE_FOLDER + " on the classpath");
    }
    try {
      URI uri = folder.toURI();
      if (uri.getScheme().equals("jar")) {
        FileSystem jar;
        try {
          jar = FileSystems.getFileSystem(uri);
        } catch (FileSystemNotFoundException notOpen) {
          jar = FileSystems.newFileSystem(uri, Map.of());
        }
        return fromDirectory(jar.provider().getPath(uri));
      }
      return fromDirectory(Path.of(uri));
    } catch (URISyntaxException | IOException e) {
      throw new IllegalStateException("cannot list " + folder, e);
    }
  }

  /** The dashboards of {@code directory} (every {@code *.json}), in file name order. */
  public static Dashboards fromDirectory(Path directory) {
    List<Dashboard> dashboards = new ArrayList<>();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file :
          files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList()) {
        try (InputStream in = Files.newInputStream(file)) {
          dashboards.add(parse(file.getFileName().toString(), JSON.readTree(in)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the dashboards in " + directory, e);
    }
    if (dashboards.isEmpty()) {
      throw new IllegalStateException("no dashboard in " + directory);
    }
    return new Dashboards(dashboards);
  }

  public List<Dashboard> all() {
    return List.copyOf(byUid.values());
  }

  public Optional<Dashboard> get(String uid) {
    return Optional.ofNullable(byUid.get(uid));
  }

  static Dashboard parse(String fileName, JsonNode json) {
    List<Variable> variables = new ArrayList<>();
    for (JsonNode variable : json.path("templating").path("list")) {
      String type = variable.path("type").asText();
      List<String> options =
          type.equals("custom")
              ? Arrays.stream(variable.path("query").asText().split(","))
                  .map(String::strip)
                  .toList()
              : List.of();
      variables.add(
          new Variable(
              variable.path("name").asText(),
              type,
              type.equals("query") ? variable.path("query").asText() : null,
              options,
              variable.path("current").path("value").asText()));
    }
    List<Query> queries = new ArrayList<>();
    for (JsonNode panel : json.path("panels")) {
      JsonNode targets = panel.path("targets");
      if (targets.size() != 1) {
        throw new IllegalArgumentException(
            fileName + ": panel " + panel.path("id") + " must have exactly one query");
      }
      queries.add(
          new Query(
              "panel-" + panel.path("id").asInt(),
              panel.path("type").asText(),
              panel.path("title").asText(),
              targets.get(0).path("rawSql").asText()));
    }
    JsonNode annotations = json.path("annotations").path("list");
    for (int i = 0; i < annotations.size(); i++) {
      JsonNode annotation = annotations.get(i);
      if (annotation.path("builtIn").asInt() == 1) {
        continue;
      }
      queries.add(
          new Query(
              "annotation-" + i,
              "annotation",
              annotation.path("name").asText(),
              annotation.path("target").path("rawSql").asText()));
    }
    return new Dashboard(
        json.path("uid").asText(),
        json.path("title").asText(),
        fileName,
        json,
        List.copyOf(variables),
        List.copyOf(queries));
  }
}
