package io.cxpulse.jobs.checkout;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.jobs.alerts.Alerting;
import io.cxpulse.jobs.pipeline.ClickHouseSinks;
import io.cxpulse.jobs.pipeline.JobProgress;
import io.cxpulse.jobs.pipeline.KafkaConnectors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;

/**
 * Where the checkout job writes: window rows, and dead letters both to a Kafka topic (for replay
 * and alerting) and to a ClickHouse table (for analysis), exactly as the survey job does.
 *
 * <p>{@link #production} builds the real sinks; tests pass their own through the constructor.
 *
 * @param windowRows receives every emission of every window row (all versions)
 * @param deadLetterTopic receives every dead letter
 * @param deadLetterTable receives every dead letter too
 * @param alerting the alert stage, or null for none
 * @param progress receives the job's progress records ({@link JobProgress}), or null for none
 */
public record CheckoutSinks(
    Sink<CheckoutWindowRow> windowRows,
    Sink<DeadLetter> deadLetterTopic,
    Sink<DeadLetter> deadLetterTable,
    Alerting alerting,
    Sink<JobProgress.Row> progress) {

  /** The window table's insert; columns as in sql/migrations (cx_checkout_window). */
  public static final String WINDOW_INSERT =
      "INSERT INTO cx_checkout_window (window_start, window_end, channel, segment, started,"
          + " completed, abandoned, abandoned_value_currencies, abandoned_value_minor,"
          + " abandoned_steps, abandoned_step_counts, abandoned_reasons, abandoned_reason_counts,"
          + " completion_time_buckets, completion_time_counts, completion_time_sum_ms, version,"
          + " pending) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  /** Requires all three sinks; {@code alerting} may be null: no alerts. */
  public CheckoutSinks {
    Objects.requireNonNull(windowRows, "windowRows");
    Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
    Objects.requireNonNull(deadLetterTable, "deadLetterTable");
  }

  /** The three sinks without alerting. */
  public CheckoutSinks(
      Sink<CheckoutWindowRow> windowRows,
      Sink<DeadLetter> deadLetterTopic,
      Sink<DeadLetter> deadLetterTable) {
    this(windowRows, deadLetterTopic, deadLetterTable, null, null);
  }

  /** The three sinks with {@code alerting} (null: none), without progress records. */
  public CheckoutSinks(
      Sink<CheckoutWindowRow> windowRows,
      Sink<DeadLetter> deadLetterTopic,
      Sink<DeadLetter> deadLetterTable,
      Alerting alerting) {
    this(windowRows, deadLetterTopic, deadLetterTable, alerting, null);
  }

  /** These sinks with {@code alerting} (null: none). */
  public CheckoutSinks withAlerting(Alerting alerting) {
    return new CheckoutSinks(windowRows, deadLetterTopic, deadLetterTable, alerting, progress);
  }

  /** These sinks with {@code progress} receiving the job's progress records (null: none). */
  public CheckoutSinks withProgress(Sink<JobProgress.Row> progress) {
    return new CheckoutSinks(windowRows, deadLetterTopic, deadLetterTable, alerting, progress);
  }

  /**
   * The production sinks: JDBC into {@code cx_checkout_window} and {@code cx_dead_letters} at the
   * ClickHouse of {@code options}, and a Kafka sink into its dead-letter topic; all at-least-once,
   * flushed on checkpoints.
   */
  public static CheckoutSinks production(CheckoutJobOptions options) {
    JdbcConnectionOptions connection =
        ClickHouseSinks.connectionOptions(
            options.clickhouseUrl(), options.clickhouseUser(), options.clickhousePassword());
    JdbcExecutionOptions execution =
        ClickHouseSinks.executionOptions(options.jdbcBatchSize(), options.jdbcFlushInterval());
    return new CheckoutSinks(
        ClickHouseSinks.sink(WINDOW_INSERT, new WindowRowStatement(), connection, execution),
        KafkaConnectors.deadLetterSink(options.bootstrapServers(), options.deadLetterTopic()),
        ClickHouseSinks.deadLetterSink(CheckoutJob.JOB_ID, connection, execution),
        null,
        JobProgress.sink(connection, execution));
  }

  /** Binds a {@link CheckoutWindowRow} to {@link #WINDOW_INSERT}. */
  public static final class WindowRowStatement implements JdbcStatementBuilder<CheckoutWindowRow> {

    private static final long serialVersionUID = 1L;

    @Override
    public void accept(PreparedStatement ps, CheckoutWindowRow row) throws SQLException {
      Connection connection = ps.getConnection();
      // Instants, not LocalDateTimes: see ClickHouseSinks.
      ps.setObject(1, row.getWindowStart());
      ps.setObject(2, row.getWindowEnd());
      ps.setString(3, row.getChannel());
      ps.setString(4, row.getSegment());
      ps.setLong(5, row.getStarted());
      ps.setLong(6, row.getCompleted());
      ps.setLong(7, row.getAbandoned());
      ps.setArray(8, connection.createArrayOf("String", row.getAbandonedValueCurrencies()));
      ps.setArray(9, connection.createArrayOf("Int64", boxed(row.getAbandonedValueMinor())));
      ps.setArray(10, connection.createArrayOf("String", row.getAbandonedSteps()));
      ps.setArray(11, connection.createArrayOf("Int64", boxed(row.getAbandonedStepCounts())));
      ps.setArray(12, connection.createArrayOf("String", row.getAbandonedReasons()));
      ps.setArray(13, connection.createArrayOf("Int64", boxed(row.getAbandonedReasonCounts())));
      Integer[] buckets =
          Arrays.stream(row.getCompletionTimeBuckets()).boxed().toArray(Integer[]::new);
      ps.setArray(14, connection.createArrayOf("UInt16", buckets));
      ps.setArray(15, connection.createArrayOf("Int64", boxed(row.getCompletionTimeCounts())));
      ps.setLong(16, row.getCompletionTimeSumMillis());
      ps.setLong(17, row.getVersion());
      ps.setLong(18, row.getPending());
    }

    private static Long[] boxed(long[] values) {
      return Arrays.stream(values).boxed().toArray(Long[]::new);
    }
  }
}
