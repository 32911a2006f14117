package io.cxpulse.jobs.pipeline;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;

/**
 * What every job command does once its options are checked: log them and any warnings, build the
 * graph on a fresh execution environment and execute it. The jobs keep what differs, checking the
 * options and wiring their sources and sinks, in their own {@code call()}.
 */
public final class JobLauncher {

  private JobLauncher() {}

  /** Configures an execution environment and builds a job's graph on it. */
  @FunctionalInterface
  public interface Workflow {
    void define(StreamExecutionEnvironment env) throws Exception;
  }

  /**
   * Logs the options and {@code warnings}, builds the graph with {@code workflow} and executes it.
   *
   * @param log the job's logger, so that its lines keep the job's logger name
   * @param options logged with {@code toString()}, which must not show secrets
   * @return 0, the exit code once the job finished (bounded) or was submitted (detached)
   */
  public static int run(
      Logger log, String jobName, Object options, List<String> warnings, Workflow workflow)
      throws Exception {
    log.info("Starting {} with {}", jobName, options);
    warnings.forEach(log::warn);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            withoutGenericTypes(new Configuration()));
    workflow.define(env);
    env.execute(jobName);
    return 0;
  }

  /**
   * {@code conf} with Flink's Kryo fallback switched off ({@code pipeline.generic-types: false}): a
   * type Flink cannot serialise as a POJO, record, Avro record or basic type then fails the job
   * when its graph or state is built, instead of being written with Kryo, whose bytes in a
   * savepoint do not survive a change of the class. Every job and local mode run with it.
   *
   * @return {@code conf}
   */
  public static Configuration withoutGenericTypes(Configuration conf) {
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    return conf;
  }

  /**
   * A warning if de-duplication forgets an event_id before the event's window can no longer change
   * ({@code dedupTtl < window + allowedLateness}), else none.
   *
   * @param consequence what a redelivered event can do in this job
   */
  public static List<String> dedupTtlWarnings(
      Duration dedupTtl, Duration window, Duration allowedLateness, String consequence) {
    if (dedupTtl.compareTo(window.plus(allowedLateness)) >= 0) {
      return List.of();
    }
    return List.of(
        "dedup TTL "
            + dedupTtl
            + " is shorter than window "
            + window
            + " plus allowed lateness "
            + allowedLateness
            + ": "
            + consequence);
  }
}
