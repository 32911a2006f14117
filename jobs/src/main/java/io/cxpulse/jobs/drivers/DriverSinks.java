package io.cxpulse.jobs.drivers;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.jobs.pipeline.ClickHouseSinks;
import io.cxpulse.jobs.pipeline.JobProgress;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;

/**
 * Where the driver split job writes: its window rows, and the dead letters of the records only it
 * drops, to the ClickHouse table only (see {@link DriverSplitJob}: the survey and ticket jobs own
 * the dead letters of their topics and the dead-letter topic).
 *
 * <p>{@link #production} builds the real sinks; tests pass their own through the constructor.
 *
 * @param windowRows receives every emission of every window row (all versions)
 * @param deadLetters receives this job's dead letters (each {@code TOO_LATE})
 * @param progress receives the job's progress records ({@link JobProgress}), or null for none
 */
public record DriverSinks(
    Sink<DriverWindowRow> windowRows,
    Sink<DeadLetter> deadLetters,
    Sink<JobProgress.Row> progress) {

  public DriverSinks {
    Objects.requireNonNull(windowRows, "windowRows");
    Objects.requireNonNull(deadLetters, "deadLetters");
  }

  /**
   * JDBC into {@code cx_driver_window} and {@code cx_dead_letters} (as job {@value
   * DriverSplitJob#JOB_ID}) at the ClickHouse of {@code options}, at-least-once.
   */
  public static DriverSinks production(DriverSplitJobOptions options) {
    JdbcConnectionOptions connection = options.clickHouse().connectionOptions();
    JdbcExecutionOptions execution = options.runtime().jdbcExecutionOptions();
    return new DriverSinks(
        DriverWindowRow.TABLE.sink(connection, execution),
        ClickHouseSinks.deadLetterSink(DriverSplitJob.JOB_ID, connection, execution),
        JobProgress.sink(connection, execution));
  }
}
