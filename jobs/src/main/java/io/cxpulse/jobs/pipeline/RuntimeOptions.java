package io.cxpulse.jobs.pipeline;

import static io.cxpulse.jobs.pipeline.Durations.requirePositive;

import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;

/**
 * How a job runs: checkpoints, parallelism, bounded input, and how its ClickHouse sinks batch rows.
 *
 * <p>{@link Flags} are the flags every job takes alike. The JDBC batching flags are here rather
 * than with {@link ClickHouseOptions} because the jobs list them right after {@code --bounded} in
 * their {@code --help}. {@code --checkpoint-interval} is declared by each job, with the default
 * here: its description differs between the jobs with several sinks and the one with a single sink.
 *
 * @param checkpointInterval checkpoint interval; the sinks flush on checkpoints
 * @param parallelism job parallelism, or {@link #DEFAULT_PARALLELISM} for the cluster's
 * @param bounded stop at the offsets that are latest at start (tests, backfills)
 * @param jdbcBatchSize rows per ClickHouse insert batch
 * @param jdbcFlushInterval longest time a row waits in a ClickHouse batch
 */
public record RuntimeOptions(
    Duration checkpointInterval,
    int parallelism,
    boolean bounded,
    int jdbcBatchSize,
    Duration jdbcFlushInterval)
    implements Serializable {

  public static final String DEFAULT_CHECKPOINT_INTERVAL_TEXT = "PT10S";
  public static final Duration DEFAULT_CHECKPOINT_INTERVAL =
      Duration.parse(DEFAULT_CHECKPOINT_INTERVAL_TEXT);

  /** Parallelism value meaning "the cluster's". */
  public static final int DEFAULT_PARALLELISM = -1;

  /**
   * Rows per ClickHouse insert at most. Each insert costs the engine a fixed 20 to 25 ms (a new
   * part, the request, the session) beside about 3.5 µs per binary row, so small batches, not rows,
   * bounded the sink: 46 k rows/s at 1,000, 160 k at 10,000, 240 to 260 k at 50,000 (measured with
   * {@link ClickHouseSinks#ROW_BINARY_INSERTS}). A batch holds its rows in memory until flushed, at
   * the latest after the flush interval or on a checkpoint, so a quiet job holds far fewer.
   */
  public static final int DEFAULT_JDBC_BATCH_SIZE = 50_000;

  public static final String DEFAULT_JDBC_FLUSH_INTERVAL_TEXT = "PT1S";
  public static final Duration DEFAULT_JDBC_FLUSH_INTERVAL =
      Duration.parse(DEFAULT_JDBC_FLUSH_INTERVAL_TEXT);

  /** Unbounded, at the cluster's parallelism. */
  public static final RuntimeOptions DEFAULTS =
      new RuntimeOptions(
          DEFAULT_CHECKPOINT_INTERVAL,
          DEFAULT_PARALLELISM,
          false,
          DEFAULT_JDBC_BATCH_SIZE,
          DEFAULT_JDBC_FLUSH_INTERVAL);

  private static final long serialVersionUID = 1L;

  /** Checks the values; see the parameters for their meaning. */
  public RuntimeOptions {
    requirePositive("checkpoint interval", checkpointInterval);
    requirePositive("JDBC flush interval", jdbcFlushInterval);
    if (parallelism != DEFAULT_PARALLELISM && parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1: " + parallelism);
    }
    if (jdbcBatchSize < 1) {
      throw new IllegalArgumentException("JDBC batch size must be at least 1: " + jdbcBatchSize);
    }
  }

  /** Whether a parallelism was set. */
  public boolean hasParallelism() {
    return parallelism != DEFAULT_PARALLELISM;
  }

  /** The JDBC batching, see {@link ClickHouseSinks#executionOptions}. */
  public JdbcExecutionOptions jdbcExecutionOptions() {
    return ClickHouseSinks.executionOptions(jdbcBatchSize, jdbcFlushInterval);
  }

  /** Applies the environment-level options: checkpointing and parallelism. */
  public void configure(StreamExecutionEnvironment env) {
    env.enableCheckpointing(checkpointInterval.toMillis());
    if (hasParallelism()) {
      env.setParallelism(parallelism);
    }
  }

  /** The runtime flags every job takes, as a picocli mixin. */
  public static final class Flags {

    @Option(
        names = "--parallelism",
        defaultValue = "" + DEFAULT_PARALLELISM,
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
        defaultValue = DEFAULT_JDBC_FLUSH_INTERVAL_TEXT,
        converter = DurationConverter.class,
        description = "Longest a row waits in a ClickHouse batch (default: ${DEFAULT-VALUE}).")
    private Duration jdbcFlushInterval;

    /** The options of these flags and the job's own {@code --checkpoint-interval}. */
    public RuntimeOptions options(Duration checkpointInterval) {
      return new RuntimeOptions(
          checkpointInterval, parallelism, bounded, jdbcBatchSize, jdbcFlushInterval);
    }
  }
}
