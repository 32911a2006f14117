package io.cxpulse.jobs.tickets;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.jobs.alerts.Alerting;
import io.cxpulse.jobs.pipeline.ClickHouseSinks;
import io.cxpulse.jobs.pipeline.JobProgress;
import io.cxpulse.jobs.pipeline.KafkaConnectors;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;

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

  /** The window table's insert; columns as in sql/migrations (cx_ticket_window). */
  public static final String WINDOW_INSERT =
      "INSERT INTO cx_ticket_window (window_start, window_end, channel, segment, priority,"
          + " tickets_opened, tickets_reopened, first_responses, first_response_sum_ms,"
          + " first_response_buckets, first_response_counts, sla_met, sla_breached,"
          + " sla_breached_unanswered, resolved, resolution_sum_ms, resolution_buckets,"
          + " resolution_counts, backlog_delta, version, awaiting_first_response_delta)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

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
        ClickHouseSinks.sink(WINDOW_INSERT, new WindowRowStatement(), connection, execution),
        KafkaConnectors.deadLetterSink(options.bootstrapServers(), options.deadLetterTopic()),
        ClickHouseSinks.deadLetterSink(TicketJob.JOB_ID, connection, execution),
        null,
        JobProgress.sink(connection, execution));
  }

  /** Binds a {@link TicketWindowRow} to {@link #WINDOW_INSERT}. */
  public static final class WindowRowStatement implements JdbcStatementBuilder<TicketWindowRow> {

    private static final long serialVersionUID = 1L;

    @Override
    public void accept(PreparedStatement ps, TicketWindowRow row) throws SQLException {
      // Instants, not LocalDateTimes: see ClickHouseSinks.
      ps.setObject(1, row.getWindowStart());
      ps.setObject(2, row.getWindowEnd());
      ps.setString(3, row.getChannel());
      ps.setString(4, row.getSegment());
      ps.setString(5, row.getPriority());
      ps.setLong(6, row.getTicketsOpened());
      ps.setLong(7, row.getTicketsReopened());
      ps.setLong(8, row.getFirstResponses());
      ps.setLong(9, row.getFirstResponseSumMillis());
      ps.setArray(10, buckets(ps, row.getFirstResponseBuckets()));
      ps.setArray(11, counts(ps, row.getFirstResponseCounts()));
      ps.setLong(12, row.getSlaMet());
      ps.setLong(13, row.getSlaBreached());
      ps.setLong(14, row.getSlaBreachedUnanswered());
      ps.setLong(15, row.getResolved());
      ps.setLong(16, row.getResolutionSumMillis());
      ps.setArray(17, buckets(ps, row.getResolutionBuckets()));
      ps.setArray(18, counts(ps, row.getResolutionCounts()));
      ps.setLong(19, row.getBacklogDelta());
      ps.setLong(20, row.getVersion());
      ps.setLong(21, row.getAwaitingFirstResponseDelta());
    }

    private static Array buckets(PreparedStatement ps, int[] indexes) throws SQLException {
      Integer[] boxed = Arrays.stream(indexes).boxed().toArray(Integer[]::new);
      return ps.getConnection().createArrayOf("UInt16", boxed);
    }

    private static Array counts(PreparedStatement ps, long[] counts) throws SQLException {
      Long[] boxed = Arrays.stream(counts).boxed().toArray(Long[]::new);
      return ps.getConnection().createArrayOf("Int64", boxed);
    }
  }
}
