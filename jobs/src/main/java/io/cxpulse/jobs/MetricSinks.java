package io.cxpulse.jobs;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.jobs.alerts.Alerting;
import io.cxpulse.jobs.pipeline.ClickHouseSinks;
import io.cxpulse.jobs.pipeline.ClickHouseTable;
import io.cxpulse.jobs.pipeline.JobProgress;
import io.cxpulse.jobs.pipeline.KafkaConnectors;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;

/**
 * Where a metric job (survey, checkout, tickets) writes: window rows, and dead letters both to a
 * Kafka topic (for replay and alerting) and to a ClickHouse table (for analysis).
 *
 * <p>{@link #production} builds the real sinks (each job names them: {@code
 * SurveyJob.productionSinks(options)}); tests pass their own through the constructor.
 *
 * @param windowRows receives every emission of every window row (all versions)
 * @param deadLetterTopic receives every dead letter
 * @param deadLetterTable receives every dead letter too
 * @param alerting the alert stage, or null for none
 * @param progress receives the job's progress records ({@link JobProgress}), or null for none
 * @param <ROW> the job's window row
 */
public record MetricSinks<ROW>(
    Sink<ROW> windowRows,
    Sink<DeadLetter> deadLetterTopic,
    Sink<DeadLetter> deadLetterTable,
    Alerting alerting,
    Sink<JobProgress.Row> progress) {

  /** Requires all three sinks; {@code alerting} and {@code progress} may be null: none. */
  public MetricSinks {
    Objects.requireNonNull(windowRows, "windowRows");
    Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
    Objects.requireNonNull(deadLetterTable, "deadLetterTable");
  }

  /** The three sinks without alerting. */
  public MetricSinks(
      Sink<ROW> windowRows, Sink<DeadLetter> deadLetterTopic, Sink<DeadLetter> deadLetterTable) {
    this(windowRows, deadLetterTopic, deadLetterTable, null, null);
  }

  /** The three sinks with {@code alerting} (null: none), without progress records. */
  public MetricSinks(
      Sink<ROW> windowRows,
      Sink<DeadLetter> deadLetterTopic,
      Sink<DeadLetter> deadLetterTable,
      Alerting alerting) {
    this(windowRows, deadLetterTopic, deadLetterTable, alerting, null);
  }

  /** These sinks with {@code alerting} (null: none). */
  public MetricSinks<ROW> withAlerting(Alerting alerting) {
    return new MetricSinks<>(windowRows, deadLetterTopic, deadLetterTable, alerting, progress);
  }

  /** These sinks with {@code progress} receiving the job's progress records (null: none). */
  public MetricSinks<ROW> withProgress(Sink<JobProgress.Row> progress) {
    return new MetricSinks<>(windowRows, deadLetterTopic, deadLetterTable, alerting, progress);
  }

  /**
   * The production sinks: JDBC into {@code windowTable}, {@code cx_dead_letters} (as {@code job})
   * and {@code cx_job_progress} at {@code connection}, and a Kafka sink into {@code
   * deadLetterTopic}; all at-least-once, flushed on checkpoints. No alerting: see {@link
   * #withAlerting}.
   *
   * @param job the job's name in ClickHouse, e.g. {@code survey}
   */
  public static <ROW> MetricSinks<ROW> production(
      ClickHouseTable<ROW> windowTable,
      String job,
      String bootstrapServers,
      String deadLetterTopic,
      JdbcConnectionOptions connection,
      JdbcExecutionOptions execution) {
    return new MetricSinks<>(
        windowTable.sink(connection, execution),
        KafkaConnectors.deadLetterSink(bootstrapServers, deadLetterTopic),
        ClickHouseSinks.deadLetterSink(job, connection, execution),
        null,
        JobProgress.sink(connection, execution));
  }
}
