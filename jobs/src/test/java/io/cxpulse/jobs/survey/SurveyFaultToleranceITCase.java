package io.cxpulse.jobs.survey;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.jobs.EnginesExtension;
import io.cxpulse.jobs.FlinkTestCluster;
import io.cxpulse.jobs.MetricSinks;
import io.cxpulse.jobs.generator.SurveyScenario;
import io.cxpulse.jobs.pipeline.EventInput;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import io.cxpulse.jobs.survey.FailOnceSink.WriterStart;
import io.cxpulse.jobs.survey.SurveyClickHouse.Emissions;
import io.cxpulse.jobs.validation.RejectReason;
import java.sql.Connection;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsCounts;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.FailedCheckpointStats;
import org.apache.flink.runtime.checkpoint.RestoredCheckpointStats;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The survey pipeline survives a failure: the same kind of scenario as {@link SurveyPipelineITCase}
 * runs with checkpoints, and the window-row sink (the production JDBC sink, wrapped by {@link
 * FailOnceSink}) throws once in the middle of the run, after a checkpoint has completed. Flink
 * restarts the job from that checkpoint; Kafka offsets, de-duplication state and windows rewind,
 * and the sinks write some rows and dead letters again. Afterwards ClickHouse must hold exactly the
 * expectation (nothing lost, nothing counted twice): the scores of every row, and one dead letter
 * per rejected record in {@code cx_dead_letters FINAL}. The dead-letter topic is at-least-once, so
 * it must hold every expected record, with its reason, at least once.
 */
class SurveyFaultToleranceITCase {

  private static final long SEED = 20_250_602L;
  private static final int EVENTS = 24_000;
  private static final int TOO_LATE = 3;

  /** Window rows (all subtasks) to write before the failure, at least: about a sixth of the run. */
  private static final long FAIL_AFTER_ROWS = 300;

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      FlinkTestCluster.withSlots(2, FlinkTestCluster.fixedDelayRestarts(2, Duration.ofMillis(100)));

  @RegisterExtension
  static final EnginesExtension<SurveyEndToEnd> ENGINES =
      new EnginesExtension<>(SurveyEndToEnd::start);

