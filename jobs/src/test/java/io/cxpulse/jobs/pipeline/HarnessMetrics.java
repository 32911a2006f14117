package io.cxpulse.jobs.pipeline;

import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingTaskMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;

/**
 * A test harness environment whose operator metric group keeps the metrics registered on it, so a
 * test can read the counters a function increments.
 */
public final class HarnessMetrics {

  private final InterceptingOperatorMetricGroup operatorMetrics =
      new InterceptingOperatorMetricGroup();

  /**
   * A mock environment for a harness; its operator registers metrics where {@link #count} reads.
   */
  public MockEnvironment environment() {
    InterceptingTaskMetricGroup taskMetrics =
        new InterceptingTaskMetricGroup() {
          @Override
          public InternalOperatorMetricGroup getOrAddOperator(
              OperatorID operatorId, String name, Map<String, String> additionalVariables) {
            return operatorMetrics;
          }
        };
    return new MockEnvironmentBuilder().setMetricGroup(taskMetrics).build();
  }

  /** The value of counter {@code name}; fails if the operator registered no such counter. */
  public long count(String name) {
    Metric metric = operatorMetrics.get(name);
    if (!(metric instanceof Counter counter)) {
      throw new AssertionError("no counter " + name + " registered, found " + metric);
    }
    return counter.getCount();
  }
}
