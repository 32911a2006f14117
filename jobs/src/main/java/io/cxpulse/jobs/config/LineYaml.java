package io.cxpulse.jobs.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A YAML document as a small tree that keeps the line of every key and value, for configuration
 * files whose every mistake must name its line (the alert rules, the SLA targets).
 *
 * <p>Why not Jackson's {@code JsonNode} or a data-binding mapper: neither keeps where a value was
 * in the file, and a message like "rules.yaml line 14: rule 'x': window: must be whole minutes" is
 * what makes a start-up failure a one-minute fix. Jackson's YAML parser still does the parsing;
 * this only records its token locations. Keys are kept in file order, repeated keys included, so
 * that each reader says what a repeated key means for it.
 */
public final class LineYaml {

  private LineYaml() {}

  /** A node of the tree, and the line it starts on (1-based). */
  public sealed interface Node permits Scalar, MapNode, ListNode {
    int line();
  }

  /** A scalar: its text, its YAML token, and its value when YAML typed it as a number. */
  public record Scalar(String text, JsonToken token, double number, int line) implements Node {

    public boolean isNull() {
      return token == JsonToken.VALUE_NULL;
    }

    public boolean isNumber() {
      return token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT;
    }
  }

  /** A key of a mapping, its line, and its value. */
  public record Field(String key, int line, Node value) {}

  /** A mapping, its fields in file order (a repeated key appears twice). */
  public record MapNode(List<Field> fields, int line) implements Node {

    /** The fields by key, in file order; of a repeated key, the first. */
    public Map<String, Field> byKey() {
      Map<String, Field> byKey = new LinkedHashMap<>();
      fields.forEach(field -> byKey.putIfAbsent(field.key(), field));
      return byKey;
    }
  }

  /** A sequence. */
  public record ListNode(List<Node> items, int line) implements Node {}

  /**
   * Reads {@code yaml}.
   *
   * @param source the file's name for messages
   * @return the root node, or empty for a document without content
   * @throws IllegalArgumentException "{@code <source> line <n>: not valid YAML: …}"
   */
  public static Optional<Node> read(String yaml, String source) {
    try (JsonParser parser = new YAMLFactory().createParser(yaml)) {
      if (parser.nextToken() == null) {
        return Optional.empty();
      }
      return Optional.of(node(parser));
    } catch (JsonProcessingException e) {
      JsonLocation where = e.getLocation();
      throw new IllegalArgumentException(
          source
              + (where == null ? "" : " line " + where.getLineNr())
              + ": not valid YAML: "
              + e.getOriginalMessage(),
          e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Fails on the first key given twice in one mapping, in file order: "{@code <source> line <n>:
   * key '<key>' is given twice (first at line <m>)}". For files in which a repeated key is always a
   * mistake.
   */
  public static void requireUniqueKeys(Node node, String source) {
    if (node instanceof MapNode map) {
      Map<String, Field> seen = new HashMap<>();
      for (Field field : map.fields()) {
        Field first = seen.putIfAbsent(field.key(), field);
        if (first != null) {
          throw error(
              source,
              field.line(),
              "key '" + field.key() + "' is given twice (first at line " + first.line() + ")");
        }
        requireUniqueKeys(field.value(), source);
      }
    } else if (node instanceof ListNode list) {
      list.items().forEach(item -> requireUniqueKeys(item, source));
    }
  }

  /** "{@code <source> line <line>: <message>}", the form of every configuration error. */
  public static IllegalArgumentException error(String source, int line, String message) {
    return new IllegalArgumentException(source + " line " + line + ": " + message);
  }

  private static Node node(JsonParser parser) throws IOException {
    JsonToken token = parser.currentToken();
    int line = parser.currentTokenLocation().getLineNr();
    if (token == JsonToken.START_OBJECT) {
      List<Field> fields = new ArrayList<>();
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String key = parser.currentName();
        int keyLine = parser.currentTokenLocation().getLineNr();
        parser.nextToken();
        fields.add(new Field(key, keyLine, node(parser)));
      }
      return new MapNode(List.copyOf(fields), line);
    }
    if (token == JsonToken.START_ARRAY) {
      List<Node> items = new ArrayList<>();
      while (parser.nextToken() != JsonToken.END_ARRAY) {
        items.add(node(parser));
      }
      return new ListNode(List.copyOf(items), line);
    }
    boolean number = token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT;
    return new Scalar(parser.getText(), token, number ? parser.getDoubleValue() : Double.NaN, line);
  }
}
