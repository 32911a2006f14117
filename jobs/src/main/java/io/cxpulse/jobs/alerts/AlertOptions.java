package io.cxpulse.jobs.alerts;

import io.cxpulse.jobs.pipeline.ClickHouseOptions;
import io.cxpulse.jobs.pipeline.DurationConverter;
import io.cxpulse.jobs.pipeline.KafkaOptions;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * How a metric job alerts: the rules file, the alert topic, the webhook, or none of it. {@link
 * Flags} are its command-line flags, the same in every metric job and in local mode.
 *
 * @param rulesFile the rules, or null for the shipped ones (local mode: its own)
 * @param disabled whether {@code --no-alerts} was given: no rules are read, no alert stage built
 * @param topic the Kafka topic alerts go to
 * @param webhookUrl the http(s) URL alerts are POSTed to, or null; never shown (it may hold a
 *     token)
 * @param webhookTimeout connect and request timeout of the webhook
 */
public record AlertOptions(
    Path rulesFile, boolean disabled, String topic, String webhookUrl, Duration webhookTimeout)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The shipped rules, the default topic, no webhook. */
  public static final AlertOptions DEFAULTS =
      new AlertOptions(
          null, false, AlertSinks.DEFAULT_ALERT_TOPIC, null, WebhookOptions.DEFAULT_TIMEOUT);

  public AlertOptions {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(webhookTimeout, "webhookTimeout");
    if (webhookUrl != null && webhookUrl.isBlank()) {
      webhookUrl = null;
    }
  }

  /**
   * The alerting flags among a job's arguments, the others ignored: for checks that a deployment
   * (docker-compose.yml) and the job agree on the alert topic.
   */
  public static AlertOptions parse(String... args) {
    Flags flags = new Flags();
    new CommandLine(flags).setUnmatchedArgumentsAllowed(true).parseArgs(args);
    return flags.options();
  }

  /** Whether a webhook URL is configured (the URL itself is never shown: it may hold a token). */
  public boolean hasWebhook() {
    return webhookUrl != null;
  }

  /** The rules: the file given, else the shipped ones. */
  public AlertRules rules() {
    return rules(AlertRules::defaults);
  }

  /**
   * The rules: the file given, else {@code fallback}'s. The local mode passes its own rules here,
   * because the shipped ones compare with 7-day baselines that a fresh local mode does not have.
   */
  public AlertRules rules(Supplier<AlertRules> fallback) {
    if (rulesFile == null) {
      return fallback.get();
    }
    try {
      return AlertRules.load(rulesFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read alert rules " + rulesFile, e);
    }
  }

  /**
   * The job's alert stage, or null with {@code --no-alerts}: alerts go to the job's Kafka and
   * ClickHouse, batched as the job's other ClickHouse sinks are.
   *
   * @param evaluationDelay see {@link Alerting#evaluationDelay()}
   * @throws IllegalArgumentException if the rules file is invalid (the message names the line and
   *     field) or the webhook URL is not an http(s) URL
   */
  public Alerting alerting(
      KafkaOptions kafka,
      ClickHouseOptions clickHouse,
      RuntimeOptions runtime,
      Duration evaluationDelay) {
    // --no-alerts reads no rules file at all.
    return disabled ? null : alerting(kafka, clickHouse, runtime, evaluationDelay, rules());
  }

  /**
   * Like {@link #alerting(KafkaOptions, ClickHouseOptions, RuntimeOptions, Duration)}, with {@code
   * rules} instead of reading them (read them once with {@link #rules(Supplier)} when several jobs
   * share them, as the local mode does).
   */
  public Alerting alerting(
      KafkaOptions kafka,
      ClickHouseOptions clickHouse,
      RuntimeOptions runtime,
      Duration evaluationDelay,
      AlertRules rules) {
    if (disabled) {
      return null;
    }
    WebhookOptions webhook =
        webhookUrl == null ? null : WebhookOptions.of(webhookUrl).withTimeout(webhookTimeout);
    return new Alerting(
        rules,
        evaluationDelay,
        AlertSinks.production(
            kafka.bootstrapServers(),
            topic,
            clickHouse.connectionOptions(),
            runtime.jdbcExecutionOptions(),
            webhook));
  }

  /** Without the webhook URL, which may hold a token (Slack's incoming webhooks do). */
  @Override
  public String toString() {
    return "AlertOptions[rulesFile="
        + rulesFile
        + ", disabled="
        + disabled
        + ", topic="
        + topic
        + ", webhook="
        + (hasWebhook() ? "(set)" : "none")
        + ", webhookTimeout="
        + webhookTimeout
        + "]";
  }

  /** The alerting flags, as a picocli mixin. */
  public static final class Flags {

    @Option(
        names = "--alert-rules",
        paramLabel = "FILE",
        description =
            "Alert rules (YAML, see alert-rules.yaml in the job jar; default: the shipped rules,"
                + " in the local mode its own local-alert-rules.yaml).")
    private Path rulesFile;

    @Option(names = "--no-alerts", description = "Evaluate no alert rules.")
    private boolean disabled;

    @Option(
        names = "--alert-topic",
        defaultValue = AlertSinks.DEFAULT_ALERT_TOPIC,
        description = "Kafka topic of alerts (default: ${DEFAULT-VALUE}).")
    private String topic;

    @Option(
        names = "--alert-webhook-url",
        paramLabel = "URL",
        defaultValue = "${env:CX_PULSE_ALERT_WEBHOOK_URL}",
        description =
            "http(s) URL alerts are POSTed to as JSON, e.g. a Slack incoming webhook (default: the"
                + " environment variable CX_PULSE_ALERT_WEBHOOK_URL, else none). Never logged: it"
                + " may hold a token.")
    private String webhookUrl;

    @Option(
        names = "--alert-webhook-timeout",
        defaultValue = WebhookOptions.DEFAULT_TIMEOUT_TEXT,
        converter = DurationConverter.class,
        description = "Connect and request timeout of the webhook (default: ${DEFAULT-VALUE}).")
    private Duration webhookTimeout;

    /** The options these flags give. */
    public AlertOptions options() {
      return new AlertOptions(rulesFile, disabled, topic, webhookUrl, webhookTimeout);
    }
  }
}
