package io.cxpulse.jobs.pipeline;

import io.cxpulse.events.DeadLetter;
import java.nio.ByteBuffer;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;

/**
 * JDBC sinks into ClickHouse through the ClickHouse JDBC driver.
 *
 * <p>All sinks are at-least-once: the JDBC writer flushes its batch on every checkpoint (and when
 * the batch is full or the interval passed), and a replay after a failure writes some rows again.
 * The tables are {@code ReplacingMergeTree}s keyed so that a repeated row replaces its first copy,
 * which makes the writes effectively idempotent.
 *
 * <p>Timestamps are bound as {@link Instant}s, which the driver sends as epoch-based {@code
 * fromUnixTimestamp64Nano(…)}; a {@code LocalDateTime} would be read in the JVM's default time zone
 * and shift every row on a machine not running in UTC.
 */
public final class ClickHouseSinks {

  /** The ClickHouse JDBC driver class. */
  public static final String DRIVER = "com.clickhouse.jdbc.Driver";

  /** Retries of a failed batch before the sink fails the job (which then restarts). */
  public static final int MAX_RETRIES = 3;

  /**
   * The dead-letter table's insert; columns as in sql/migrations (cx_dead_letters). The job is the
   * writer's, not the dead letter's: the Avro record on the dead-letter topic has no such field.
   */
  public static final String DEAD_LETTER_INSERT =
      "INSERT INTO cx_dead_letters (dead_lettered_at, reason, detail, source_topic,"
          + " source_partition, source_offset, event_id, event_time, raw_length, raw_prefix, job)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  /** The earliest instant a ClickHouse {@code DateTime64} column holds. */
  public static final Instant DATETIME64_MIN = Instant.parse("1900-01-01T00:00:00Z");

  /** The latest instant a ClickHouse {@code DateTime64(3)} column holds. */
  public static final Instant DATETIME64_MAX = Instant.parse("2299-12-31T23:59:59.999Z");

  private ClickHouseSinks() {}

  /**
   * Whether ClickHouse can store {@code instant} in a {@code DateTime64(3)} column. Outside, the
   * engine does not clamp: the driver's {@code fromUnixTimestamp64Nano(…)} fails the whole batch
   * (measured: a dead letter of an event_time in microseconds failed every retry and took the task
   * manager down with it).
   */
  public static boolean fitsDateTime64(Instant instant) {
    return !instant.isBefore(DATETIME64_MIN) && !instant.isAfter(DATETIME64_MAX);
  }

  /**
   * Connection options for {@code url}; the password is only held, never logged.
   *
   * @param password may be null or empty for none
   */
  public static JdbcConnectionOptions connectionOptions(String url, String user, String password) {
    JdbcConnectionOptions.JdbcConnectionOptionsBuilder builder =
        new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
            .withUrl(url)
            .withDriverName(DRIVER)
            .withUsername(user);
    if (password != null && !password.isEmpty()) {
      builder.withPassword(password);
    }
    return builder.build();
  }

  /** Batches of up to {@code batchSize} rows, flushed at least every {@code flushInterval}. */
  public static JdbcExecutionOptions executionOptions(int batchSize, Duration flushInterval) {
    return JdbcExecutionOptions.builder()
        .withBatchSize(batchSize)
        .withBatchIntervalMs(flushInterval.toMillis())
        .withMaxRetries(MAX_RETRIES)
        .build();
  }

  /**
   * An at-least-once sink running {@code sql} with parameters set by {@code statement}: Flink's
   * JDBC sink, wrapped so that a failed batch can never take the task manager down ({@link
   * ClickHouseSink}).
   */
  public static <T> ClickHouseSink<T> sink(
      String sql,
      JdbcStatementBuilder<T> statement,
      JdbcConnectionOptions connection,
      JdbcExecutionOptions execution) {
    return new ClickHouseSink<>(
        JdbcSink.<T>builder()
            .withQueryStatement(sql, statement)
            .withExecutionOptions(execution)
            .buildAtLeastOnce(connection));
  }

  /**
   * The sink of {@code job}'s dead letters into {@code cx_dead_letters}.
   *
   * @param job the job writing, as in {@code cx_job_progress} (e.g. {@code survey}): two jobs' dead
   *     letters of one Kafka record are two rows
   */
  public static ClickHouseSink<DeadLetter> deadLetterSink(
      String job, JdbcConnectionOptions connection, JdbcExecutionOptions execution) {
    return sink(DEAD_LETTER_INSERT, new DeadLetterStatement(job), connection, execution);
  }

  /** Binds a dead letter of one job to {@link #DEAD_LETTER_INSERT}. */
  public static final class DeadLetterStatement implements JdbcStatementBuilder<DeadLetter> {

    private static final long serialVersionUID = 1L;

    private final String job;

    /**
     * @param job the job whose dead letters these are, never blank
     */
    public DeadLetterStatement(String job) {
      if (job == null || job.isBlank()) {
        throw new IllegalArgumentException("a dead letter's job must not be blank");
      }
      this.job = job;
    }

    @Override
    public void accept(PreparedStatement ps, DeadLetter deadLetter) throws SQLException {
      ps.setObject(1, deadLetter.getDeadLetteredAt());
      ps.setString(2, deadLetter.getReason().name());
      ps.setString(3, deadLetter.getDetail());
      ps.setString(4, deadLetter.getSourceTopic());
      ps.setInt(5, deadLetter.getSourcePartition());
      ps.setLong(6, deadLetter.getSourceOffset());
      if (deadLetter.getEventId() == null) {
        ps.setNull(7, Types.VARCHAR);
      } else {
        ps.setString(7, deadLetter.getEventId());
      }
      // An event_time outside the column's range is exactly what some dead letters are about; the
      // detail already names it, so the column is left empty rather than failing the batch.
      if (deadLetter.getEventTime() == null || !fitsDateTime64(deadLetter.getEventTime())) {
        ps.setNull(8, Types.TIMESTAMP);
      } else {
        ps.setObject(8, deadLetter.getEventTime());
      }
      ps.setInt(9, deadLetter.getRawLength());
      // Bytes, not text: the driver sends them as unhex('…'), so any byte survives.
      ps.setBytes(10, toBytes(deadLetter.getRawPrefix()));
      ps.setString(11, job);
    }

    private static byte[] toBytes(ByteBuffer buffer) {
      ByteBuffer view = buffer.duplicate();
      byte[] bytes = new byte[view.remaining()];
      view.get(bytes);
      return bytes;
    }
  }
}
