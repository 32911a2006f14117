package io.cxpulse.jobs.alerts;

import com.fasterxml.jackson.core.JsonToken;
import io.cxpulse.events.Channel;
import io.cxpulse.jobs.alerts.AlertRule.Bound;
import io.cxpulse.jobs.alerts.AlertRule.Condition;
import io.cxpulse.jobs.alerts.AlertRule.DropVsBaseline;
import io.cxpulse.jobs.alerts.AlertRule.Scope;
import io.cxpulse.jobs.alerts.AlertRule.Threshold;
import io.cxpulse.jobs.config.LineYaml;
import io.cxpulse.jobs.config.LineYaml.Field;
import io.cxpulse.jobs.config.LineYaml.ListNode;
import io.cxpulse.jobs.config.LineYaml.MapNode;
import io.cxpulse.jobs.config.LineYaml.Node;
import io.cxpulse.jobs.config.LineYaml.Scalar;
import io.cxpulse.jobs.pipeline.Dimensions;
import io.cxpulse.jobs.pipeline.Durations;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The alert rules, read from a YAML file and checked completely at start-up.
 *
 * <p>Rules live in a file rather than in code because thresholds, sample sizes and severities are
 * operational choices that differ between shops and change without a release. Every mistake fails
 * the job when it starts, with the file's line and the offending rule and key in the message,
 * because a typo found at start is a one-minute fix, while a rule silently never firing is found
 * during the incident it should have reported. {@link #defaults()} reads the rules shipped as the
 * resource {@value #DEFAULT_RESOURCE}, whose header repeats this format for operators.
 *
 * <h2>File format</h2>
 *
 * <pre>{@code
 * rules:
 *   - id: csat-below-80                  # unique; letters, digits, '-', '_', '.'
 *     metric: csat                       # csat, nps, ces, abandonment_rate, frt_p90,
 *                                        # sla_breach_rate
 *     scope: {channel: any, segment: all}
 *     window: 15m                        # evaluation window, whole minutes, 1m..1d
 *     condition: {below: 80}             # or {above: x}, or {drop_vs_baseline: {...}}
 *     min_samples: 30                    # least sample size to fire or resolve, >= 1
 *     severity: warning                  # info | warning | critical
 *     cooldown: 30m                      # quiet time after a resolve, >= 0
 *     hysteresis: 2                      # optional, default 0
 * }</pre>
 *
 * <ul>
 *   <li><b>Units.</b> CSAT, abandonment rate and breach rate in percent (0..100), NPS in points
 *       (−100..100), CES as the mean score (1..7); {@code frt_p90} thresholds and hysteresis as
 *       durations ({@code 15m}, {@code PT4H}). Durations are ISO-8601 or the shorthand {@code 30s},
 *       {@code 15m}, {@code 2h}, {@code 1d}, {@code 1h30m}.
 *   <li><b>scope</b>: {@code channel} and {@code segment}, each {@code any} (one series per value
 *       seen), {@code all} (summed over all values; the default for a dimension left out) or one
 *       value: a channel of {@code schemas/channel.avsc} in any case, a segment as the events carry
 *       it. {@code scope: any} and {@code scope: all} set both.
 *   <li><b>condition</b>, exactly one of:
 *       <ul>
 *         <li>{@code below: x} / {@code above: x}: bad when the window's value is strictly below /
 *             above x;
 *         <li>{@code drop_vs_baseline: {baseline: trailing_7d | trailing_same_hour, by: d,
 *             significance: α}}: bad when the window is worse than its baseline (see {@link
 *             Baseline}) by at least d points <em>and</em> the metric's one-sided significance test
 *             rejects "no change" at level α, 0 < α ≤ 0.5. "Drop" means "worse": down for CSAT and
 *             NPS, up for CES, abandonment and breach rate. Not for {@code frt_p90}, which has no
 *             test.
 *       </ul>
 *   <li><b>min_samples</b>: windows with fewer samples (responses, started checkouts, first
 *       responses, tickets with an SLA outcome) neither fire nor resolve; for baseline conditions
 *       the baseline needs as many. At least 2 for a CES baseline rule (the test needs a variance).
 *   <li><b>hysteresis</b>: how far the metric must come back past the firing boundary to resolve:
 *       to x + h for {@code below}, x − h for {@code above}, to a worsening below d − h for
 *       baseline conditions (so at most d). See {@link AlertEvaluator}.
 * </ul>
 *
 * <p>Unknown keys, duplicate keys, duplicate ids and missing fields are errors, not ignored.
 * Immutable and {@link Serializable}, so a Flink function can carry the rules to its task managers.
 */
public final class AlertRules implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Classpath resource of the shipped rules. */
  public static final String DEFAULT_RESOURCE = "alert-rules.yaml";

  /** Granularity of the metric rows windows slide over; windows are whole multiples of it. */
  public static final Duration ROW = Duration.ofMinutes(1);

  /**
   * Longest evaluation window. A window is summed from 1-minute rows held in state, so its length
   * bounds that state; a day is far beyond "hear within a minute or two".
   */
  public static final Duration MAX_WINDOW = Duration.ofDays(1);

  private final List<AlertRule> rules;
  private final String source;

  private AlertRules(List<AlertRule> rules, String source) {
    this.rules = List.copyOf(rules);
    this.source = source;
  }

  /** The rules shipped with the jobs, from the classpath resource {@value #DEFAULT_RESOURCE}. */
  public static AlertRules defaults() {
    try (InputStream in = AlertRules.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "resource " + DEFAULT_RESOURCE + " is not on the classpath");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), DEFAULT_RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read resource " + DEFAULT_RESOURCE, e);
    }
  }

  /**
   * Rules from a YAML file.
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if its content is invalid, naming the line, rule and key
   */
  public static AlertRules load(Path file) throws IOException {
    return parse(Files.readString(file), file.toString());
  }

  /**
   * Rules from YAML text.
   *
   * @param source name of the text's origin (a file name) for error messages
   * @throws IllegalArgumentException if the text is invalid, naming the line, rule and key
   */
  public static AlertRules parse(String yaml, String source) {
    return new AlertRules(new Reader(source).read(yaml), source);
  }

  /** All rules, in file order. */
  public List<AlertRule> rules() {
    return rules;
  }

  /** The rule with {@code id}, if there is one. */
  public Optional<AlertRule> rule(String id) {
    return rules.stream().filter(rule -> rule.id().equals(id)).findFirst();
  }

  /** The rules watching {@code metric}, in file order. */
  public List<AlertRule> forMetric(Metric metric) {
    return rules.stream().filter(rule -> rule.metric() == metric).toList();
  }

  /** Where the rules were read from. */
  public String source() {
    return source;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AlertRules other && rules.equals(other.rules);
  }

  @Override
  public int hashCode() {
    return rules.hashCode();
  }

  @Override
  public String toString() {
    return "AlertRules{source=" + source + ", rules=" + rules + "}";
  }

  // ---------------------------------------------------------------------------------------------
  // Reading: the YAML as a tree that keeps the line of every key and value (LineYaml), then checked
  // rule by rule.

  private static final class Reader {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");
    private static final List<String> TOP_KEYS = List.of("rules");
    private static final List<String> RULE_KEYS =
        List.of(
            "id",
            "metric",
            "scope",
            "window",
            "condition",
            "min_samples",
            "severity",
            "cooldown",
            "hysteresis");
    private static final List<String> REQUIRED_RULE_KEYS = RULE_KEYS.subList(0, 8);
    private static final List<String> SCOPE_KEYS = List.of("channel", "segment");
    private static final List<String> CONDITION_KEYS =
        List.of("below", "above", "drop_vs_baseline");
    private static final List<String> BASELINE_KEYS = List.of("baseline", "by", "significance");
    private static final String CHANNELS =
        Arrays.stream(Channel.values()).map(Dimensions::channel).collect(Collectors.joining(", "));
    private static final String SEVERITIES =
        Arrays.stream(Severity.values()).map(Severity::key).collect(Collectors.joining(", "));

    private final String source;

    Reader(String source) {
      this.source = source;
    }

    List<AlertRule> read(String yaml) {
      Node root =
          LineYaml.read(yaml, source)
              .orElseThrow(
                  () -> new IllegalArgumentException(source + ": is empty, needs 'rules:'"));
      LineYaml.requireUniqueKeys(root, source);
      if (!(root instanceof MapNode top)) {
        throw error(root.line(), "expected a mapping with the key 'rules'");
      }
      checkKeys(top, TOP_KEYS, "", "");
      Field rulesField = top.byKey().get("rules");
      if (rulesField == null) {
        throw error(top.line(), "missing 'rules' (use 'rules: []' for none)");
      }
      if (!(rulesField.value() instanceof ListNode list)) {
        throw error(
            rulesField.line(), "rules: expected a list of rules (items starting with '- id:')");
      }
      List<AlertRule> rules = new ArrayList<>();
      Map<String, Integer> idLines = new HashMap<>();
      for (int i = 0; i < list.items().size(); i++) {
        Node item = list.items().get(i);
        if (!(item instanceof MapNode ruleNode)) {
          throw error(item.line(), "rule " + (i + 1) + ": expected a mapping of keys to values");
        }
        AlertRule rule = rule(ruleNode, i + 1);
        Integer firstLine = idLines.putIfAbsent(rule.id(), ruleNode.byKey().get("id").line());
        if (firstLine != null) {
          throw error(
              ruleNode.byKey().get("id").line(),
              "duplicate rule id '" + rule.id() + "', first used at line " + firstLine);
        }
        rules.add(rule);
      }
      return rules;
    }

    // --- one rule ---------------------------------------------------------------------------
    // Error messages read "<source> line <n>: rule '<id>': <key path>: <problem>"; `rule` below is
    // the "rule '<id>': " part and `where` the whole prefix up to the key path.

    private AlertRule rule(MapNode node, int position) {
      Field idField = node.byKey().get("id");
      if (idField == null) {
        throw error(node.line(), "rule " + position + ": missing 'id'");
      }
      String id = text(idField, "rule " + position + ": id");
      if (!ID.matcher(id).matches()) {
        throw error(
            idField.line(),
            "rule "
                + position
                + ": id '"
                + id
                + "' must be 1 to 100 letters, digits, '-', '_' or '.', starting with a letter"
                + " or digit");
      }
      String rule = "rule '" + id + "': ";
      checkKeys(node, RULE_KEYS, rule, "");
      for (String key : REQUIRED_RULE_KEYS) {
        if (!node.byKey().containsKey(key)) {
          throw error(node.line(), rule + "missing '" + key + "'");
        }
      }
      Field metricField = node.byKey().get("metric");
      String metricKey = text(metricField, rule + "metric");
      Metric metric =
          Metric.fromKey(metricKey)
              .orElseThrow(
                  () ->
                      error(
                          metricField.line(),
                          rule
                              + "metric: unknown metric '"
                              + metricKey
                              + "', expected one of "
                              + Metric.KEYS));
      Scope scope = scope(node.byKey().get("scope"), rule);
      Duration window = window(node.byKey().get("window"), rule + "window");
      Condition condition = condition(node.byKey().get("condition"), metric, rule);
      long minSamples =
          minSamples(node.byKey().get("min_samples"), metric, condition, rule + "min_samples");
      Field severityField = node.byKey().get("severity");
      String severityKey = text(severityField, rule + "severity");
      Severity severity =
          Severity.fromKey(severityKey)
              .orElseThrow(
                  () ->
                      error(
                          severityField.line(),
                          rule
                              + "severity: unknown severity '"
                              + severityKey
                              + "', expected one of "
                              + SEVERITIES));
      Field cooldownField = node.byKey().get("cooldown");
      Duration cooldown = duration(cooldownField, rule + "cooldown");
      if (cooldown.isNegative()) {
        throw error(cooldownField.line(), rule + "cooldown: must not be negative");
      }
      double hysteresis =
          hysteresis(node.byKey().get("hysteresis"), metric, condition, rule + "hysteresis");
      return new AlertRule(
          id, metric, scope, window, condition, minSamples, severity, cooldown, hysteresis);
    }

    private Scope scope(Field field, String rule) {
      if (field.value() instanceof Scalar scalar && !scalar.isNull()) {
        Optional<String> both = selector(scalar.text());
        if (both.isPresent()) {
          return new Scope(both.get(), both.get());
        }
      }
      if (!(field.value() instanceof MapNode map)) {
        throw error(
            field.line(),
            rule
                + "scope: expected any, all, or a mapping with channel and/or segment, got "
                + kind(field));
      }
      checkKeys(map, SCOPE_KEYS, rule, "scope.");
      Field channelField = map.byKey().get("channel");
      Field segmentField = map.byKey().get("segment");
      String channel = AlertScope.ALL;
      if (channelField != null) {
        String value = text(channelField, rule + "scope.channel");
        channel = selector(value).orElseGet(() -> channel(value, channelField, rule));
      }
      String segment = AlertScope.ALL;
      if (segmentField != null) {
        String value = text(segmentField, rule + "scope.segment");
        segment = selector(value).orElse(value);
      }
      return new Scope(channel, segment);
    }

    private static Optional<String> selector(String value) {
      String lower = value.trim().toLowerCase(Locale.ROOT);
      return lower.equals(Scope.ANY) || lower.equals(AlertScope.ALL)
          ? Optional.of(lower)
          : Optional.empty();
    }

    private String channel(String value, Field field, String rule) {
      for (Channel channel : Channel.values()) {
        if (channel.name().equalsIgnoreCase(value)) {
          return Dimensions.channel(channel);
        }
      }
      throw error(
          field.line(),
          rule
              + "scope.channel: unknown channel '"
              + value
              + "', expected any, all or one of "
              + CHANNELS);
    }

    private Duration window(Field field, String where) {
      Duration window = duration(field, where);
      if (window.compareTo(ROW) < 0
          || window.compareTo(MAX_WINDOW) > 0
          || window.toNanos() % ROW.toNanos() != 0) {
        throw error(
            field.line(),
            where
                + ": must be a whole number of minutes from 1m to 1d (it slides over 1-minute"
                + " rows), got '"
                + ((Scalar) field.value()).text()
                + "'");
      }
      return window;
    }

    private Condition condition(Field field, Metric metric, String rule) {
      if (!(field.value() instanceof MapNode map)) {
        throw error(
            field.line(),
            rule
                + "condition: expected a mapping with one of "
                + String.join(", ", CONDITION_KEYS)
                + ", got "
                + kind(field));
      }
      checkKeys(map, CONDITION_KEYS, rule, "condition.");
      if (map.fields().isEmpty()) {
        throw error(
            field.line(), rule + "condition: needs one of " + String.join(", ", CONDITION_KEYS));
      }
      List<Field> given = new ArrayList<>(map.fields());
      if (given.size() > 1) {
        throw error(
            given.get(1).line(),
            rule
                + "condition: give one of "
                + String.join(", ", CONDITION_KEYS)
                + ", not both '"
                + given.get(0).key()
                + "' and '"
                + given.get(1).key()
                + "'");
      }
      Field only = given.get(0);
      String where = rule + "condition." + only.key();
      if (only.key().equals("drop_vs_baseline")) {
        return drop(only, metric, where);
      }
      Bound bound = only.key().equals("below") ? Bound.BELOW : Bound.ABOVE;
      double value = amount(only, metric, where);
      if (value < metric.min() || value > metric.max()) {
        throw error(
            only.line(), where + ": threshold must be " + range(metric) + ", got " + got(only));
      }
      if ((bound == Bound.BELOW && value == metric.min())
          || (bound == Bound.ABOVE && value == metric.max())) {
        throw error(
            only.line(),
            where + ": " + metric.key() + " is never " + only.key() + " " + format(value));
      }
      return new Threshold(bound, value);
    }

    private Condition drop(Field field, Metric metric, String where) {
      if (!metric.testable()) {
        throw error(
            field.line(),
            where
                + ": "
                + metric.key()
                + " has no significance test; use 'below' or 'above' for it");
      }
      if (!(field.value() instanceof MapNode map)) {
        throw error(
            field.line(), where + ": expected a mapping with " + String.join(", ", BASELINE_KEYS));
      }
      checkKeys(map, BASELINE_KEYS, where + ": ", "");
      for (String key : BASELINE_KEYS) {
        if (!map.byKey().containsKey(key)) {
          throw error(field.line(), where + ": missing '" + key + "'");
        }
      }
      Field baselineField = map.byKey().get("baseline");
      String baselineKey = text(baselineField, where + ".baseline");
      Baseline baseline =
          Baseline.fromKey(baselineKey)
              .orElseThrow(
                  () ->
                      error(
                          baselineField.line(),
                          where
                              + ".baseline: unknown baseline '"
                              + baselineKey
                              + "', expected one of "
                              + Baseline.KEYS));
      Field byField = map.byKey().get("by");
      double by = number(byField, where + ".by");
      double widest = metric.max() - metric.min();
      if (by < 0 || by > widest) {
        throw error(
            byField.line(),
            where
                + ".by: must be from 0 to "
                + format(widest)
                + " points for "
                + metric.key()
                + ", got "
                + format(by));
      }
      Field alphaField = map.byKey().get("significance");
      double alpha = number(alphaField, where + ".significance");
      if (!(alpha > 0 && alpha <= 0.5)) {
        throw error(
            alphaField.line(),
            where
                + ".significance: the test level must be in (0, 0.5], e.g. 0.01, got "
                + format(alpha));
      }
      return new DropVsBaseline(baseline, by, alpha);
    }

    private long minSamples(Field field, Metric metric, Condition condition, String where) {
      if (!(field.value() instanceof Scalar scalar)
          || scalar.token() != JsonToken.VALUE_NUMBER_INT) {
        throw error(field.line(), where + ": expected a whole number" + gotSuffix(field));
      }
      double value = scalar.number();
      if (value < 1 || value >= Long.MAX_VALUE) {
        throw error(field.line(), where + ": must be at least 1, got " + scalar.text());
      }
      long minSamples = (long) value;
      if (metric == Metric.CES && condition instanceof DropVsBaseline && minSamples < 2) {
        throw error(
            field.line(),
            where + ": a CES baseline rule needs at least 2 (its test needs a variance)");
      }
      return minSamples;
    }

    private double hysteresis(Field field, Metric metric, Condition condition, String where) {
      if (field == null) {
        return 0;
      }
      double value = amount(field, metric, where);
      if (value < 0) {
        throw error(field.line(), where + ": must not be negative, got " + got(field));
      }
      if (condition instanceof DropVsBaseline drop && value > drop.by()) {
        throw error(
            field.line(),
            where
                + ": must not exceed by ("
                + format(drop.by())
                + "), or resolving would need "
                + metric.key()
                + " to beat its baseline");
      }
      if (condition instanceof Threshold threshold) {
        double resolveAt =
            threshold.bound() == Bound.BELOW
                ? threshold.value() + value
                : threshold.value() - value;
        if (resolveAt < metric.min() || resolveAt > metric.max()) {
          throw error(
              field.line(),
              where
                  + ": "
                  + got(field)
                  + " would need "
                  + metric.key()
                  + " at "
                  + format(resolveAt)
                  + " to resolve, outside "
                  + range(metric));
        }
      }
      return value;
    }

    // --- values -----------------------------------------------------------------------------

    /** A number in the metric's unit: a duration in ms for response times, else a number. */
    private double amount(Field field, Metric metric, String where) {
      if (metric.isDuration()) {
        return duration(field, where).toMillis();
      }
      return number(field, where);
    }

    private double number(Field field, String where) {
      if (!(field.value() instanceof Scalar scalar) || !scalar.isNumber()) {
        throw error(field.line(), where + ": expected a number" + gotSuffix(field));
      }
      if (!Double.isFinite(scalar.number())) {
        throw error(field.line(), where + ": expected a finite number, got " + scalar.text());
      }
      return scalar.number();
    }

    private Duration duration(Field field, String where) {
      String text = text(field, where);
      try {
        return Durations.parse(text);
      } catch (IllegalArgumentException e) {
        throw error(field.line(), where + ": " + e.getMessage());
      }
    }

    private String text(Field field, String where) {
      if (!(field.value() instanceof Scalar scalar)) {
        throw error(field.line(), where + ": expected a single value, got " + kind(field));
      }
      if (scalar.isNull() || scalar.text().isBlank()) {
        throw error(field.line(), where + ": no value given");
      }
      return scalar.text().trim();
    }

    private void checkKeys(MapNode map, List<String> allowed, String rule, String prefix) {
      for (Field field : map.fields()) {
        if (!allowed.contains(field.key())) {
          throw error(
              field.line(),
              rule
                  + "unknown key '"
                  + prefix
                  + field.key()
                  + "', expected one of "
                  + allowed.stream().map(key -> prefix + key).collect(Collectors.joining(", ")));
        }
      }
    }

    private static String got(Field field) {
      return field.value() instanceof Scalar scalar && !scalar.isNull()
          ? "'" + scalar.text() + "'"
          : kind(field);
    }

    private static String gotSuffix(Field field) {
      return ", got " + got(field);
    }

    private static String kind(Field field) {
      Node value = field.value();
      if (value instanceof MapNode) {
        return "a mapping";
      }
      if (value instanceof ListNode) {
        return "a list";
      }
      Scalar scalar = (Scalar) value;
      return scalar.isNull() ? "nothing" : "'" + scalar.text() + "'";
    }

    private static String range(Metric metric) {
      return metric.isDuration()
          ? "a positive duration"
          : "from " + format(metric.min()) + " to " + format(metric.max()) + " for " + metric.key();
    }

    private static String format(double value) {
      return value == Math.rint(value) && Math.abs(value) < 1e15
          ? Long.toString((long) value)
          : Double.toString(value);
    }

    private IllegalArgumentException error(int line, String message) {
      return LineYaml.error(source, line, message);
    }
  }
}
