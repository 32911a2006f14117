package io.cxpulse.jobs.pipeline;

import io.cxpulse.events.DeadLetter;
import java.nio.ByteBuffer;
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
 * <p>What goes into each table is declared once, as a {@link ClickHouseTable}.
 */
public final class ClickHouseSinks {

  /** The ClickHouse JDBC driver class. */
  public static final String DRIVER = "com.clickhouse.jdbc.Driver";

  /**
   * The driver's option that sends a batch of a plain {@code INSERT INTO t (cols) VALUES (?, …)} as
   * binary {@code RowBinary} data (described once per prepared statement by a {@code DESCRIBE
   * TABLE}) instead of one VALUES text statement; set for the tables declared with {@link
   * ClickHouseTable.Builder#binaryRows()}.
   *
   * <p>Why: measured into the embedded engine with {@code cx_survey_window} rows, the text path
   * spent its time having the engine parse, canonicalise (the server's SQL guard) and evaluate
   * every literal of a statement of about 90 bytes per row: 23 k rows/s in batches of 1,000, 64 k
   * in batches of 10,000, and slower again at 50,000. The binary body goes to the engine as a file
   * the SQL never mentions: 46 k rows/s at 1,000, 160 k at 10,000 and 240 to 260 k at 50,000.
   *
   * <p>Only per table, because the driver (0.11.0) sends {@code INSERT INTO t FORMAT RowBinary}
   * without the statement's column list: the rows must hold every column of the table in the
   * table's order, or they land in the wrong columns.
   */
  public static final String ROW_BINARY_INSERTS = "beta.row_binary_for_simple_insert";

  /** {@code connection} with inserts sent as binary rows ({@link #ROW_BINARY_INSERTS}). */
  public static JdbcConnectionOptions withBinaryRows(JdbcConnectionOptions connection) {
    JdbcConnectionOptions.JdbcConnectionOptionsBuilder builder =
        new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
            .withUrl(connection.getDbURL())
            .withDriverName(connection.getDriverName())
            .withConnectionCheckTimeoutSeconds(connection.getConnectionCheckTimeoutSeconds());
    connection
        .getProperties()
        .forEach((name, value) -> builder.withProperty((String) name, (String) value));
    return builder.withProperty(ROW_BINARY_INSERTS, "true").build();
  }

  /** Retries of a failed batch before the sink fails the job (which then restarts). */
  public static final int MAX_RETRIES = 3;

  /** The earliest instant a ClickHouse {@code DateTime64} column holds. */
  public static final Instant DATETIME64_MIN = Instant.parse("1900-01-01T00:00:00Z");

  /** The latest instant a ClickHouse {@code DateTime64(3)} column holds. */
  public static final Instant DATETIME64_MAX = Instant.parse("2299-12-31T23:59:59.999Z");

  private ClickHouseSinks() {}

  /**
   * Whether ClickHouse can store {@code instant} in a {@code DateTime64(3)} column. Outside, the
   * engine does not clamp: such a value fails the whole batch (measured with the driver's text
   * path: a dead letter of an event_time in microseconds failed every retry and took the task
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
   * What {@code job} writes into {@code cx_dead_letters}: the table's columns, in bind order. The
   * job is the writer's, not the dead letter's: the Avro record on the dead-letter topic has no
   * such field.
   *
   * @param job the job writing, as in {@code cx_job_progress} (e.g. {@code survey}): two jobs' dead
   *     letters of one Kafka record are two rows
   * @throws IllegalArgumentException if {@code job} is blank
   */
  public static ClickHouseTable<DeadLetter> deadLetterTable(String job) {
    if (job == null || job.isBlank()) {
      throw new IllegalArgumentException("a dead letter's job must not be blank");
    }
    return ClickHouseTable.<DeadLetter>named("cx_dead_letters")
        .dateTime("dead_lettered_at", DeadLetter::getDeadLetteredAt)
        .string("reason", deadLetter -> deadLetter.getReason().name())
        .string("detail", DeadLetter::getDetail)
        .string("source_topic", DeadLetter::getSourceTopic)
        .int32("source_partition", DeadLetter::getSourcePartition)
        .int64("source_offset", DeadLetter::getSourceOffset)
        .nullableString("event_id", DeadLetter::getEventId)
        // An event_time outside the column's range is exactly what some dead letters are about;
        // the detail already names it, so the column is left empty rather than failing the batch.
        .nullableDateTime(
            "event_time",
            deadLetter ->
                deadLetter.getEventTime() == null || !fitsDateTime64(deadLetter.getEventTime())
                    ? null
                    : deadLetter.getEventTime())
        .int32("raw_length", DeadLetter::getRawLength)
        // Bytes, not text: the driver sends them unchanged, so any byte survives.
        .bytes("raw_prefix", deadLetter -> toBytes(deadLetter.getRawPrefix()))
        .string("job", deadLetter -> job)
        .binaryRows()
        .build();
  }

  /**
   * The sink of {@code job}'s dead letters into {@code cx_dead_letters} ({@link #deadLetterTable}).
   */
  public static ClickHouseSink<DeadLetter> deadLetterSink(
      String job, JdbcConnectionOptions connection, JdbcExecutionOptions execution) {
    return deadLetterTable(job).sink(connection, execution);
  }

  private static byte[] toBytes(ByteBuffer buffer) {
    ByteBuffer view = buffer.duplicate();
    byte[] bytes = new byte[view.remaining()];
    view.get(bytes);
    return bytes;
  }
}
