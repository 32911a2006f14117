package io.cxpulse.jobs.survey;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.jobs.EnginesExtension;
import io.cxpulse.jobs.FlinkTestCluster;
import io.cxpulse.jobs.generator.SurveyScenario;
import io.cxpulse.jobs.generator.SurveyScenario.Kind;
import io.cxpulse.jobs.generator.SurveyScenario.ScenarioRecord;
import io.cxpulse.jobs.pipeline.PipelineMetrics;
import io.cxpulse.jobs.survey.SurveyClickHouse.Emissions;
import io.cxpulse.jobs.validation.RejectReason;
import java.sql.Connection;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The survey pipeline end to end on the real engines: a generated scenario with every fate is
 * produced to an in-process Kafka broker, the job ({@link SurveyJob#defineWorkflow} with the
 * production Kafka source and {@link SurveyJob#productionSinks}) runs on a MiniCluster at
 * parallelism 2, and ClickHouse, the dead-letter topic and the job's counters must agree with an
 * expectation computed from the scenario alone:
 *
 * <ul>
 *   <li>every row of {@code cx_survey_scores_minute} (every minute × channel × segment and the
 *       rolled-up 'all' rows) equals the expectation, and no row is missing or extra;
 *   <li>in = counted + dead-lettered, per reason, from the counters, from {@code cx_dead_letters
 *       FINAL} (record by record) and from the dead-letter topic (record by record);
 *   <li>late data re-emitted window rows with a higher version.
 * </ul>
 */
class SurveyPipelineITCase {

  private static final long SEED = 20_250_601L;
  private static final int EVENTS = 50_000;
  private static final int TOO_LATE = 5;

  private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      FlinkTestCluster.withSlots(2, REPORTER.addToConfiguration(FlinkTestCluster.noRestarts()));

  @RegisterExtension
  static final EnginesExtension<SurveyEndToEnd> ENGINES =
      new EnginesExtension<>(SurveyEndToEnd::start);

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void everyResponseIsCountedOnceOrDeadLetteredAndTheScoresAreExact() throws Exception {
    SurveyScenario scenario = SurveyEndToEnd.scenario(SEED, EVENTS, TOO_LATE);
    List<Long> offsets = ENGINES.get().produce(scenario);
    Map<Long, RejectReason> expectedDeadLetters =
        SurveyEndToEnd.expectedDeadLetters(scenario, offsets);
    Map<RejectReason, Long> expectedPerReason = SurveyEndToEnd.deadLettersPerReason(scenario);
    ExpectedSurveyScores expectedScores =
        ExpectedSurveyScores.of(scenario.countedResponses(), SurveyEndToEnd.WINDOW);
    try (Connection connection = ENGINES.get().connection()) {
      SurveyClickHouse.installEmissionLog(connection);
    }

    // Checkpoints flush the sinks; a bounded job also waits for one before it ends.
    StreamExecutionEnvironment env =
        SurveyEndToEnd.productionJob(ENGINES.get().frequentlyCheckpointed("survey-pipeline-it"));
    long started = System.nanoTime();
    JobExecutionResult result = env.execute("survey pipeline end to end");
    long jobMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();

    // in = counted + dead-lettered, from the job's counters.
    JobID job = result.getJobID();
    Map<RejectReason, Long> deadLettered = new EnumMap<>(RejectReason.class);
    for (RejectReason reason : RejectReason.values()) {
      deadLettered.put(
          reason, SurveyEndToEnd.sumCounter(REPORTER, job, PipelineMetrics.deadLettered(reason)));
    }
    long recordsIn = SurveyEndToEnd.sumCounter(REPORTER, job, PipelineMetrics.RECORDS_IN);
    long recordsCounted = SurveyEndToEnd.sumCounter(REPORTER, job, PipelineMetrics.RECORDS_COUNTED);
    assertThat(recordsIn).as("recordsIn").isEqualTo(scenario.records().size());
    assertThat(recordsCounted).as("recordsCounted").isEqualTo(scenario.countedResponses().size());
    assertThat(deadLettered).as("deadLettered_<REASON>").isEqualTo(expectedPerReason);
    assertThat(recordsCounted + deadLettered.values().stream().mapToLong(Long::longValue).sum())
        .as("in = counted + dead-lettered")
        .isEqualTo(recordsIn);

    try (Connection connection = ENGINES.get().connection()) {
      // Dead letters in ClickHouse: exactly the expected records, each with its reason.
      assertThat(SurveyClickHouse.deadLettersFinal(connection, SurveyEndToEnd.SURVEY_TOPIC))
          .as("cx_dead_letters FINAL, reason by source offset")
          .isEqualTo(expectedDeadLetters);
      assertThat(SurveyClickHouse.deadLetterCountsView(connection, SurveyEndToEnd.SURVEY_TOPIC))
          .as("cx_dead_letter_counts")
          .isEqualTo(nonZero(expectedPerReason));
      assertThat(
              SurveyClickHouse.countedInLatestRows(connection) + (long) expectedDeadLetters.size())
          .as("in = counted + dead-lettered, from ClickHouse")
          .isEqualTo(offsets.size());

      // The scores, every row of every grouping set.
      expectedScores.assertMatches(SurveyClickHouse.scoresPerMinute(connection));

      // Late data produced newer versions of rows already written; each version is its count.
      Emissions emissions = SurveyClickHouse.emissions(connection);
      assertThat(emissions.keys())
          .as("window rows written")
          .isEqualTo(expectedScores.rowsPerGroupingSet().get("channel×segment"));
      assertThat(emissions.reEmittedKeys()).as("rows re-emitted by late data").isPositive();
      assertThat(emissions.versionNotResponses())
          .as("rows whose version is not their count")
          .isZero();
      System.out.printf(
          "SurveyPipelineITCase: %d records (%s; kinds %s; first TOO_LATE at record %d), job %d"
              + " ms; expected %s; emissions %s%n",
          offsets.size(),
          scenario.fateCounts(),
          scenario.records().stream()
              .collect(Collectors.groupingBy(ScenarioRecord::kind, Collectors.counting())),
          IntStream.range(0, scenario.records().size())
              .filter(i -> scenario.records().get(i).kind() == Kind.TOO_LATE)
              .findFirst()
              .orElse(-1),
          jobMillis,
          expectedScores.summary(),
          emissions);
    }

    // Dead letters in Kafka: one per rejected record, each with its reason (no failure, no replay).
    List<DeadLetter> topic = ENGINES.get().readDeadLetterTopic();
    Map<Long, RejectReason> fromTopic = new TreeMap<>();
    for (DeadLetter deadLetter : topic) {
      assertThat(deadLetter.getSourceTopic()).isEqualTo(SurveyEndToEnd.SURVEY_TOPIC);
      assertThat(deadLetter.getSourcePartition()).isZero();
      assertThat(
              fromTopic.put(
                  deadLetter.getSourceOffset(),
                  RejectReason.valueOf(deadLetter.getReason().name())))
          .as("one dead letter for offset %d", deadLetter.getSourceOffset())
          .isNull();
    }
    assertThat(fromTopic)
        .as("dead-letter topic, reason by source offset")
        .isEqualTo(expectedDeadLetters);
    assertThat(
            topic.stream()
                .collect(
                    Collectors.groupingBy(
                        d -> RejectReason.valueOf(d.getReason().name()),
                        () -> new EnumMap<>(RejectReason.class),
                        Collectors.counting())))
        .as("dead-letter topic per reason")
        .isEqualTo(nonZero(expectedPerReason));
  }

  private static Map<RejectReason, Long> nonZero(Map<RejectReason, Long> counts) {
    Map<RejectReason, Long> nonZero = new EnumMap<>(RejectReason.class);
    counts.forEach(
        (reason, count) -> {
          if (count > 0) {
            nonZero.put(reason, count);
          }
        });
    return nonZero;
  }
}
