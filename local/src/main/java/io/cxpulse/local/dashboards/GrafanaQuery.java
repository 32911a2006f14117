package io.cxpulse.local.dashboards;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a panel's SQL, as the dashboard JSON holds it for Grafana's ClickHouse data source ({@code
 * grafana-clickhouse-datasource} 4.x), into the SQL Grafana would send to ClickHouse: first the
 * dashboard variables, as Grafana's template service replaces them in the plugin's {@code
 * applyTemplateVariables} (the plugin's format function leaves a single value as it is), then the
 * plugin's macros, as its backend expands them ({@code pkg/macros/macros.go}, found by {@code
 * sqlds}' pattern {@code \$__name\b(?:\((.*?)\))?}, arguments split at commas and trimmed).
 *
 * <p>The one implementation for local mode's dashboard page and the tests that run every panel:
 * what the tests check is what the page shows. Written by hand because no Java library expands
 * Grafana's macros; only what the dashboards in {@code dashboards/} can use is supported, and
 * anything else (another macro, an undefined variable, {@code $__conditionalAll}) is an error
 * rather than SQL that Grafana would expand differently.
 */
public final class GrafanaQuery {

  /**
   * What Grafana sends with a panel's query.
   *
   * @param from start of the time range
   * @param to end of the time range
   * @param interval the panel's interval ({@link #interval}); {@code $__interval_s} is its whole
   *     seconds, at least 1
   * @param variables the dashboard variables' current values, by name
   */
  public record Request(
      Instant from, Instant to, Duration interval, Map<String, String> variables) {
    public Request {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(interval, "interval");
      variables = Map.copyOf(variables);
      if (to.isBefore(from)) {
        throw new IllegalArgumentException(
            "time range ends before it starts: " + from + " > " + to);
      }
    }
  }

  /**
   * Grafana's template variable syntaxes ({@code templateSrv}): {@code $name}, {@code [[name]]},
   * {@code [[name:format]]}, {@code ${name}}, {@code ${name:format}}.
   */
  private static final Pattern VARIABLE =
      Pattern.compile(
          "\\$(\\w+)|\\[\\[(\\w+?)(?::(\\w+))?\\]\\]|\\$\\{(\\w+)(?:\\.([^:^}]+))?(?::([^}]+))?}");

  /** The plugin's macros (pkg/macros/macros.go); sqlds' pattern with the name filled in. */
  private static final List<String> MACROS =
      List.of(
          "fromTime_ms",
          "toTime_ms",
          "fromTime",
          "toTime",
          "timeFilter_ms",
          "timeFilter",
          "dateFilter",
          "dateTimeFilter",
          "dt",
          "timeInterval_ms",
          "timeInterval",
          "interval_s");

  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

  private GrafanaQuery() {}

  /**
   * {@code rawSql} with the variables of {@code request} and the plugin's macros expanded.
   *
   * @throws IllegalArgumentException for a variable that is not defined, a variable format or macro
   *     this class does not support, or a macro with the wrong number of arguments
   */
  public static String expand(String rawSql, Request request) {
    if (rawSql.contains("$__conditionalAll(")) {
      throw new IllegalArgumentException("$__conditionalAll is not supported: " + rawSql);
    }
    String sql = replaceVariables(rawSql, request.variables());
    for (String name : MACROS) {
      sql = expandMacro(sql, name, request);
    }
    Matcher left = Pattern.compile("\\$\\{?\\w+").matcher(sql);
    if (left.find()) {
      throw new IllegalArgumentException(
          "unknown macro or undefined variable " + left.group() + " in: " + rawSql);
    }
    return sql;
  }

  /**
   * The interval Grafana gives a panel's query: the time range divided by the panel's maximum data
   * points (by default its width in pixels), rounded to a readable step ({@code rangeutil}'s {@code
   * calculateInterval} and {@code roundInterval}), with no lower limit set.
   */
  public static Duration interval(Instant from, Instant to, int maxDataPoints) {
    if (maxDataPoints < 1) {
      throw new IllegalArgumentException("maxDataPoints must be positive: " + maxDataPoints);
    }
    double raw = (double) Duration.between(from, to).toMillis() / maxDataPoints;
    return Duration.ofMillis(roundInterval(raw));
  }

  /** Grafana's {@code rangeutil.roundInterval}: the step for a raw interval, both in ms. */
  static long roundInterval(double interval) {
    long[][] steps = {
      {15, 10},
      {35, 20},
      {75, 50},
      {150, 100},
      {350, 200},
      {750, 500},
      {1_500, 1_000},
      {3_500, 2_000},
      {7_500, 5_000},
      {12_500, 10_000},
      {17_500, 15_000},
      {25_000, 20_000},
      {45_000, 30_000},
      {90_000, 60_000},
      {210_000, 120_000},
      {450_000, 300_000},
      {750_000, 600_000},
      {1_050_000, 900_000},
      {1_500_000, 1_200_000},
      {2_700_000, 1_800_000},
      {5_400_000, 3_600_000},
      {9_000_000, 7_200_000},
      {16_200_000, 10_800_000},
      {32_400_000, 21_600_000},
      {86_400_000, 43_200_000},
      {604_800_000, 86_400_000},
      {1_814_400_000, 604_800_000},
      {3_628_800_000L, 2_592_000_000L}
    };
    for (long[] step : steps) {
      if (interval < step[0]) {
        return step[1];
      }
    }
    return 31_536_000_000L;
  }

