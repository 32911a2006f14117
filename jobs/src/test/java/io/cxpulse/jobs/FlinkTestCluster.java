package io.cxpulse.jobs;

import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/**
 * The MiniCluster the jobs' tests run their pipelines on, one place for its shape: one TaskManager
 * with as many slots as the test's parallelism needs, and the configuration the test gives.
 */
public final class FlinkTestCluster {

  private FlinkTestCluster() {}

  /** One TaskManager with {@code slots} slots and Flink's default configuration. */
  public static MiniClusterExtension withSlots(int slots) {
    return withSlots(slots, new Configuration());
  }

  /** One TaskManager with {@code slots} slots and {@code configuration}. */
  public static MiniClusterExtension withSlots(int slots, Configuration configuration) {
    return new MiniClusterExtension(
        new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(configuration)
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(slots)
            .build());
  }

  /**
   * No restarts: a failure must fail the test, not be retried behind its back (the counters would
   * then count a replay).
   */
  public static Configuration noRestarts() {
    return new Configuration().set(RestartStrategyOptions.RESTART_STRATEGY, "none");
  }

  /** Restarts after {@code delay}, at most {@code attempts} times: for tests of a failover. */
  public static Configuration fixedDelayRestarts(int attempts, Duration delay) {
    return new Configuration()
        .set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay")
        .set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, attempts)
        .set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, delay);
  }
}
