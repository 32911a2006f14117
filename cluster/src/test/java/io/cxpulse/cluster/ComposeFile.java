package io.cxpulse.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What docker-compose.yml runs, read from the file so that the cluster tests submit the jobs and
 * configure Flink exactly as it does: a compose file that drifts from what works fails them. Only
 * the addresses (service names and container paths) are replaced by this machine's.
 */
final class ComposeFile {

  private final JsonNode root;
  private final JsonNode services;

  private ComposeFile(JsonNode root) {
    this.root = root;
    this.services = root.path("services");
  }

  static ComposeFile read() throws IOException {
    Path file = Path.of(System.getProperty("cxpulse.composeFile"));
    return new ComposeFile(new ObjectMapper(new YAMLFactory()).readTree(file.toFile()));
  }

  /** The Flink settings every Flink service gets ({@code x-flink-config}'s FLINK_PROPERTIES). */
  Map<String, String> flinkProperties() throws IOException {
    String properties = root.path("x-flink-config").path("FLINK_PROPERTIES").asText();
    assertThat(properties).as("x-flink-config.FLINK_PROPERTIES").isNotBlank();
    Map<String, String> settings = new LinkedHashMap<>();
    new ObjectMapper(new YAMLFactory())
        .readTree(properties)
        .properties()
        .forEach(entry -> settings.put(entry.getKey(), entry.getValue().asText()));
    return settings;
  }

  /**
   * The service's entrypoint followed by its command, with every address replaced as {@code
   * addresses} says (e.g. {@code kafka:29092} → {@code 127.0.0.1:41234}); fails if a replaced word
   * names a compose service that is not replaced.
   */
  List<String> commandLine(String service, Map<String, String> addresses) {
    JsonNode definition = services.path(service);
    assertThat(definition.isObject()).as("service %s in docker-compose.yml", service).isTrue();
    List<String> words = new ArrayList<>();
    definition.path("entrypoint").forEach(word -> words.add(word.asText()));
    definition.path("command").forEach(word -> words.add(word.asText()));
    List<String> replaced = new ArrayList<>();
    for (String word : words) {
      for (Map.Entry<String, String> address : addresses.entrySet()) {
        word = word.replace(address.getKey(), address.getValue());
      }
      replaced.add(word);
    }
    List<String> names = new ArrayList<>();
    services.fieldNames().forEachRemaining(names::add);
    for (String word : replaced) {
      assertThat(names)
          .as("a compose address left in %s's %s", service, word)
          .noneMatch(
              name ->
                  word.startsWith(name + ":")
                      || word.contains("//" + name + ":")
                      || word.contains("=" + name + ":"));
    }
    return replaced;
  }

  /** The value of the environment variable {@code name} that the service gets without overrides. */
  String environmentDefault(String service, String name) {
    String value = services.path(service).path("environment").path(name).asText();
    // ${NAME:-default} → default
    int dash = value.indexOf(":-");
    return dash < 0 ? value : value.substring(dash + 2, value.length() - 1);
  }

  static List<String> words(String text) {
    return Arrays.asList(text.strip().split(" +"));
  }
}
