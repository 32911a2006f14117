package io.cxpulse.jobs.alerts;

import io.cxpulse.jobs.pipeline.ClickHouseSinks;
import io.cxpulse.jobs.pipeline.ClickHouseTable;
import io.cxpulse.jobs.pipeline.KafkaConnectors;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Where alerts go: the Kafka topic (for other systems and replays), the ClickHouse table {@code
 * cx_alerts} (for dashboards: open alerts, history) and a webhook (for people).
 *
 * <p>Topic and table are at-least-once and idempotent by (alert_id, status): the topic is keyed by
 * alert id, the table is a {@code ReplacingMergeTree} ordered by (alert_id, status). The webhook is
 * at most once and never holds the job up ({@link WebhookSink}). All three carry the fields of
 * {@code schemas/alert.avsc}, mapped in one place ({@link AlertRecords}).
 *
 * <p>{@link #production} builds the real sinks; tests pass their own through the constructor.
 *
 * @param topic receives every alert
 * @param table receives every alert too
 * @param webhook receives every alert too; a {@link DiscardingSink} when no webhook is configured
 * @param evaluations receives every rule evaluation ({@link RuleEvaluation})
 */
public record AlertSinks(
    Sink<Alert> topic, Sink<Alert> table, Sink<Alert> webhook, Sink<RuleEvaluation> evaluations) {

  /** The alert topic unless configured otherwise. */
  public static final String DEFAULT_ALERT_TOPIC = "cx.alerts";

  /**
   * What the jobs write into {@code cx_alerts}: the table's columns, in bind order, from the Avro
   * record of an alert: the table holds exactly what the topic holds (names, enum spellings, nulls
   * for values that are not finite).
   */
  public static final ClickHouseTable<io.cxpulse.events.Alert> ALERT_TABLE =
      ClickHouseTable.<io.cxpulse.events.Alert>named("cx_alerts")
          .string("alert_id", io.cxpulse.events.Alert::getAlertId)
          .string("status", record -> record.getStatus().name())
          .string("rule_id", io.cxpulse.events.Alert::getRuleId)
          .string("metric", io.cxpulse.events.Alert::getMetric)
          .string("severity", record -> record.getSeverity().name())
          .string("channel", io.cxpulse.events.Alert::getChannel)
          .string("segment", io.cxpulse.events.Alert::getSegment)
          .dateTime("window_start", io.cxpulse.events.Alert::getWindowStart)
          .dateTime("window_end", io.cxpulse.events.Alert::getWindowEnd)
          .nullableFloat64("value", io.cxpulse.events.Alert::getValue)
          .nullableFloat64("baseline", io.cxpulse.events.Alert::getBaseline)
          .nullableFloat64("threshold", io.cxpulse.events.Alert::getThreshold)
          .nullableFloat64("p_value", io.cxpulse.events.Alert::getPValue)
          .int64("samples", io.cxpulse.events.Alert::getSamples)
          .nullableInt64("baseline_samples", io.cxpulse.events.Alert::getBaselineSamples)
          .string("summary", io.cxpulse.events.Alert::getSummary)
          .build();

  /** What the jobs write into {@code cx_alert_evaluations}: the table's columns, in bind order. */
  public static final ClickHouseTable<RuleEvaluation> EVALUATION_TABLE =
      ClickHouseTable.<RuleEvaluation>named("cx_alert_evaluations")
          .string("rule_id", RuleEvaluation::ruleId)
          .string("metric", RuleEvaluation::metric)
          .string("channel", RuleEvaluation::channel)
          .string("segment", RuleEvaluation::segment)
          .dateTime("window_start", RuleEvaluation::windowStart)
          .dateTime("window_end", RuleEvaluation::windowEnd)
          .string("verdict", RuleEvaluation::verdict)
          .nullableFloat64("value", RuleEvaluation::value)
          .nullableFloat64("baseline", RuleEvaluation::baseline)
          .nullableFloat64("p_value", RuleEvaluation::pValue)
          .int64("samples", RuleEvaluation::samples)
          .nullableInt64("baseline_samples", RuleEvaluation::baselineSamples)
          .int64("min_samples", RuleEvaluation::minSamples)
          .bool("firing", RuleEvaluation::firing)
          .build();

  /** Requires all four sinks. */
  public AlertSinks {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(webhook, "webhook");
    Objects.requireNonNull(evaluations, "evaluations");
  }

  /** The three alert sinks; evaluations are discarded. */
  public AlertSinks(Sink<Alert> topic, Sink<Alert> table, Sink<Alert> webhook) {
    this(topic, table, webhook, new DiscardingSink<>());
  }

  /**
   * The production sinks: Avro single-object records keyed by alert id into {@code alertTopic}
   * (at-least-once, flushed on checkpoints), JDBC rows into {@code cx_alerts} at {@code connection}
   * (at-least-once, batched by {@code execution}), and a {@link WebhookSink} to {@code
   * webhookOrNull}, or a {@link DiscardingSink} when it is null.
   */
  public static AlertSinks production(
      String bootstrapServers,
      String alertTopic,
      JdbcConnectionOptions connection,
      JdbcExecutionOptions execution,
      WebhookOptions webhookOrNull) {
    return new AlertSinks(
        topicSink(bootstrapServers, alertTopic),
        ClickHouseSinks.sink(ALERT_TABLE.insertSql(), alertStatement(), connection, execution),
        webhookOrNull == null ? new DiscardingSink<>() : new WebhookSink(webhookOrNull),
        EVALUATION_TABLE.sink(connection, execution));
  }

  /** The Kafka sink of {@link #production}. */
  public static Sink<Alert> topicSink(String bootstrapServers, String alertTopic) {
    return KafkaConnectors.atLeastOnceSink(bootstrapServers, topicSerializer(alertTopic));
  }

  /**
   * Alerts as Kafka records of {@code alertTopic}: keyed by alert id (both state changes of an
   * episode land in one partition, in order), the value the Avro record in single-object encoding.
   */
  public static KafkaRecordSerializationSchema<Alert> topicSerializer(String alertTopic) {
    return new KafkaConnectors.SingleObjectSerializationSchema<>(
        alertTopic, Alert::alertId, alert -> AlertRecords.toAvro(alert).toByteBuffer());
  }

  /**
   * Binds an {@link Alert} to the insert of {@link #ALERT_TABLE}, through its Avro record ({@link
   * AlertRecords#toAvro}), converted once per alert.
   */
  public static JdbcStatementBuilder<Alert> alertStatement() {
    JdbcStatementBuilder<io.cxpulse.events.Alert> record = ALERT_TABLE.statement();
    return (statement, alert) -> record.accept(statement, AlertRecords.toAvro(alert));
  }
}