  @AfterAll
  static void disarm() {
    FailOnceSink.disarm();
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void afterAFailureAndARestoreFromACheckpointNothingIsLostOrCountedTwice(
      @InjectMiniCluster MiniCluster miniCluster) throws Exception {
    SurveyScenario scenario = SurveyEndToEnd.scenario(SEED, EVENTS, TOO_LATE);
    List<Long> offsets = ENGINES.get().produce(scenario);
    Map<Long, RejectReason> expectedDeadLetters =
        SurveyEndToEnd.expectedDeadLetters(scenario, offsets);
    ExpectedSurveyScores expectedScores =
        ExpectedSurveyScores.of(scenario.countedResponses(), SurveyEndToEnd.WINDOW);
    try (Connection connection = ENGINES.get().connection()) {
      SurveyClickHouse.installEmissionLog(connection);
    }

    SurveyJobOptions options =
        ENGINES
            .get()
            .options(
                SurveyEndToEnd.SURVEY_TOPIC,
                "survey-fault-tolerance-it",
                new RuntimeOptions(Duration.ofMillis(300), 2, true, 200, Duration.ofMillis(200)));
    MetricSinks<SurveyWindowRow> production = SurveyJob.productionSinks(options);
    MetricSinks<SurveyWindowRow> sinks =
        new MetricSinks<>(
            FailOnceSink.wrap(production.windowRows()),
            production.deadLetterTopic(),
            production.deadLetterTable());
    FailOnceSink.reset(FAIL_AFTER_ROWS);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    SurveyJob.configure(env, options);
    SurveyJob.defineWorkflow(
        env,
        options,
        EventInput.kafka(
            options.kafka().bootstrapServers(),
            options.topic(),
            options.groupId(),
            options.runtime().bounded()),
        sinks);

    long started = System.nanoTime();
    JobClient client = env.executeAsync("survey pipeline with a failure");
    JobID job = client.getJobID();
    CompletableFuture<JobExecutionResult> result = client.getJobExecutionResult();
    long firstCheckpointMillis = -1;
    while (!result.isDone()) {
      if (!FailOnceSink.isCheckpointCompleted() && completedCheckpoints(miniCluster, job) > 0) {
        FailOnceSink.checkpointCompleted();
        firstCheckpointMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
      }
      Thread.sleep(10);
    }
    result.get(0, TimeUnit.SECONDS);
    long jobMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();

    // The failure happened, after a checkpoint, and the job was restored from a checkpoint.
    assertThat(FailOnceSink.failed()).as("the failure was injected").isTrue();
    List<WriterStart> starts = FailOnceSink.writerStarts();
    assertThat(starts)
        .as("first attempt: fresh writers")
        .filteredOn(start -> start.attempt() == 0)
        .hasSize(2)
        .allSatisfy(start -> assertThat(start.restoredCheckpointId()).isEmpty());
    assertThat(starts)
        .as("after the restart: writers restored from a checkpoint")
        .filteredOn(start -> start.attempt() > 0)
        .hasSize(2)
        .allSatisfy(start -> assertThat(start.restoredCheckpointId()).isPresent());
    Counts counts = counts(miniCluster, job);
    assertThat(counts.restored()).as("checkpoints restored").isEqualTo(1);
    assertThat(starts)
        .filteredOn(start -> start.attempt() > 0)
        .allSatisfy(
            start ->
                assertThat(start.restoredCheckpointId())
                    .as("the writers' restored checkpoint")
                    .hasValue(counts.restoredId()));

    try (Connection connection = ENGINES.get().connection()) {
      // Nothing lost, nothing counted twice: the scores equal the expectation ...
      expectedScores.assertMatches(SurveyClickHouse.scoresPerMinute(connection));
      // ... and the dead letters are exactly the rejected records, each once, with its reason.
      assertThat(SurveyClickHouse.deadLettersFinal(connection, SurveyEndToEnd.SURVEY_TOPIC))
          .as("cx_dead_letters FINAL, reason by source offset")
          .isEqualTo(expectedDeadLetters);
      assertThat(
              SurveyClickHouse.countedInLatestRows(connection) + (long) expectedDeadLetters.size())
          .as("in = counted + dead-lettered, from ClickHouse")
          .isEqualTo(offsets.size());
      Emissions emissions = SurveyClickHouse.emissions(connection);
      assertThat(emissions.versionNotResponses())
          .as("rows whose version is not their count")
          .isZero();
      System.out.printf(
          "SurveyFaultToleranceITCase: %d records (%s), job %d ms, first checkpoint completed"
              + " after %d ms, failure at window row %d of %d written, checkpoints %s, writers"
              + " %s; expected %s; emissions %s%n",
          offsets.size(),
          scenario.fateCounts(),
          jobMillis,
          firstCheckpointMillis,
          FailOnceSink.failedAtRow(),
          FailOnceSink.rowsWritten(),
          counts,
          starts,
          expectedScores.summary(),
          emissions);
    }

    // The dead-letter topic is at-least-once: every expected record, each with only its reason.
    List<DeadLetter> topic = ENGINES.get().readDeadLetterTopic();
    Map<Long, Set<RejectReason>> reasonsByOffset = new TreeMap<>();
    for (DeadLetter deadLetter : topic) {
      assertThat(deadLetter.getSourceTopic()).isEqualTo(SurveyEndToEnd.SURVEY_TOPIC);
      assertThat(deadLetter.getSourcePartition()).isZero();
      reasonsByOffset
          .computeIfAbsent(deadLetter.getSourceOffset(), offset -> new TreeSet<>())
          .add(RejectReason.valueOf(deadLetter.getReason().name()));
    }
    Map<Long, Set<RejectReason>> expectedReasons = new TreeMap<>();
    expectedDeadLetters.forEach((offset, reason) -> expectedReasons.put(offset, Set.of(reason)));
    assertThat(reasonsByOffset)
        .as("dead-letter topic: reasons by distinct source offset")
        .isEqualTo(expectedReasons);
    Map<RejectReason, Set<Long>> offsetsPerReason = new EnumMap<>(RejectReason.class);
    reasonsByOffset.forEach(
        (offset, reasons) ->
            reasons.forEach(
                reason ->
                    offsetsPerReason.computeIfAbsent(reason, r -> new TreeSet<>()).add(offset)));
    Map<RejectReason, Set<Long>> expectedOffsetsPerReason = new EnumMap<>(RejectReason.class);
    expectedDeadLetters.forEach(
        (offset, reason) ->
            expectedOffsetsPerReason.computeIfAbsent(reason, r -> new TreeSet<>()).add(offset));
    assertThat(offsetsPerReason)
        .as("dead-letter topic: distinct source offsets per reason")
        .isEqualTo(expectedOffsetsPerReason);
  }

  /** Completed checkpoints of a running {@code job}; 0 while it cannot tell yet. */
  private static long completedCheckpoints(MiniCluster miniCluster, JobID job) {
    try {
      return counts(miniCluster, job).completed();
    } catch (Exception notYet) {
      return 0;
    }
  }

  /**
   * Checkpoint statistics of {@code job} so far.
   *
   * @param restoredId the checkpoint the job was last restored from, -1 if none
   * @param recentFailures failure messages among the recent checkpoints, with their number
   */
  record Counts(
      long completed,
      long restored,
      long failed,
      long restoredId,
      Map<String, Long> recentFailures) {}

  private static Counts counts(MiniCluster miniCluster, JobID job) throws Exception {
    CheckpointStatsSnapshot snapshot =
        miniCluster.getExecutionGraph(job).get().getCheckpointStatsSnapshot();
    CheckpointStatsCounts counts = snapshot.getCounts();
    RestoredCheckpointStats restored = snapshot.getLatestRestoredCheckpoint();
    Map<String, Long> failures = new TreeMap<>();
    for (AbstractCheckpointStats checkpoint : snapshot.getHistory().getCheckpoints()) {
      if (checkpoint instanceof FailedCheckpointStats failed) {
        failures.merge(String.valueOf(failed.getFailureMessage()), 1L, Long::sum);
      }
    }
    return new Counts(
        counts.getNumberOfCompletedCheckpoints(),
        counts.getNumberOfRestoredCheckpoints(),
        counts.getNumberOfFailedCheckpoints(),
        restored == null ? -1 : restored.getCheckpointId(),
        failures);
  }
}
