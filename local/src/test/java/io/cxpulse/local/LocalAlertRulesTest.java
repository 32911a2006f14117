package io.cxpulse.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.Channel;
import io.cxpulse.events.SurveyResponse;
import io.cxpulse.jobs.alerts.AlertRule;
import io.cxpulse.jobs.alerts.AlertRule.Bound;
import io.cxpulse.jobs.alerts.AlertRule.Threshold;
import io.cxpulse.jobs.alerts.AlertRules;
import io.cxpulse.jobs.alerts.Metric;
import io.cxpulse.jobs.generator.CheckoutIncident;
import io.cxpulse.jobs.generator.CheckoutTrafficGenerator;
import io.cxpulse.jobs.generator.CheckoutTruth;
import io.cxpulse.jobs.generator.GeneratedTicket;
import io.cxpulse.jobs.generator.ScoreShift;
import io.cxpulse.jobs.generator.SupportSlowdown;
import io.cxpulse.jobs.generator.SurveyTrafficGenerator;
import io.cxpulse.jobs.generator.TicketTrafficGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The local rules parse, have the thresholds the README and the file document, and hold against the
 * generators themselves: normal traffic at the default rates keeps every rule quiet, and each
 * scripted incident makes its rule's condition true. Computed from the generators' own events and
 * truth over simulated time (no Flink, no clock), summed in 5-minute windows as the alert stage
 * sums 1-minute rows.
 */
class LocalAlertRulesTest {

  private static final Instant START = Instant.parse("2026-01-05T10:00:00Z");
  private static final int MINUTES = 60;
  private static final Instant INCIDENT = START.plus(Duration.ofMinutes(20));
  private static final Duration INCIDENT_LENGTH = Duration.ofMinutes(5);

  private final AlertRules rules = LocalAlertRules.load();

  @Test
  void rulesAreThresholdsOverFiveMinutesWithHysteresisAndCooldown() {
    assertThat(rules.source()).isEqualTo(LocalAlertRules.RESOURCE);
    assertThat(rules.rules())
        .extracting(AlertRule::id)
        .containsExactly(
            "local-csat-below-50",
            "local-nps-below-minus-15",
            "local-ces-above-4",
            "local-abandonment-web-above-52",
            "local-abandonment-app-above-58",
            "local-abandonment-marketplace-above-45",
            "local-sla-breach-chat-above-30");
    for (AlertRule rule : rules.rules()) {
      assertThat(rule.window()).isEqualTo(Duration.ofMinutes(5));
      assertThat(rule.condition()).isInstanceOf(Threshold.class);
      assertThat(rule.hysteresis()).isPositive();
      assertThat(rule.cooldown()).isEqualTo(Duration.ofMinutes(10));
    }
    assertThat(threshold("local-csat-below-50")).isEqualTo(new Threshold(Bound.BELOW, 50));
    assertThat(threshold("local-nps-below-minus-15")).isEqualTo(new Threshold(Bound.BELOW, -15));
    assertThat(threshold("local-ces-above-4")).isEqualTo(new Threshold(Bound.ABOVE, 4.0));
    assertThat(threshold("local-abandonment-web-above-52"))
        .isEqualTo(new Threshold(Bound.ABOVE, 52));
    assertThat(threshold("local-abandonment-app-above-58"))
        .isEqualTo(new Threshold(Bound.ABOVE, 58));
    assertThat(threshold("local-abandonment-marketplace-above-45"))
        .isEqualTo(new Threshold(Bound.ABOVE, 45));
    assertThat(threshold("local-sla-breach-chat-above-30"))
        .isEqualTo(new Threshold(Bound.ABOVE, 30));
  }

  @Test
  void normalTrafficKeepsEveryRuleQuiet() {
    for (long seed : new long[] {42, 7}) {
      Windows windows = new Windows();
      surveys(SurveyTrafficGenerator.builder(seed, START, 50).build(), windows);
      checkouts(CheckoutTrafficGenerator.builder(seed, START, 5).build(), windows);
      tickets(TicketTrafficGenerator.builder(seed, START, 1).build(), windows);
      for (AlertRule rule : rules.rules()) {
        assertThat(windows.badWindows(rule)).as("seed %d, %s", seed, rule.id()).isZero();
      }
    }
  }

  @Test
  void csatDropFiresTheScoreRules() {
    Windows windows = new Windows();
    surveys(
        SurveyTrafficGenerator.builder(42, START, 50)
            .scoreShift(ScoreShift.incident(Channel.WEB, INCIDENT, INCIDENT_LENGTH))
            .build(),
        windows);
    assertThat(windows.badWindows(rule("local-csat-below-50"))).isPositive();
    assertThat(windows.badWindows(rule("local-nps-below-minus-15"))).isPositive();
    assertThat(windows.badWindows(rule("local-ces-above-4"))).isPositive();
  }

