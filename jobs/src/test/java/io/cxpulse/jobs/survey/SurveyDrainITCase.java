package io.cxpulse.jobs.survey;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.events.SurveyType;
import io.cxpulse.jobs.EnginesExtension;
import io.cxpulse.jobs.FlinkTestCluster;
import io.cxpulse.jobs.TestEvents;
import io.cxpulse.jobs.pipeline.PipelineMetrics;
import io.cxpulse.jobs.pipeline.RawRecords;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import io.cxpulse.jobs.survey.SurveyEndToEnd.Outgoing;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping the survey job while every partition is idle (traffic paused for longer than {@code
 * --idleness}), on the real ENGINES.get(). {@code flink stop --drain} must still close the open
 * window: Flink 2.2.1 drops the final watermark of a source that is idle when a drain ends it, so
 * before the front advanced event time to the end itself, the last minute's row was never written.
 * A stop without drain must leave it open, for the next run to go on with from the savepoint.
 */
class SurveyDrainITCase {

  private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      FlinkTestCluster.withSlots(2, REPORTER.addToConfiguration(FlinkTestCluster.noRestarts()));

  private static final Duration IDLENESS = Duration.ofSeconds(1);
  private static final int RESPONSES = 40;

  @RegisterExtension
  static final EnginesExtension<SurveyEndToEnd> ENGINES =
      new EnginesExtension<>(SurveyEndToEnd::start);

  @TempDir static Path savepoints;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aDrainAfterEveryPartitionWentIdleWritesTheOpenWindow() throws Exception {
    Instant minute = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MINUTES);
    JobClient job = runUntilIdle("cx.surveys.drain", minute);

    stopWithSavepoint(job, true);

    assertThat(responsesInWindow(minute))
        .as("responses in the drained window's row")
        .isEqualTo(RESPONSES);
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aStopWithoutDrainLeavesTheOpenWindowToTheSavepoint() throws Exception {
    Instant minute = Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.MINUTES);
    JobClient job = runUntilIdle("cx.surveys.stop", minute);

    stopWithSavepoint(job, false);

    assertThat(responsesInWindow(minute)).as("responses in a row of the open window").isZero();
  }

  /**
   * Produces {@link #RESPONSES} responses within the first 40 seconds of {@code minute} to both
   * partitions of {@code topic}, runs the production survey job (unbounded) until it has counted
   * them, then waits until both partitions are idle; the window is still open (the watermark trails
   * the newest response by the out-of-orderness bound) and has no row.
   */
  private static JobClient runUntilIdle(String topic, Instant minute) throws Exception {
    ENGINES.get().createTopic(topic, 2);
    List<Outgoing> records = new ArrayList<>();
    for (int i = 0; i < RESPONSES; i++) {
      SurveyResponse response =
          TestEvents.survey()
              .setEventId(topic + "-" + i)
              .setResponseId(topic + "-r" + i)
              .setSurveyType(SurveyType.CSAT)
              .setScore(1 + i % 5)
              .setEventTime(minute.plusSeconds(i))
              .build();
      records.add(
          new Outgoing(
              Instant.now().toEpochMilli(),
              response.getEventId(),
              RawRecords.encode(response),
              null));
    }
    ENGINES.get().produce(topic, records, record -> records.indexOf(record) % 2);
    RuntimeOptions unbounded =
        new RuntimeOptions(Duration.ofMillis(500), 2, false, 200, Duration.ofMillis(200));
    JobClient job =
        SurveyEndToEnd.productionJob(ENGINES.get().options(topic, topic, unbounded, IDLENESS))
            .executeAsync("survey drain " + topic);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (SurveyEndToEnd.sumCounter(REPORTER, job.getJobID(), PipelineMetrics.RECORDS_COUNTED)
        < RESPONSES) {
      assertThat(System.nanoTime()).as("all responses counted within 90 s").isLessThan(deadline);
      Thread.sleep(200);
    }
    // Idle after IDLENESS without records; Flink checks idleness on its periodic watermark timer.
    Thread.sleep(IDLENESS.multipliedBy(5).toMillis());
    assertThat(responsesInWindow(minute))
        .as("responses in a row while the window is open")
        .isZero();
    return job;
  }

  /** {@code flink stop [--drain]}: a savepoint, then the job ends. */
  private static void stopWithSavepoint(JobClient job, boolean drain) throws Exception {
    job.stopWithSavepoint(drain, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
        .get(60, TimeUnit.SECONDS);
    job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
  }

  private static long responsesInWindow(Instant minute) throws Exception {
    try (Connection connection = ENGINES.get().connection();
        Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT sum(csat_total) FROM cx_survey_window FINAL"
                    + " WHERE toUnixTimestamp(window_start) = "
                    + minute.getEpochSecond())) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
