package io.cxpulse.local.bench.pipeline;

import com.sun.management.OperatingSystemMXBean;
import io.cxpulse.jobs.pipeline.JobLauncher;
import java.lang.management.ManagementFactory;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * One Flink MiniCluster for every run of a benchmark, started once, so that no run pays for
 * starting and stopping a cluster; each run is timed from submitting its job to its end, on the
 * wall clock and in CPU time of this whole process (every thread: Flink's, and the embedded Kafka
 * broker's and ClickHouse engine's where a run uses them).
 */
public final class BenchCluster implements AutoCloseable {

  /** Task slots: parallelism 2 at most, the machine's cores. */
  public static final int SLOTS = 2;

  private static final OperatingSystemMXBean OS =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private final MiniCluster cluster;

  /** What one run cost. */
  public record Cost(long wallNanos, long cpuNanos) {}

  private BenchCluster(MiniCluster cluster) {
    this.cluster = cluster;
  }

  public static BenchCluster start() throws Exception {
    MiniCluster cluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(SLOTS)
                .build());
    cluster.start();
    return new BenchCluster(cluster);
  }

  /**
   * An environment for one run at {@code parallelism}, configured as the jobs run (no Kryo) and
   * failing on the first error: a restarted run would count its input twice.
   */
  public static StreamExecutionEnvironment environment(int parallelism) {
    Configuration conf = JobLauncher.withoutGenericTypes(new Configuration());
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(parallelism);
    return env;
  }

  /**
   * Runs the job defined on {@code env} to its end and returns what it cost.
   *
   * @throws Exception the job's failure
   */
  public Cost run(StreamExecutionEnvironment env, String name) throws Exception {
    var graph = env.getStreamGraph();
    graph.setJobName(name);
    // The previous run's garbage is collected now, not during this run.
    System.gc();
    long cpu = OS.getProcessCpuTime();
    long wall = System.nanoTime();
    JobID job = cluster.submitJob(graph).get().getJobID();
    JobResult result = cluster.requestJobResult(job).get();
    Cost cost = new Cost(System.nanoTime() - wall, OS.getProcessCpuTime() - cpu);
    // Throws the job's failure, if any.
    result.toJobExecutionResult(getClass().getClassLoader());
    return cost;
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
