package io.cxpulse.jobs.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cxpulse.jobs.alerts.AlertRule.Bound;
import io.cxpulse.jobs.alerts.AlertRule.DropVsBaseline;
import io.cxpulse.jobs.alerts.AlertRule.Scope;
import io.cxpulse.jobs.alerts.AlertRule.Threshold;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AlertRulesTest {

  /** A valid rule; tests replace one line of it to make it invalid. */
  private static final String VALID =
      """
      rules:
        - id: csat-low
          metric: csat
          scope: {channel: any, segment: all}
          window: 15m
          condition:
            below: 80
          min_samples: 30
          severity: warning
          cooldown: 30m
      """;

  private static AlertRules parse(String yaml) {
    return AlertRules.parse(yaml, "test.yaml");
  }

  private static String replace(String line, String with) {
    assertThat(VALID).contains(line);
    return VALID.replace(line, with);
  }

  private static void assertError(String yaml, String... fragments) {
    assertThatThrownBy(() -> parse(yaml))
        .isInstanceOf(IllegalArgumentException.class)
        .message()
        .contains(fragments);
  }

  // --- valid files --------------------------------------------------------------------------

  @Test
  void shippedDefaultsLoad() {
    AlertRules rules = AlertRules.defaults();

    assertThat(rules.rules()).extracting(AlertRule::metric).contains(Metric.values());
    assertThat(rules.rule("nps-drop-vs-7d"))
        .hasValue(
            new AlertRule(
                "nps-drop-vs-7d",
                Metric.NPS,
                new Scope("any", "all"),
                Duration.ofMinutes(15),
                new DropVsBaseline(Baseline.TRAILING_7D, 10, 0.01),
                50,
                Severity.WARNING,
                Duration.ofHours(1),
                5));
    assertThat(rules.rule("abandonment-rise-vs-same-hour").orElseThrow().condition())
        .isEqualTo(new DropVsBaseline(Baseline.TRAILING_SAME_HOUR, 15, 0.01));
    assertThat(rules.rule("abandonment-rise-vs-same-hour").orElseThrow().minSamples())
        .isEqualTo(100);
    assertThat(rules.rule("frt-p90-chat-above-15m").orElseThrow().condition())
        .isEqualTo(new Threshold(Bound.ABOVE, Duration.ofMinutes(15).toMillis()));
    assertThat(rules.forMetric(Metric.SLA_BREACH_RATE))
        .singleElement()
        .extracting(AlertRule::condition)
        .isInstanceOf(DropVsBaseline.class);
    // Every baseline rule tests at the 1 % level and asks for a real sample.
    assertThat(rules.rules())
        .filteredOn(rule -> rule.condition() instanceof DropVsBaseline)
        .allSatisfy(
            rule -> {
              assertThat(((DropVsBaseline) rule.condition()).significance()).isEqualTo(0.01);
              assertThat(rule.minSamples()).isGreaterThanOrEqualTo(30);
            });
  }

  @Test
  void readsEveryField() {
    AlertRules rules =
        parse(
            """
            rules:
              - id: nps.web_vip-1
                metric: NPS
                scope:
                  channel: WEB
                  segment: vip
                window: PT30M
                condition:
                  drop_vs_baseline:
                    baseline: trailing_same_hour
                    by: 7.5
                    significance: 0.05
                min_samples: 40
                severity: Critical
                cooldown: 1h30m
                hysteresis: 2.5
            """);

    assertThat(rules.rules())
        .containsExactly(
            new AlertRule(
                "nps.web_vip-1",
                Metric.NPS,
                new Scope("web", "vip"),
                Duration.ofMinutes(30),
                new DropVsBaseline(Baseline.TRAILING_SAME_HOUR, 7.5, 0.05),
                40,
                Severity.CRITICAL,
                Duration.ofMinutes(90),
                2.5));
    assertThat(rules.source()).isEqualTo("test.yaml");
  }

  @Test
  void scopeShorthandsAndDefaults() {
    AlertRules rules =
        parse(
            """
            rules:
              - {id: a, metric: csat, scope: any, window: 15m, condition: {below: 80},
                 min_samples: 30, severity: info, cooldown: 0m}
              - {id: b, metric: csat, scope: ALL, window: 15m, condition: {below: 80},
                 min_samples: 30, severity: info, cooldown: 0m}
              - {id: c, metric: csat, scope: {segment: any}, window: 15m, condition: {below: 80},
                 min_samples: 30, severity: info, cooldown: 0m}
              - {id: d, metric: csat, scope: {}, window: 15m, condition: {above: 99.5},
                 min_samples: 30, severity: info, cooldown: 0m}
            """);

    assertThat(rules.rules())
        .extracting(AlertRule::scope)
        .containsExactly(
            new Scope("any", "any"),
            new Scope("all", "all"),
            new Scope("all", "any"),
            new Scope("all", "all"));
    assertThat(rules.rule("d").orElseThrow().condition())
        .isEqualTo(new Threshold(Bound.ABOVE, 99.5));
    assertThat(rules.rule("a").orElseThrow().hysteresis()).isZero();
    assertThat(rules.rule("a").orElseThrow().cooldown()).isZero();
  }

  @Test
  void responseTimesAreWrittenAsDurations() {
    AlertRule rule =
        parse(
                """
                rules:
                  - id: frt
                    metric: frt_p90
                    scope: {channel: chat}
                    window: 1h
                    condition: {above: 15m}
                    min_samples: 20
                    severity: critical
                    cooldown: 30m
                    hysteresis: 3m
                """)
            .rules()
            .get(0);

    assertThat(rule.condition()).isEqualTo(new Threshold(Bound.ABOVE, 900_000));
    assertThat(rule.hysteresis()).isEqualTo(180_000);
    assertThat(rule.scope()).isEqualTo(new Scope("chat", "all"));
  }

  @Test
  void noRulesIsAllowed() {
    assertThat(parse("rules: []\n").rules()).isEmpty();
  }

  @Test
  void loadsAFileAndSerializes(@TempDir Path dir) throws IOException, ClassNotFoundException {
    Path file = dir.resolve("rules.yaml");
    Files.writeString(file, VALID);

    AlertRules rules = AlertRules.load(file);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(rules);
    }
    Object copy;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = in.readObject();
    }

    assertThat(rules.rules()).singleElement().extracting(AlertRule::id).isEqualTo("csat-low");
    assertThat(copy).isEqualTo(rules);
  }

  // --- errors: each names the file, the line, the rule and the key --------------------------

  @Test
  void unknownMetric() {
    assertError(
        replace("metric: csat", "metric: csats"),
        "test.yaml line 3: rule 'csat-low': metric: unknown metric 'csats', expected one of csat,"
            + " nps, ces, abandonment_rate, frt_p90, sla_breach_rate");
  }

  @Test
  void negativeThreshold() {
    assertError(
        replace("below: 80", "below: -5"),
        "test.yaml line 7: rule 'csat-low': condition.below: threshold must be from 0 to 100 for"
            + " csat, got '-5'");
  }

  @ParameterizedTest
  @CsvSource({
    "csat, above: 101, 'threshold must be from 0 to 100 for csat'",
    "nps, below: -101, 'threshold must be from -100 to 100 for nps'",
    "ces, above: 0.5, 'threshold must be from 1 to 7 for ces'",
    "csat, below: 0, 'csat is never below 0'",
    "ces, above: 7, 'ces is never above 7'",
    "frt_p90, above: -PT5M, 'threshold must be a positive duration'",
    "frt_p90, above: 15, 'not a duration'",
    "csat, below: '80', 'expected a number, got ''80'''",
    "csat, below: , 'expected a number, got nothing'",
  })
  void thresholdOutOfRange(String metric, String condition, String message) {
    assertError(
        replace("metric: csat", "metric: " + metric).replace("below: 80", condition),
        "test.yaml line 7: rule 'csat-low': condition.",
        message);
  }

  @ParameterizedTest
  @CsvSource({"0", "0.6", "-0.01", "1"})
  void significanceOutsideZeroToAHalf(String alpha) {
    assertError(
        replace(
            "below: 80",
            "drop_vs_baseline: {baseline: trailing_7d, by: 10, significance: " + alpha + "}"),
        "test.yaml line 7: rule 'csat-low': condition.drop_vs_baseline.significance: the test"
            + " level must be in (0, 0.5]");
  }

  @Test
  void missingField() {
    assertError(
        replace("    severity: warning\n", ""),
        "test.yaml line 2: rule 'csat-low': missing 'severity'");
    assertError(
        replace("  - id: csat-low\n    metric: csat", "  - metric: csat"),
        "test.yaml line 2: rule 1: missing 'id'");
    assertError(
        replace("below: 80", "drop_vs_baseline: {baseline: trailing_7d, by: 10}"),
        "test.yaml line 7: rule 'csat-low': condition.drop_vs_baseline: missing 'significance'");
  }

  @Test
  void unknownKey() {
    assertError(
        replace("severity: warning", "severity: warning\n    severty: critical"),
        "test.yaml line 10: rule 'csat-low': unknown key 'severty', expected one of id, metric,"
            + " scope, window, condition, min_samples, severity, cooldown, hysteresis");
    assertError(
        replace("below: 80", "below: 80\n      for: 5m"),
        "test.yaml line 8: rule 'csat-low': unknown key 'condition.for', expected one of"
            + " condition.below, condition.above, condition.drop_vs_baseline");
    assertError(
        replace(
            "below: 80",
            "drop_vs_baseline: {baseline: trailing_7d, by: 10, significance: 0.01, alpha: 0.05}"),
        "test.yaml line 7: rule 'csat-low': condition.drop_vs_baseline: unknown key 'alpha'");
    assertError(
        replace("scope: {channel: any, segment: all}", "scope: {channel: any, region: eu}"),
        "test.yaml line 4: rule 'csat-low': unknown key 'scope.region'");
    assertError(VALID + "settings: {}\n", "test.yaml line 11: unknown key 'settings'");
  }

  @Test
  void duplicateId() {
    assertError(
        VALID + VALID.substring(VALID.indexOf("  - id")),
        "test.yaml line 11: duplicate rule id 'csat-low', first used at line 2");
  }

  @Test
  void duplicateKey() {
    assertError(
        replace("severity: warning", "severity: warning\n    severity: critical"),
        "test.yaml line 10: key 'severity' is given twice (first at line 9)");
  }

  @Test
  void conditionNeedsExactlyOneKind() {
    assertError(
        replace("below: 80", "below: 80\n      above: 95"),
        "test.yaml line 8: rule 'csat-low': condition: give one of below, above,"
            + " drop_vs_baseline, not both 'below' and 'above'");
    assertError(
        replace("condition:\n      below: 80", "condition: {}"),
        "test.yaml line 6: rule 'csat-low': condition: needs one of below, above,"
            + " drop_vs_baseline");
    assertError(
        replace("condition:\n      below: 80", "condition: below 80"),
        "test.yaml line 6: rule 'csat-low': condition: expected a mapping");
  }

  @Test
  void responseTimeHasNoBaselineCondition() {
    assertError(
        replace("metric: csat", "metric: frt_p90")
            .replace(
                "below: 80",
                "drop_vs_baseline: {baseline: trailing_7d, by: 10, significance: 0.01}"),
        "test.yaml line 7: rule 'csat-low': condition.drop_vs_baseline: frt_p90 has no"
            + " significance test; use 'below' or 'above' for it");
  }

  @ParameterizedTest
  @CsvSource({"90s", "0m", "25h", "fifteen minutes"})
  void windowMustBeWholeMinutesUpToADay(String window) {
    assertError(
        replace("window: 15m", "window: " + window), "test.yaml line 5: rule 'csat-low': window: ");
  }

  @ParameterizedTest
  @CsvSource({
    "0, 'must be at least 1, got 0'",
    "-3, 'must be at least 1'",
    "2.5, 'expected a whole number'",
    "thirty, 'expected a whole number, got ''thirty'''"
  })
  void minSamplesMustBeAPositiveWholeNumber(String value, String message) {
    assertError(
        replace("min_samples: 30", "min_samples: " + value),
        "test.yaml line 8: rule 'csat-low': min_samples: " + message);
  }

  @Test
  void cesBaselineRuleNeedsTwoSamples() {
    assertError(
        replace("metric: csat", "metric: ces")
            .replace(
                "below: 80",
                "drop_vs_baseline: {baseline: trailing_7d, by: 0.5, significance: 0.01}")
            .replace("min_samples: 30", "min_samples: 1"),
        "test.yaml line 8: rule 'csat-low': min_samples: a CES baseline rule needs at least 2");
  }

  @Test
  void unknownValues() {
    assertError(
        replace("channel: any", "channel: fax"),
        "test.yaml line 4: rule 'csat-low': scope.channel: unknown channel 'fax', expected any,"
            + " all or one of web, mobile_app, marketplace, social, email, chat, phone, store,"
            + " unknown");
    assertError(
        replace("severity: warning", "severity: page"),
        "test.yaml line 9: rule 'csat-low': severity: unknown severity 'page', expected one of"
            + " info, warning, critical");
    assertError(
        replace("below: 80", "drop_vs_baseline: {baseline: yesterday, by: 10, significance: 0.01}"),
        "test.yaml line 7: rule 'csat-low': condition.drop_vs_baseline.baseline: unknown"
            + " baseline 'yesterday', expected one of trailing_7d, trailing_same_hour");
    assertError(
        replace("scope: {channel: any, segment: all}", "scope: everywhere"),
        "test.yaml line 4: rule 'csat-low': scope: expected any, all, or a mapping");
  }

  @Test
  void dropSizeMustFitTheMetric() {
    assertError(
        replace(
            "below: 80", "drop_vs_baseline: {baseline: trailing_7d, by: -10, significance: 0.01}"),
        "test.yaml line 7: rule 'csat-low': condition.drop_vs_baseline.by: must be from 0 to 100"
            + " points for csat, got -10");
    assertError(
        replace("metric: csat", "metric: ces")
            .replace(
                "below: 80",
                "drop_vs_baseline: {baseline: trailing_7d, by: 7, significance: 0.01}"),
        "condition.drop_vs_baseline.by: must be from 0 to 6 points for ces");
  }

  @Test
  void hysteresisMustLeaveAWayToResolve() {
    assertError(
        replace("cooldown: 30m", "cooldown: 30m\n    hysteresis: -1"),
        "test.yaml line 11: rule 'csat-low': hysteresis: must not be negative");
    assertError(
        replace("cooldown: 30m", "cooldown: 30m\n    hysteresis: 25"),
        "test.yaml line 11: rule 'csat-low': hysteresis: '25' would need csat at 105 to resolve,"
            + " outside from 0 to 100 for csat");
    assertError(
        replace("below: 80", "drop_vs_baseline: {baseline: trailing_7d, by: 5, significance: 0.01}")
            .replace("cooldown: 30m", "cooldown: 30m\n    hysteresis: 6"),
        "test.yaml line 11: rule 'csat-low': hysteresis: must not exceed by (5)");
  }

  @Test
  void negativeCooldown() {
    assertError(
        replace("cooldown: 30m", "cooldown: -PT5M"),
        "test.yaml line 10: rule 'csat-low': cooldown: must not be negative");
  }

  @Test
  void badIds() {
    assertError(
        replace("id: csat-low", "id: 'csat low!'"),
        "test.yaml line 2: rule 1: id 'csat low!' must be 1 to 100 letters");
    assertError(replace("id: csat-low", "id:"), "test.yaml line 2: rule 1: id: no value given");
  }

  @Test
  void fileLevelErrors() {
    assertError("", "test.yaml: is empty, needs 'rules:'");
    assertError("- id: x\n", "test.yaml line 1: expected a mapping with the key 'rules'");
    assertError("rulez: []\n", "test.yaml line 1: unknown key 'rulez', expected one of rules");
    assertError("rules: {id: x}\n", "test.yaml line 1: rules: expected a list of rules");
    assertError("rules:\n  - just text\n", "test.yaml line 2: rule 1: expected a mapping");
    assertError("rules: [\n", "test.yaml line ", ": not valid YAML: ", "expected the node content");
  }

  // --- scope ------------------------------------------------------------------------------

  @Test
  void scopeMapsRowsToTheirSeries() {
    Scope perChannel = new Scope("any", "all");
    Scope perChannelAndSegment = new Scope("any", "any");
    Scope webPerSegment = new Scope("web", "any");
    Scope vipOverall = new Scope("all", "vip");

    assertThat(perChannel.seriesFor("chat", "vip")).hasValue(new AlertScope("chat", "all"));
    assertThat(perChannelAndSegment.seriesFor("chat", "vip"))
        .hasValue(new AlertScope("chat", "vip"));
    assertThat(webPerSegment.seriesFor("web", "new")).hasValue(new AlertScope("web", "new"));
    assertThat(webPerSegment.seriesFor("chat", "new")).isEmpty();
    assertThat(vipOverall.seriesFor("email", "vip")).hasValue(new AlertScope("all", "vip"));
    assertThat(vipOverall.seriesFor("email", "new")).isEmpty();
  }
}
