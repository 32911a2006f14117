package io.cxpulse.jobs.alerts;

import io.cxpulse.jobs.pipeline.ClickHouseSinks;
import io.cxpulse.jobs.pipeline.KafkaConnectors;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
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

  /** The alert table's insert; columns as in sql/migrations (cx_alerts). */
  public static final String ALERT_INSERT =
      "INSERT INTO cx_alerts (alert_id, status, rule_id, metric, severity, channel, segment,"
          + " window_start, window_end, value, baseline, threshold, p_value, samples,"
          + " baseline_samples, summary)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  /** The rule-evaluation table's insert; columns as in sql/migrations (cx_alert_evaluations). */
  public static final String EVALUATION_INSERT =
      "INSERT INTO cx_alert_evaluations (rule_id, metric, channel, segment, window_start,"
          + " window_end, verdict, value, baseline, p_value, samples, baseline_samples,"
          + " min_samples, firing) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

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
        ClickHouseSinks.sink(ALERT_INSERT, new AlertStatement(), connection, execution),
        webhookOrNull == null ? new DiscardingSink<>() : new WebhookSink(webhookOrNull),
        ClickHouseSinks.sink(EVALUATION_INSERT, new EvaluationStatement(), connection, execution));
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

  /** Binds a {@link RuleEvaluation} to {@link #EVALUATION_INSERT}. */
  public static final class EvaluationStatement implements JdbcStatementBuilder<RuleEvaluation> {

    private static final long serialVersionUID = 1L;

    @Override
    public void accept(PreparedStatement ps, RuleEvaluation evaluation) throws SQLException {
      ps.setString(1, evaluation.ruleId());
      ps.setString(2, evaluation.metric());
      ps.setString(3, evaluation.channel());
      ps.setString(4, evaluation.segment());
      // Instants, not LocalDateTimes: see ClickHouseSinks.
      ps.setObject(5, evaluation.windowStart());
      ps.setObject(6, evaluation.windowEnd());
      ps.setString(7, evaluation.verdict());
      AlertStatement.setDouble(ps, 8, evaluation.value());
      AlertStatement.setDouble(ps, 9, evaluation.baseline());
      AlertStatement.setDouble(ps, 10, evaluation.pValue());
      ps.setLong(11, evaluation.samples());
      if (evaluation.baselineSamples() == null) {
        ps.setNull(12, Types.BIGINT);
      } else {
        ps.setLong(12, evaluation.baselineSamples());
      }
      ps.setLong(13, evaluation.minSamples());
      ps.setBoolean(14, evaluation.firing());
    }
  }

  /** Binds an {@link Alert}, through its Avro record, to {@link #ALERT_INSERT}. */
  public static final class AlertStatement implements JdbcStatementBuilder<Alert> {

    private static final long serialVersionUID = 1L;

    @Override
    public void accept(PreparedStatement ps, Alert alert) throws SQLException {
      // The Avro record, not the Alert: the table holds exactly what the topic holds (names,
      // enum spellings, nulls for values that are not finite).
      io.cxpulse.events.Alert record = AlertRecords.toAvro(alert);
      ps.setString(1, record.getAlertId());
      ps.setString(2, record.getStatus().name());
      ps.setString(3, record.getRuleId());
      ps.setString(4, record.getMetric());
      ps.setString(5, record.getSeverity().name());
      ps.setString(6, record.getChannel());
      ps.setString(7, record.getSegment());
      // Instants, not LocalDateTimes: see ClickHouseSinks.
      ps.setObject(8, record.getWindowStart());
      ps.setObject(9, record.getWindowEnd());
      setDouble(ps, 10, record.getValue());
      setDouble(ps, 11, record.getBaseline());
      setDouble(ps, 12, record.getThreshold());
      setDouble(ps, 13, record.getPValue());
      ps.setLong(14, record.getSamples());
      if (record.getBaselineSamples() == null) {
        ps.setNull(15, Types.BIGINT);
      } else {
        ps.setLong(15, record.getBaselineSamples());
      }
      ps.setString(16, record.getSummary());
    }

    static void setDouble(PreparedStatement ps, int index, Double value) throws SQLException {
      if (value == null) {
        ps.setNull(index, Types.DOUBLE);
      } else {
        ps.setDouble(index, value);
      }
    }
  }
}
