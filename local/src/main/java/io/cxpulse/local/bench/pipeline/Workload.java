package io.cxpulse.local.bench.pipeline;

import java.time.Duration;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * One job's pre-generated input with its expected outcome, and the benchmark's runs over it. Each
 * run is a Flink job defined on a fresh environment and a check of its results against the
 * expectation, made after the job ended.
 */
public interface Workload extends AutoCloseable {

  /** The job, as {@code --job} names it. */
  String job();

  /** Input records: every event, duplicate and bad record the runs read. */
  int records();

  /** Generated events among the records: without their duplicates and the bad records. */
  int events();

  /** Window rows the job must write: the rows the ClickHouse sink alone writes. */
  int windowRows();

  /** (a) in-memory source, the project's decode and validate step, discarding sinks. */
  Run passThrough(int parallelism);

  /** (b) the job's graph ({@code defineWorkflow}), in-memory source, discarding sinks. */
  Run jobGraph(int parallelism);

  /**
   * (c) after the same decode step, the same de-duplication in Flink SQL and the nearest Flink SQL
   * has to the job's aggregation; each job's says what it computes and what of it is checked.
   */
  Run sql(int parallelism);

  /**
   * (d) the job end to end from Kafka to ClickHouse, bounded, as it runs in production, with
   * checkpoints every {@code checkpointInterval} (the sinks flush on them).
   */
  Run endToEnd(Engines engines, int parallelism, Duration checkpointInterval) throws Exception;

  /** The job's window row sink alone: every expected row into ClickHouse. */
  Run sinkAlone(Engines engines, int parallelism) throws Exception;

  /** A job to time and the check to make after it. */
  record Run(StreamExecutionEnvironment env, Check check) {}

  /** What a run's results got wrong; an empty list when they are as expected. */
  @FunctionalInterface
  interface Check {
    List<String> problems() throws Exception;
  }

  @Override
  void close();
}
