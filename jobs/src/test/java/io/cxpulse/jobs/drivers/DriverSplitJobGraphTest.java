package io.cxpulse.jobs.drivers;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.jobs.survey.SurveyJob;
import io.cxpulse.jobs.tickets.TicketJob;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/**
 * The production graph, built without running it: two Kafka sources, the JDBC sinks of window rows
 * and of this job's dead letters.
 */
class DriverSplitJobGraphTest {

  @Test
  void everyOperatorHasAStableUidDistinctFromTheOtherJobs() {
    DriverSplitJobOptions options = DriverSplitJobOptions.defaults();
    List<StreamNode> nodes = productionGraph(options);

    assertThat(nodes).allSatisfy(node -> assertThat(node.getTransformationUID()).isNotBlank());
    assertThat(nodes).allSatisfy(node -> assertThat(node.getOperatorName()).isNotBlank());
    Set<String> uids =
        nodes.stream().map(StreamNode::getTransformationUID).collect(Collectors.toSet());
    assertThat(uids).hasSize(nodes.size());
    assertThat(uids)
        .contains(
            DriverSplitJob.TICKET_SOURCE_UID,
            DriverSplitJob.SURVEY_SOURCE_UID,
            DriverSplitJob.LIFECYCLE_UID,
            DriverSplitJob.JOIN_UID,
            DriverSplitJob.windowAggregation(options).preAggregateUid(),
            DriverSplitJob.windowAggregation(options).mergeUid(),
            DriverSplitJob.TOO_LATE_UID,
            DriverSplitJob.JOINED_TOO_LATE_DEAD_LETTERS_UID,
            DriverSplitJob.DEAD_LETTER_SINK_UID,
            DriverSplitJob.WINDOW_SINK_UID);
    // The local mode submits every job as one Flink job: no uid may clash with theirs.
    assertThat(uids).allSatisfy(uid -> assertThat(uid).contains("driver-"));
    assertThat(uids)
        .doesNotContain(
            SurveyJob.SOURCE_UID,
            TicketJob.SOURCE_UID,
            TicketJob.LIFECYCLE_UID,
            TicketJob.WINDOW_UID);
  }

  private static List<StreamNode> productionGraph(DriverSplitJobOptions options) {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    DriverSplitJob.configure(env, options);
    DriverSplitJob.defineWorkflow(
        env,
        options,
        DriverSplitJob.ticketSource(options),
        DriverSplitJob.surveySource(options),
        DriverSplitJob.productionSinks(options));
    return List.copyOf(env.getStreamGraph().getStreamNodes());
  }
}
