package io.cxpulse.jobs.tickets;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.jobs.pipeline.EventInput;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/** The production graph, built without running it: Kafka source, JDBC and Kafka sinks. */
class TicketJobGraphTest {

  @Test
  void everyOperatorHasAStableUid() {
    TicketJobOptions options = TicketJobOptions.defaults();
    List<StreamNode> nodes = productionGraph(options);

    assertThat(nodes).allSatisfy(node -> assertThat(node.getTransformationUID()).isNotBlank());
    assertThat(nodes).extracting(StreamNode::getTransformationUID).doesNotHaveDuplicates();
    assertThat(nodes)
        .extracting(StreamNode::getTransformationUID)
        .contains(
            TicketJob.SOURCE_UID,
            TicketJob.DECODE_UID,
            TicketJob.DEDUP_UID,
            TicketJob.LIFECYCLE_UID,
            TicketJob.windowAggregation(options).preAggregateUid(),
            TicketJob.windowAggregation(options).mergeUid(),
            TicketJob.TOO_LATE_FACTS_UID,
            TicketJob.WINDOW_SINK_UID,
            TicketJob.DEAD_LETTER_TOPIC_SINK_UID,
            TicketJob.DEAD_LETTER_TABLE_SINK_UID);
    assertThat(nodes)
        .extracting(StreamNode::getOperatorName)
        .contains(TicketJob.windowAggregation(options).preAggregateName());
  }

  @Test
  void theLifecycleKeepsStateOneWindowLongerThanTheAllowedLateness() {
    TicketJobOptions options = TicketJobOptions.defaults();
    assertThat(TicketJob.lifecycleStateRetention(options))
        .isEqualTo(options.eventTime().allowedLateness().plus(options.eventTime().window()));
  }

  @Test
  void configureAppliesCheckpointingAndParallelism() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    TicketJob.configure(env, TicketJob.parseOptions("--parallelism", "3"));

    assertThat(env.getParallelism()).isEqualTo(3);
    assertThat(env.getCheckpointInterval())
        .isEqualTo(RuntimeOptions.DEFAULT_CHECKPOINT_INTERVAL.toMillis());
  }

  private static List<StreamNode> productionGraph(TicketJobOptions options) {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    TicketJob.configure(env, options);
    TicketJob.defineWorkflow(
        env,
        options,
        EventInput.kafka(
            options.kafka().bootstrapServers(),
            options.topic(),
            options.groupId(),
            options.runtime().bounded()),
        TicketJob.productionSinks(options));
    return List.copyOf(env.getStreamGraph().getStreamNodes());
  }
}