  @Test
  void paymentOutageFiresTheChannelsAbandonmentRule() {
    for (Channel channel : List.of(Channel.WEB, Channel.MOBILE_APP, Channel.MARKETPLACE)) {
      Windows windows = new Windows();
      checkouts(
          CheckoutTrafficGenerator.builder(42, START, 5)
              .incident(CheckoutIncident.paymentOutage(channel, INCIDENT, INCIDENT_LENGTH))
              .build(),
          windows);
      long bad =
          rules.forMetric(Metric.ABANDONMENT_RATE).stream().mapToLong(windows::badWindows).sum();
      assertThat(bad).as("payment-outage:%s", channel).isPositive();
    }
  }

  @Test
  void slowSupportOnChatFiresTheBreachRule() {
    Windows windows = new Windows();
    tickets(
        TicketTrafficGenerator.builder(42, START, 1)
            .slowdown(SupportSlowdown.incident(Channel.CHAT, INCIDENT, INCIDENT_LENGTH))
            .build(),
        windows);
    assertThat(windows.badWindows(rule("local-sla-breach-chat-above-30"))).isPositive();
  }

  private AlertRule rule(String id) {
    return rules.rule(id).orElseThrow();
  }

  private Threshold threshold(String id) {
    return (Threshold) rule(id).condition();
  }

  private static void surveys(SurveyTrafficGenerator generator, Windows windows) {
    while (true) {
      SurveyResponse response = generator.next();
      int minute = minute(response.getEventTime());
      if (minute >= MINUTES) {
        return;
      }
      String channel = response.getChannel().name().toLowerCase(Locale.ROOT);
      int score = response.getScore();
      switch (response.getSurveyType()) {
        case CSAT -> windows.add(Metric.CSAT, channel, minute, score >= 4 ? 100 : 0);
        case NPS ->
            windows.add(Metric.NPS, channel, minute, score >= 9 ? 100 : score <= 6 ? -100 : 0);
        case CES -> windows.add(Metric.CES, channel, minute, score);
        default -> {}
      }
    }
  }

  private static void checkouts(CheckoutTrafficGenerator generator, Windows windows) {
    while (true) {
      CheckoutTruth truth = generator.nextCheckout().truth();
      int minute = minute(truth.start());
      if (minute >= MINUTES) {
        return;
      }
      // Attributed to the minute the checkout started, as the job does.
      windows.add(Metric.ABANDONMENT_RATE, truth.channel(), minute, truth.completed() ? 0 : 100);
    }
  }

  private static void tickets(TicketTrafficGenerator generator, Windows windows) {
    while (true) {
      GeneratedTicket ticket = generator.nextTicket();
      if (minute(ticket.openedAt()) >= MINUTES) {
        return;
      }
      String channel = ticket.channel().name().toLowerCase(Locale.ROOT);
      // Met counts at the reply, a breach at the deadline or the late reply, as the job counts.
      switch (ticket.slaVerdict()) {
        case MET ->
            windows.add(Metric.SLA_BREACH_RATE, channel, minute(ticket.firstAgentReplyAt()), 0);
        case BREACHED_AT_DEADLINE, BREACHED_AT_REPLY ->
            windows.add(
                Metric.SLA_BREACH_RATE,
                channel,
                minute(ticket.breachCountedAt().orElseThrow()),
                100);
        case NONE -> {}
      }
    }
  }

  private static int minute(Instant time) {
    return (int) Duration.between(START, time).toMinutes();
  }

  /** Per metric and channel, per minute: sample count and sum; means over sliding windows. */
  private static final class Windows {
    private final Map<String, double[][]> sums = new HashMap<>();

    void add(Metric metric, String channel, int minute, double value) {
      if (minute >= MINUTES) {
        return;
      }
      double[] cell =
          sums.computeIfAbsent(metric.name() + "/" + channel, k -> new double[MINUTES][2])[minute];
      cell[0]++;
      cell[1] += value;
    }

    /** Windows of {@code rule} (every channel its scope covers) whose condition holds. */
    long badWindows(AlertRule rule) {
      Threshold threshold = (Threshold) rule.condition();
      int window = (int) rule.window().toMinutes();
      long bad = 0;
      for (Map.Entry<String, double[][]> series : sums.entrySet()) {
        String[] key = series.getKey().split("/");
        String channel = rule.scope().channel();
        if (!key[0].equals(rule.metric().name())
            || !(channel.equals(AlertRule.Scope.ANY) || channel.equals(key[1]))) {
          continue;
        }
        for (int end = window; end <= MINUTES; end++) {
          double samples = 0;
          double total = 0;
          for (int m = end - window; m < end; m++) {
            samples += series.getValue()[m][0];
            total += series.getValue()[m][1];
          }
          if (samples < rule.minSamples()) {
            continue;
          }
          double value = total / samples;
          if (threshold.bound() == Bound.BELOW
              ? value < threshold.value()
              : value > threshold.value()) {
            bad++;
          }
        }
      }
      return bad;
    }
  }
}
