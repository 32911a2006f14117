package io.cxpulse.jobs.survey;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.jobs.pipeline.RuntimeOptions;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/** The production graph, built without running it: Kafka source, JDBC and Kafka sinks. */
class SurveyJobGraphTest {

  @Test
  void everyOperatorHasAStableUid() {
    List<StreamNode> nodes = productionGraph(SurveyJobOptions.defaults());

    assertThat(nodes).allSatisfy(node -> assertThat(node.getTransformationUID()).isNotBlank());
    assertThat(nodes).extracting(StreamNode::getTransformationUID).doesNotHaveDuplicates();
    assertThat(nodes)
        .extracting(StreamNode::getTransformationUID)
        .contains(
            SurveyJob.SOURCE_UID,
            SurveyJob.DECODE_UID,
            SurveyJob.DEDUP_UID,
            SurveyJob.windowAggregation(SurveyJobOptions.defaults()).preAggregateUid(),
            SurveyJob.windowAggregation(SurveyJobOptions.defaults()).mergeUid(),
            SurveyJob.LATE_UID,
            SurveyJob.WINDOW_SINK_UID,
            SurveyJob.DEAD_LETTER_TOPIC_SINK_UID,
            SurveyJob.DEAD_LETTER_TABLE_SINK_UID);
    // Watermarks come from the Kafka source, per partition: no operator of its own.
    assertThat(nodes)
        .extracting(StreamNode::getTransformationUID)
        .noneMatch(uid -> uid.endsWith("-watermarks"));
  }

  @Test
  void configureAppliesCheckpointingAndParallelism() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    SurveyJob.configure(env, SurveyJob.parseOptions("--parallelism", "3"));

    assertThat(env.getParallelism()).isEqualTo(3);
    assertThat(env.getCheckpointInterval())
        .isEqualTo(RuntimeOptions.DEFAULT_CHECKPOINT_INTERVAL.toMillis());
  }

  private static List<StreamNode> productionGraph(SurveyJobOptions options) {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    SurveyJob.configure(env, options);
    SurveyJob.defineWorkflow(
        env, options, SurveyJob.kafkaInput(options), SurveyJob.productionSinks(options));
    return List.copyOf(env.getStreamGraph().getStreamNodes());
  }
}
