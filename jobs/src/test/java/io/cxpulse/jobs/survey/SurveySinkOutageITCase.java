package io.cxpulse.jobs.survey;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.jobs.EnginesExtension;
import io.cxpulse.jobs.FlinkTestCluster;
import io.cxpulse.jobs.generator.SurveyScenario;
import io.cxpulse.jobs.validation.RejectReason;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A ClickHouse table gone for 20 s in the middle of a run (renamed away and back, as an operator
 * migrating it might): the sinks fail, the job restarts from its last checkpoint until the table is
 * back, and then every row is as it would have been, every dead letter in place, with the task
 * manager alive throughout (a task manager lost in local mode would leave it without slots).
 */
class SurveySinkOutageITCase {

  private static final long SEED = 20_261_202L;
  private static final int EVENTS = 30_000;
  private static final Duration OUTAGE = Duration.ofSeconds(20);

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      FlinkTestCluster.withSlots(
          2, FlinkTestCluster.fixedDelayRestarts(1000, Duration.ofMillis(500)));

  @RegisterExtension
  static final EnginesExtension<SurveyEndToEnd> ENGINES =
      new EnginesExtension<>(SurveyEndToEnd::start);

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void aTableGoneForTwentySecondsEndsWithEveryRowAsItWouldHaveBeen(
      @InjectMiniCluster MiniCluster cluster) throws Exception {
    SurveyScenario scenario = SurveyEndToEnd.scenario(SEED, EVENTS, 3);
    List<Long> offsets = ENGINES.get().produce(scenario);
    Map<Long, RejectReason> expectedDeadLetters =
        SurveyEndToEnd.expectedDeadLetters(scenario, offsets);
    ExpectedSurveyScores expectedScores =
        ExpectedSurveyScores.of(scenario.countedResponses(), SurveyEndToEnd.WINDOW);

    // The table is gone before the job starts and comes back 20 s later: every write of the
    // window rows meets the outage, the first ones and the retries after each restart.
    try (Connection connection = ENGINES.get().connection();
        Statement statement = connection.createStatement()) {
      statement.execute("RENAME TABLE cx_survey_window TO cx_survey_window_away");
    }
    StreamExecutionEnvironment env =
        SurveyEndToEnd.productionJob(ENGINES.get().frequentlyCheckpointed("survey-sink-outage-it"));
    JobClient client = env.executeAsync("survey pipeline with a ClickHouse outage");
    Thread.sleep(OUTAGE.toMillis());
    int taskManagersDuringOutage = taskManagers(cluster);
    try (Connection connection = ENGINES.get().connection();
        Statement statement = connection.createStatement()) {
      statement.execute("RENAME TABLE cx_survey_window_away TO cx_survey_window");
    }
    client.getJobExecutionResult().get(3, TimeUnit.MINUTES);

    assertThat(client.getJobStatus().get()).isEqualTo(JobStatus.FINISHED);
    assertThat(taskManagersDuringOutage).as("task managers during the outage").isOne();
    assertThat(taskManagers(cluster)).as("task managers after").isOne();
    try (Connection connection = ENGINES.get().connection()) {
      expectedScores.assertMatches(SurveyClickHouse.scoresPerMinute(connection));
      assertThat(SurveyClickHouse.deadLettersFinal(connection, SurveyEndToEnd.SURVEY_TOPIC))
          .isEqualTo(expectedDeadLetters);
    }
  }

  /** The task managers registered with the cluster, from its REST API as a user would ask. */
  private static int taskManagers(MiniCluster cluster) throws Exception {
    java.net.URI uri = cluster.getRestAddress().get().resolve("/taskmanagers");
    String body =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(uri).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString())
            .body();
    return (int) java.util.regex.Pattern.compile("\"dataPort\"").matcher(body).results().count();
  }
}
