package io.cxpulse.jobs.tickets;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.jobs.alerts.Alerting;
import io.cxpulse.jobs.pipeline.ClickHouseSinks;
import io.cxpulse.jobs.pipeline.JobProgress;
import io.cxpulse.jobs.pipeline.KafkaConnectors;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;

/**
 * Where the ticket job writes: window rows, and dead letters both to a Kafka topic (for replay and
 * alerting) and to a ClickHouse table (for analysis).
 *
 * <p>{@link #production} builds the real sinks; tests pass their own through the constructor.
 *
 * @param windowRows receives every emission of every window row (all versions)
 * @param deadLetterTopic receives every dead letter
 * @param deadLetterTable receives every dead letter too
 * @param alerting the alert stage, or null for none
 * @param progress receives the job's progress records ({@link JobProgress}), or null for none
 */
public record TicketSinks(
    Sink<TicketWindowRow> windowRows,
    Sink<DeadLetter> deadLetterTopic,
    Sink<DeadLetter> deadLetterTable,
    Alerting alerting,
    Sink<JobProgress.Row> progress) {

  /** Requires all three sinks; {@code alerting} may be null: no alerts. */
  public TicketSinks {
    Objects.requireNonNull(windowRows, "windowRows");
    Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
    Objects.requireNonNull(deadLetterTable, "deadLetterTable");
  }

  /** The three sinks without alerting. */
  public TicketSinks(
      Sink<TicketWindowRow> windowRows,
      Sink<DeadLetter> deadLetterTopic,
      Sink<DeadLetter> deadLetterTable) {
    this(windowRows, deadLetterTopic, deadLetterTable, null, null);
  }

  /** The three sinks with {@code alerting} (null: none), without progress records. */
  public TicketSinks(
      Sink<TicketWindowRow> windowRows,
      Sink<DeadLetter> deadLetterTopic,
      Sink<DeadLetter> deadLetterTable,
      Alerting alerting) {
    this(windowRows, deadLetterTopic, deadLetterTable, alerting, null);
  }

  /** These sinks with {@code alerting} (null: none). */
  public TicketSinks withAlerting(Alerting alerting) {
    return new TicketSinks(windowRows, deadLetterTopic, deadLetterTable, alerting, progress);
  }

  /** These sinks with {@code progress} receiving the job's progress records (null: none). */
  public TicketSinks withProgress(Sink<JobProgress.Row> progress) {
    return new TicketSinks(windowRows, deadLetterTopic, deadLetterTable, alerting, progress);
  }

  /**
   * The production sinks: JDBC into {@code cx_ticket_window} and {@code cx_dead_letters} at the
   * ClickHouse of {@code options}, and a Kafka sink into its dead-letter topic; all at-least-once,
   * flushed on checkpoints.
   */
  public static TicketSinks production(TicketJobOptions options) {
    JdbcConnectionOptions connection =
        ClickHouseSinks.connectionOptions(
            options.clickhouseUrl(), options.clickhouseUser(), options.clickhousePassword());
    JdbcExecutionOptions execution =
        ClickHouseSinks.executionOptions(options.jdbcBatchSize(), options.jdbcFlushInterval());
    return new TicketSinks(
        TicketWindowRow.TABLE.sink(connection, execution),
        KafkaConnectors.deadLetterSink(options.bootstrapServers(), options.deadLetterTopic()),
        ClickHouseSinks.deadLetterSink(TicketJob.JOB_ID, connection, execution),
        null,
        JobProgress.sink(connection, execution));
  }
}
