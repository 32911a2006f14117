package io.cxpulse.jobs.pipeline;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * How far a job's rows are complete and final, in event time, written to {@code cx_job_progress} as
 * the watermark moves, so that views, dashboards and the live summary can tell a minute that is
 * still filling from one that is done.
 *
 * <ul>
 *   <li><b>complete</b>: a window ending at or before {@code complete_before} has had all its
 *       on-time data; only late data can still change it (a new row version).
 *   <li><b>final</b>: a window ending at or before {@code final_before} can no longer change: its
 *       allowed lateness has passed.
 * </ul>
 *
 * <p>A window {@code [start, end)} fires when the watermark reaches {@code end − 1} and takes late
 * data while the watermark is below {@code end − 1 + allowedLateness}. A job whose rows wait for a
 * decision after the window (a checkout is decided an inactivity timeout after its last step, a
 * driver-split survey waits for its ticket's outcome) adds that wait as its completion delay. Both
 * instants are rounded down to a window boundary.
 *
 * <p><b>The first window of a run</b> ({@code run_first_window}) holds only what this run read: a
 * job started on a topic mid-minute, or started again without its state (its open windows' earlier
 * part was in the state it lost), writes that window's row from part of its data. The views mark it
 * partial, never complete. A run restored from a checkpoint or savepoint keeps its first window.
 */
public final class JobProgress {

  /** What the jobs write into {@code cx_job_progress}: the table's columns, in bind order. */
  public static final ClickHouseTable<Row> TABLE =
      ClickHouseTable.<Row>named("cx_job_progress")
          .string("job", Row::job)
          .string("table_name", Row::table)
          // Clamped: a watermark before any event (Long.MIN_VALUE + 1) is not a DateTime64.
          .dateTime("watermark", row -> clamp(row.watermark()))
          .dateTime("complete_before", row -> clamp(row.completeBefore()))
          .dateTime("final_before", row -> clamp(row.finalBefore()))
          .dateTime("updated_at", Row::updatedAt)
          .nullableDateTime(
              "run_first_window",
              row -> row.runFirstWindow() == null ? null : clamp(row.runFirstWindow()))
          .build();

  private JobProgress() {}

  /**
   * One progress record.
   *
   * @param job e.g. {@code survey}
   * @param table the window table the record is about, e.g. {@code cx_survey_window}
   * @param watermark the job's event-time watermark
   * @param completeBefore windows ending at or before this are complete
   * @param finalBefore windows ending at or before this are final
   * @param updatedAt when the job wrote the record (processing time)
   * @param runFirstWindow the start of the earliest window this run wrote a row for; null before
   *     its first row
   */
  public record Row(
      String job,
      String table,
      Instant watermark,
      Instant completeBefore,
      Instant finalBefore,
      Instant updatedAt,
      Instant runFirstWindow) {}

  /** Where a window row's window starts. */
  @FunctionalInterface
  public interface WindowStart<T> extends Serializable {
    Instant of(T row);
  }

  /**
   * What a job's rows wait for.
   *
   * @param job the job's name in {@code cx_job_progress}
   * @param table the window table
   * @param window the tumbling window size
   * @param completionDelay how long after the watermark passes a window's end its rows still wait
   *     for decisions (zero when a window's row is complete once it fired)
   * @param allowedLateness how long after that late data still changes it
   */
  public record Spec(
      String job, String table, Duration window, Duration completionDelay, Duration allowedLateness)
      implements Serializable {

    public Spec {
      Objects.requireNonNull(job, "job");
      Objects.requireNonNull(table, "table");
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("window must be positive: " + window);
      }
      if (completionDelay.isNegative() || allowedLateness.isNegative()) {
        throw new IllegalArgumentException("delays must not be negative");
      }
    }

    /** Windows ending at or before the result are complete at {@code watermark}. */
    public long completeBefore(long watermark) {
      return floorToWindow(Math.subtractExact(watermark + 1, completionDelay.toMillis()));
    }

    /** Windows ending at or before the result are final at {@code watermark}. */
    public long finalBefore(long watermark) {
      return floorToWindow(
          Math.subtractExact(
              watermark + 1, completionDelay.toMillis() + allowedLateness.toMillis()));
    }

    /**
     * The record at {@code watermark}, written at {@code now}, of a run whose first window starts
     * at {@code runFirstWindow} (null: no row yet).
     */
    public Row row(long watermark, long now, Instant runFirstWindow) {
      return new Row(
          job,
          table,
          Instant.ofEpochMilli(watermark),
          Instant.ofEpochMilli(completeBefore(watermark)),
          Instant.ofEpochMilli(finalBefore(watermark)),
          Instant.ofEpochMilli(now),
          runFirstWindow);
    }

    private long floorToWindow(long millis) {
      return Math.floorDiv(millis, window.toMillis()) * window.toMillis();
    }
  }

  /**
   * Writes progress records of {@code rows}' watermark to {@code sink}: one operator at parallelism
   * 1 after {@code rows} (so it sees the minimum watermark over all of them, and every row), uid
   * {@code <uidPrefix>-progress}, and its sink, uid {@code <uidPrefix>-progress-sink}.
   */
  public static <T> void apply(
      DataStream<T> rows, WindowStart<T> windowStart, Spec spec, Sink<Row> sink, String uidPrefix) {
    rows.transform(
            spec.job() + " progress of " + spec.table(),
            TypeInformation.of(Row.class),
            new ProgressOperator<>(spec, windowStart))
        .setParallelism(1)
        .uid(uidPrefix + "-progress")
        .sinkTo(sink)
        .setParallelism(1)
        .name(spec.table() + " progress sink")
        .uid(uidPrefix + "-progress-sink");
  }

  /** The sink into {@code cx_job_progress}. */
  public static ClickHouseSink<Row> sink(
      JdbcConnectionOptions connection, JdbcExecutionOptions execution) {
    return TABLE.sink(connection, execution);
  }

  private static Instant clamp(Instant instant) {
    if (instant.isBefore(ClickHouseSinks.DATETIME64_MIN)) {
      return ClickHouseSinks.DATETIME64_MIN;
    }
    return instant.isAfter(ClickHouseSinks.DATETIME64_MAX)
        ? ClickHouseSinks.DATETIME64_MAX
        : instant;
  }
}