  private static String replaceVariables(String sql, Map<String, String> variables) {
    Matcher matcher = VARIABLE.matcher(sql);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String name = firstNonNull(matcher.group(1), matcher.group(2), matcher.group(4));
      String format = firstNonNull(matcher.group(3), matcher.group(6));
      String value = variables.get(name);
      if (value == null) {
        // Grafana leaves what is no variable as it is: the macros are such text.
        matcher.appendReplacement(out, Matcher.quoteReplacement(matcher.group()));
        continue;
      }
      if (matcher.group(5) != null) {
        throw new IllegalArgumentException("variable fields are not supported: " + matcher.group());
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(format(value, format)));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  /** A single value in Grafana's variable formats; none is the plugin's (the value itself). */
  private static String format(String value, String format) {
    if (format == null || format.equals("raw")) {
      return value;
    }
    if (format.equals("singlequote")) {
      return "'" + value.replace("'", "\\'") + "'";
    }
    if (format.equals("sqlstring")) {
      return "'" + value.replace("'", "''") + "'";
    }
    throw new IllegalArgumentException("variable format :" + format + " is not supported");
  }

  private static String expandMacro(String sql, String name, Request request) {
    Matcher matcher = Pattern.compile("\\$__" + name + "\\b(?:\\((.*?)\\))?").matcher(sql);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      List<String> args = new ArrayList<>();
      if (matcher.group(1) != null) {
        for (String arg : matcher.group(1).split(",", -1)) {
          args.add(arg.strip());
        }
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(macro(name, args, request)));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  private static String macro(String name, List<String> args, Request request) {
    Instant from = request.from();
    Instant to = request.to();
    return switch (name) {
      case "fromTime" -> dateTime(from);
      case "toTime" -> dateTime(to);
      case "fromTime_ms" -> dateTime64(from);
      case "toTime_ms" -> dateTime64(to);
      case "timeFilter" -> {
        String column = oneArgument(name, args);
        yield column + " >= " + dateTime(from) + " AND " + column + " <= " + dateTime(to);
      }
      case "timeFilter_ms" -> {
        String column = oneArgument(name, args);
        yield column + " >= " + dateTime64(from) + " AND " + column + " <= " + dateTime64(to);
      }
      case "dateFilter" -> {
        String column = oneArgument(name, args);
        yield column + " >= " + date(from) + " AND " + column + " <= " + date(to);
      }
      case "dateTimeFilter", "dt" -> {
        if (args.size() != 2) {
          throw badArguments(name, 2, args);
        }
        String date = args.get(0);
        String time = args.get(1);
        yield "("
            + date
            + " >= "
            + date(from)
            + " AND "
            + date
            + " <= "
            + date(to)
            + ") AND ("
            + time
            + " >= "
            + dateTime(from)
            + " AND "
            + time
            + " <= "
            + dateTime(to)
            + ")";
      }
      case "timeInterval" ->
          "toStartOfInterval(toDateTime("
              + oneArgument(name, args)
              + "), INTERVAL "
              + intervalSeconds(request)
              + " second)";
      case "timeInterval_ms" ->
          "toStartOfInterval(toDateTime64("
              + oneArgument(name, args)
              + ", 3), INTERVAL "
              + Math.max(request.interval().toMillis(), 1)
              + " millisecond)";
      case "interval_s" -> Long.toString(intervalSeconds(request));
      default -> throw new IllegalStateException("no macro " + name);
    };
  }

  /** Go's {@code int(math.Max(interval.Seconds(), 1))}: whole seconds, at least 1. */
  private static long intervalSeconds(Request request) {
    return Math.max(request.interval().toSeconds(), 1);
  }

  /** Go's {@code time.Unix()}: whole seconds, rounded down. */
  private static String dateTime(Instant instant) {
    return "toDateTime(" + instant.getEpochSecond() + ")";
  }

  private static String dateTime64(Instant instant) {
    return "fromUnixTimestamp64Milli(" + instant.toEpochMilli() + ")";
  }

  private static String date(Instant instant) {
    return "toDate('" + DATE.format(instant) + "')";
  }

  private static String oneArgument(String name, List<String> args) {
    if (args.size() != 1 || args.get(0).isEmpty()) {
      throw badArguments(name, 1, args);
    }
    return args.get(0);
  }

  private static IllegalArgumentException badArguments(
      String name, int expected, List<String> args) {
    return new IllegalArgumentException(
        "$__" + name + ": expected " + expected + " argument(s), received " + args.size());
  }

  private static String firstNonNull(String... values) {
    for (String value : values) {
      if (value != null) {
        return value;
      }
    }
    return null;
  }
}
