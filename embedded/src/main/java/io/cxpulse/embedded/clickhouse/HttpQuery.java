package io.cxpulse.embedded.clickhouse;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The URL parameters of one request to ClickHouse's HTTP interface, sorted the way ClickHouse sorts
 * them: parameters of the HTTP protocol itself, query parameters ({@code param_*}), and everything
 * else, which is a setting for this query.
 */
final class HttpQuery {

  /** Parameters the HTTP layer consumes; they are never passed to the engine as settings. */
  static final Set<String> PROTOCOL_PARAMETERS =
      Set.of(
          "query",
          "query_id",
          "database",
          "default_format",
          "session_id",
          "session_timeout",
          "session_check",
          "compress",
          "decompress",
          "user",
          "password",
          "quota_key",
          "enable_http_compression");

  /**
   * HTTP-layer parameters that mean nothing for a server that always holds the whole result before
   * answering: accepted and ignored. Every other unknown name reaches the engine as a setting and
   * gets ClickHouse's own UNKNOWN_SETTING error.
   */
  static final Set<String> IGNORED_PARAMETERS =
      Set.of(
          "wait_end_of_query",
          "buffer_size",
          "client_protocol_version",
          "stacktrace",
          "role",
          "send_progress_in_http_headers",
          "http_headers_progress_interval_ms");

  private static final Pattern SETTING_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?");

  private final Map<String, String> protocol = new LinkedHashMap<>();
  private final Map<String, String> settings = new LinkedHashMap<>();
  private final Map<String, String> queryParameters = new LinkedHashMap<>();

  static HttpQuery parse(String rawQueryString) {
    HttpQuery query = new HttpQuery();
    if (rawQueryString == null || rawQueryString.isEmpty()) {
      return query;
    }
    for (String pair : rawQueryString.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      query.put(name, value);
    }
    return query;
  }

  private void put(String name, String value) {
    if (name.startsWith("param_")) {
      queryParameters.put(name.substring("param_".length()), value);
    } else if (PROTOCOL_PARAMETERS.contains(name)) {
      protocol.put(name, value);
    } else if (!IGNORED_PARAMETERS.contains(name)) {
      settings.put(name, value);
    }
  }

  String protocol(String name) {
    return protocol.get(name);
  }

  boolean isTrue(String name) {
    String value = protocol.get(name);
    if (value == null) {
      return false;
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    return v.equals("1") || v.equals("true");
  }

  Map<String, String> settings() {
    return settings;
  }

  Map<String, String> queryParameters() {
    return queryParameters;
  }

  /**
   * The {@code SET} statement for one URL setting. Names are checked, values quoted, so a URL
   * cannot smuggle a second statement in.
   */
  static String setStatement(String name, String value) {
    if (!SETTING_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("Invalid setting name: " + name);
    }
    String literal =
        NUMBER.matcher(value).matches()
            ? value
            : "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    return "SET " + name + " = " + literal;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
