package io.cxpulse.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.local.LiveSummary.AlertRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiveSummaryTest {

  private static final Instant FIRED = Instant.parse("2026-01-05T10:04:00Z");
  private static final Instant RESOLVED = Instant.parse("2026-01-05T10:09:00Z");

  @Test
  void noAlertsIsOneLine() {
    assertThat(LiveSummary.alertLines(List.of(), List.of())).containsExactly("  alerts: none open");
  }

  @Test
  void openAlertsShowSeverityRuleScopeValueAndSinceThenTheLatestChanges() {
    AlertRow csat =
        new AlertRow(
            "FIRING", "CRITICAL", "local-csat-below-50", "csat", "web", "all", 41.27, FIRED);
    AlertRow breach =
        new AlertRow(
            "FIRING",
            "WARNING",
            "local-sla-breach-chat-above-30",
            "sla_breach_rate",
            "chat",
            "all",
            null,
            FIRED.plusSeconds(120));
    AlertRow nps =
        new AlertRow(
            "RESOLVED", "WARNING", "local-nps-below-minus-15", "nps", "web", "all", -2.5, RESOLVED);
    AlertRow npsFired =
        new AlertRow(
            "FIRING", "WARNING", "local-nps-below-minus-15", "nps", "web", "all", -27.8, FIRED);

    List<String> lines =
        LiveSummary.alertLines(List.of(csat, breach), List.of(nps, npsFired, csat));

    assertThat(lines).hasSize(1 + 2 + 1 + 3);
    assertThat(lines.get(0))
        .isEqualTo("  alerts: 2 open (severity, rule, channel/segment, value, since)");
    assertThat(lines.get(1))
        .contains("CRITICAL", "local-csat-below-50", "web/all", "csat 41.3 %", "since 10:04:00");
    assertThat(lines.get(2))
        .contains("WARNING", "local-sla-breach-chat-above-30", "chat/all", "sla_breach_rate -")
        .endsWith("since 10:06:00");
    assertThat(lines.get(3)).isEqualTo("  latest alert changes (event time):");
    assertThat(lines.get(4)).startsWith("    10:09:00 RESOLVED").contains("nps -2.5");
    assertThat(lines.get(5)).startsWith("    10:04:00 FIRING").contains("nps -27.8");
    assertThat(lines.get(6)).startsWith("    10:04:00 FIRING").contains("local-csat-below-50");
  }

  @Test
  void longListsAreCutWithAPointerToTheView() {
    List<AlertRow> open = new ArrayList<>();
    for (int i = 0; i < LiveSummary.MAX_ALERT_LINES + 2; i++) {
      open.add(new AlertRow("FIRING", "INFO", "rule-" + i, "ces", "web", "all", 4.5, FIRED));
    }
    List<String> lines = LiveSummary.alertLines(open, List.of());
    assertThat(lines).hasSize(1 + LiveSummary.MAX_ALERT_LINES + 1);
    assertThat(lines.get(lines.size() - 1))
        .isEqualTo("    ... 2 more: SELECT * FROM cx_alerts_open");
  }

  @Test
  void valuesInTheirUnits() {
    assertThat(LiveSummary.alertValue("abandonment_rate", 61.04))
        .isEqualTo("abandonment_rate 61.0 %");
    assertThat(LiveSummary.alertValue("nps", 12.0)).isEqualTo("nps +12.0");
    assertThat(LiveSummary.alertValue("ces", 4.456)).isEqualTo("ces 4.46");
    assertThat(LiveSummary.alertValue("frt_p90", 1_080_000.0)).isEqualTo("frt_p90 18 min");
    assertThat(LiveSummary.alertValue("frt_p90", 45_000.0)).isEqualTo("frt_p90 45 s");
  }

  @Test
  void rulesThatHaveNotFiredSayWhatTheyWaitFor() {
    List<String> lines =
        LiveSummary.ruleLines(
            List.of(
                new LiveSummary.RuleStatus(
                    "sla-breach-chat", "sla_breach_rate", "chat", "all", "BAD", 41.5, 80, "", true),
                new LiveSummary.RuleStatus(
                    "sla-breach-chat",
                    "sla_breach_rate",
                    "email",
                    "all",
                    "INSUFFICIENT",
                    33.3,
                    30,
                    "samples: 30 < min_samples 50",
                    false),
                new LiveSummary.RuleStatus(
                    "csat-below", "csat", "web", "all", "GOOD", 82.0, 400, "", false)));

    assertThat(lines.get(0)).contains("3 series evaluated, 1 firing, 1 waiting for data");
    assertThat(lines).hasSize(3);
    assertThat(lines.get(1)).contains("sla-breach-chat").contains("chat/all").endsWith("FIRING");
    assertThat(lines.get(2))
        .contains("email/all")
        .contains("sla_breach_rate 33.3 %")
        .endsWith("waiting: samples: 30 < min_samples 50");
    assertThat(LiveSummary.ruleLines(List.of()).get(0)).contains("no evaluation yet");
  }

  @Test
  void deadLettersArePerJobSoTheDriverJobsOwnDropsShow() {
    String line =
        LiveSummary.deadLetterLine(
            List.of(
                new LiveSummary.DeadLetterCount("", "UNDECODABLE", 2),
                new LiveSummary.DeadLetterCount("driver-split", "TOO_LATE", 4),
                new LiveSummary.DeadLetterCount("survey", "DUPLICATE", 1_250),
                new LiveSummary.DeadLetterCount("survey", "UNDECODABLE", 3),
                new LiveSummary.DeadLetterCount("tickets", "OUT_OF_RANGE", 1)));

    assertThat(line)
        .isEqualTo(
            "  dead letters 1,260: (before V012) UNDECODABLE 2; driver-split TOO_LATE 4;"
                + " survey DUPLICATE 1,250, UNDECODABLE 3; tickets OUT_OF_RANGE 1");
    assertThat(LiveSummary.deadLetterLine(List.of())).isEqualTo("  dead letters 0");
  }

  @Test
  void onATerminalTheScreenIsRedrawnWithTheBannerOnTopElseSummariesAppend() {
    String banner = "CX Pulse local mode is up.\n  ClickHouse HTTP   http://127.0.0.1:8123/";
    String summary = "[10:00:00 UTC] job RUNNING\n";

    String screen = LiveSummary.frame(banner, summary);
    assertThat(screen).startsWith(LiveSummary.CLEAR_SCREEN);
    assertThat(screen.indexOf("ClickHouse HTTP")).isLessThan(screen.indexOf("job RUNNING"));
    assertThat(LiveSummary.frame(null, summary)).isEqualTo(summary);
  }
}
