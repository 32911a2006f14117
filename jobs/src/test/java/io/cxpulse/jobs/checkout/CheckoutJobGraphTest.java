package io.cxpulse.jobs.checkout;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.jobs.aggregate.WindowAggregation;
import io.cxpulse.jobs.pipeline.EventInput;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/** The production graph, built without running it: Kafka source, JDBC and Kafka sinks. */
class CheckoutJobGraphTest {

  @Test
  void everyOperatorHasANameAndAStableUid() {
    List<StreamNode> nodes = productionGraph(CheckoutJobOptions.defaults());

    assertThat(nodes).allSatisfy(node -> assertThat(node.getTransformationUID()).isNotBlank());
    assertThat(nodes).allSatisfy(node -> assertThat(node.getOperatorName()).isNotBlank());
    assertThat(nodes).extracting(StreamNode::getTransformationUID).doesNotHaveDuplicates();
    assertThat(nodes)
        .extracting(StreamNode::getTransformationUID)
        .contains(
            CheckoutJob.SOURCE_UID,
            CheckoutJob.DECODE_UID,
            CheckoutJob.DEDUP_UID,
            CheckoutJob.SESSION_UID,
            CheckoutJob.PRE_AGGREGATE_UID,
            CheckoutJob.MERGE_UID,
            CheckoutJob.TOO_LATE_UID,
            CheckoutJob.WINDOW_SINK_UID,
            CheckoutJob.DEAD_LETTER_TOPIC_SINK_UID,
            CheckoutJob.DEAD_LETTER_TABLE_SINK_UID);
    // The rest are the sinks' committers, whose uids Flink derives from the sinks'.
    assertThat(nodes)
        .extracting(StreamNode::getTransformationUID)
        .filteredOn(uid -> !uid.startsWith("checkout-"))
        .allSatisfy(uid -> assertThat(uid).startsWith("Sink Committer: checkout-"));
  }

  @Test
  void thePreAggregationOperatorIsFoundByTheAggregationsNameAndUid() {
    CheckoutJobOptions options = CheckoutJob.parseOptions("--salts", "8");
    WindowAggregation<CheckoutOutcome, CheckoutComponents, CheckoutWindowRow> aggregation =
        CheckoutJob.windowAggregation(options);
    assertThat(aggregation.preAggregateUid()).isEqualTo(CheckoutJob.PRE_AGGREGATE_UID);
    assertThat(aggregation.mergeUid()).isEqualTo(CheckoutJob.MERGE_UID);

    StreamNode pre =
        productionGraph(options).stream()
            .filter(node -> CheckoutJob.PRE_AGGREGATE_UID.equals(node.getTransformationUID()))
            .findFirst()
            .orElseThrow();
    assertThat(pre.getOperatorName()).isEqualTo(aggregation.preAggregateName());
  }

  @Test
  void configureAppliesCheckpointingAndParallelism() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    CheckoutJob.configure(env, CheckoutJob.parseOptions("--parallelism", "3"));

    assertThat(env.getParallelism()).isEqualTo(3);
    assertThat(env.getCheckpointInterval())
        .isEqualTo(RuntimeOptions.DEFAULT_CHECKPOINT_INTERVAL.toMillis());
  }

  private static List<StreamNode> productionGraph(CheckoutJobOptions options) {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    CheckoutJob.configure(env, options);
    CheckoutJob.defineWorkflow(
        env,
        options,
        EventInput.kafka(
            options.kafka().bootstrapServers(),
            options.topic(),
            options.groupId(),
            options.runtime().bounded()),
        CheckoutJob.productionSinks(options));
    return List.copyOf(env.getStreamGraph().getStreamNodes());
  }
}
