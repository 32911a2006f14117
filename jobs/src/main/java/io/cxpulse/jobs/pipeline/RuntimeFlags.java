package io.cxpulse.jobs.pipeline;

import java.time.Duration;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;

/**
 * How every job runs, as a picocli mixin: parallelism, bounded input, and how its ClickHouse sinks
 * batch rows.
 *
 * <p>The JDBC batching flags are here rather than in {@link ClickHouseFlags} because the jobs list
 * them right after {@code --bounded} in their {@code --help}. The checkpoint interval stays in the
 * jobs: its description differs between the jobs with several sinks and the one with a single sink.
 */
public final class RuntimeFlags {

  /** Rows per ClickHouse insert batch. */
  public static final int DEFAULT_JDBC_BATCH_SIZE = 1000;

  @Option(
      names = "--parallelism",
      defaultValue = "-1",
      showDefaultValue = Visibility.NEVER,
      description = "Job parallelism (default: the cluster's).")
  private int parallelism;

  @Option(
      names = "--bounded",
      description = "Stop at the offsets that are latest at start (tests, backfills).")
  private boolean bounded;

  @Option(
      names = "--jdbc-batch-size",
      defaultValue = "" + DEFAULT_JDBC_BATCH_SIZE,
      description = "Rows per ClickHouse insert batch (default: ${DEFAULT-VALUE}).")
  private int jdbcBatchSize;

  @Option(
      names = "--jdbc-flush-interval",
      defaultValue = "PT1S",
      converter = DurationConverter.class,
      description = "Longest a row waits in a ClickHouse batch (default: ${DEFAULT-VALUE}).")
  private Duration jdbcFlushInterval;

  /** The job parallelism, -1 for the cluster's. */
  public int parallelism() {
    return parallelism;
  }

  /** Whether to stop at the offsets that are latest at start. */
  public boolean bounded() {
    return bounded;
  }

  /** Rows per ClickHouse insert batch. */
  public int jdbcBatchSize() {
    return jdbcBatchSize;
  }

  /** The longest a row waits in a ClickHouse batch. */
  public Duration jdbcFlushInterval() {
    return jdbcFlushInterval;
  }

  /** The JDBC batching of these flags, see {@link ClickHouseSinks#executionOptions}. */
  public JdbcExecutionOptions jdbcExecutionOptions() {
    return ClickHouseSinks.executionOptions(jdbcBatchSize, jdbcFlushInterval);
  }
}
