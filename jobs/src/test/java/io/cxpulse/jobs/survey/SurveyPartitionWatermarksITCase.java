package io.cxpulse.jobs.survey;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.jobs.EnginesExtension;
import io.cxpulse.jobs.FlinkTestCluster;
import io.cxpulse.jobs.generator.SurveyScenario;
import io.cxpulse.jobs.generator.SurveyTrafficGenerator;
import io.cxpulse.jobs.pipeline.PipelineMetrics;
import io.cxpulse.jobs.pipeline.RawRecords;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import io.cxpulse.jobs.survey.SurveyEndToEnd.Outgoing;
import io.cxpulse.jobs.validation.RejectReason;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Watermarks per Kafka partition, on the real engines: partitions far apart in event time, more
 * source subtasks than partitions and a backfill of one partition lose nothing. With watermarks per
 * source subtask (before), the first case dead-lettered thousands of good records as TOO_LATE: one
 * fetch of a subtask spans more than an hour of event time across partitions.
 */
class SurveyPartitionWatermarksITCase {

  private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      FlinkTestCluster.withSlots(4, REPORTER.addToConfiguration(FlinkTestCluster.noRestarts()));

  @RegisterExtension
  static final EnginesExtension<SurveyEndToEnd> ENGINES =
      new EnginesExtension<>(SurveyEndToEnd::start);

  @BeforeEach
  void emptyWindowTable() throws Exception {
    try (Connection connection = ENGINES.get().connection();
        Statement statement = connection.createStatement()) {
      statement.execute("TRUNCATE TABLE cx_survey_window");
    }
  }

  /**
   * The measurement: 100,000 responses spread over 6 hours of event time (about 4.6 a
   * second) on 4 partitions, read at parallelism 1. Every good one is counted.
   */
  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void sixHoursOnFourPartitionsReadByOneSubtaskCountEveryGoodResponse() throws Exception {
    SurveyScenario scenario = scenario(20_261_207L, 100_000, Duration.ofHours(6));
    String topic = "cx.surveys.six-hours";
    ENGINES.get().createTopic(topic, 4);
    List<Outgoing> records = scenario.records().stream().map(Outgoing::of).toList();
    ENGINES.get().produce(topic, records, byKey(4));

    Run run = run(topic, "six-hours", 1);

    assertExact(run, scenario, topic);
  }

  /** Four source subtasks on two partitions: two own none, and the results are those of one. */
  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void moreSubtasksThanPartitionsGiveTheSameRowsAndDeadLettersAsOne() throws Exception {
    SurveyScenario scenario = scenario(20_261_208L, 20_000, Duration.ofHours(2));
    String topic = "cx.surveys.two-partitions";
    ENGINES.get().createTopic(topic, 2);
    ENGINES.get().produce(topic, scenario.records().stream().map(Outgoing::of).toList(), byKey(2));

    Run one = run(topic, "parallelism-1", 1);
    Map<ExpectedSurveyScores.Key, ExpectedSurveyScores.ViewRow> rowsOfOne = scores();
    assertExact(one, scenario, topic);

    emptyWindowTable();
    Run four = run(topic, "parallelism-4", 4);
    assertThat(four.deadLettered()).as("dead letters at p4").isEqualTo(one.deadLettered());
    assertThat(four.counted()).as("counted at p4").isEqualTo(one.counted());
    assertThat(scores()).as("rows at p4 = rows at p1").isEqualTo(rowsOfOne);
  }

  /**
   * A producer of partition 1 catching up hours behind partition 0: nothing of it is too late, the
   * watermark waits for it. Records too late within partition 1 itself, older than anything on
   * either partition, are dead-lettered as TOO_LATE, exactly those.
   */
  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void aBackfillOfOnePartitionHoursBehindLosesNothing() throws Exception {
    Instant now = Instant.now();
    Instant behind = now.minus(Duration.ofHours(8)).truncatedTo(ChronoUnit.HOURS);
    Instant live = behind.plus(Duration.ofHours(4));
    // Partition 1 holds more than one fetch (1 MiB a partition), so partition 0 has been read and
    // has a watermark by the time partition 1's tail is.
    List<SurveyResponse> backfill = responses(1, behind, 12.0, 30_000);
    List<SurveyResponse> current = responses(2, live, 2.0, 5_000);
    List<SurveyResponse> tooLate = responses(3, behind.minus(Duration.ofHours(2)), 1.0, 7);

    List<Outgoing> partition0 = new ArrayList<>();
    for (SurveyResponse response : current) {
      partition0.add(outgoing(response, null));
    }
    List<Outgoing> partition1 = new ArrayList<>();
    for (SurveyResponse response : backfill) {
      partition1.add(outgoing(response, null));
    }
    for (SurveyResponse response : tooLate) {
      partition1.add(outgoing(response, RejectReason.TOO_LATE));
    }
    String topic = "cx.surveys.backfill";
    ENGINES.get().createTopic(topic, 2);
    // One producer for both partitions, as in the other cases: a second producer on the same
    // topic right after the first met OutOfOrderSequenceException on partition 0 in CI runs.
    Map<Outgoing, Integer> partitionOf = new IdentityHashMap<>();
    partition0.forEach(record -> partitionOf.put(record, 0));
    partition1.forEach(record -> partitionOf.put(record, 1));
    List<Outgoing> records = new ArrayList<>(partition0);
    records.addAll(partition1);
    ENGINES.get().produce(topic, records, partitionOf::get);

    Run run = run(topic, "backfill", 1);

    Map<RejectReason, Long> expected = new EnumMap<>(RejectReason.class);
    expected.put(RejectReason.TOO_LATE, (long) tooLate.size());
    assertThat(run.deadLettered()).as("dead letters").isEqualTo(expected);
    assertThat(run.counted()).as("counted").isEqualTo(backfill.size() + current.size());
    ExpectedSurveyScores.of(
            Stream.concat(backfill.stream(), current.stream()).toList(), SurveyEndToEnd.WINDOW)
        .assertMatches(scores());
    try (Connection connection = ENGINES.get().connection()) {
      assertThat(SurveyClickHouse.deadLetterCountsView(connection, topic))
          .as("cx_dead_letter_counts")
          .isEqualTo(expected);
    }
  }

  private record Run(long in, long counted, Map<RejectReason, Long> deadLettered) {}

  private static Run run(String topic, String groupId, int parallelism) throws Exception {
    SurveyJobOptions options =
        ENGINES
            .get()
            .options(
                topic,
                groupId,
                new RuntimeOptions(
                    Duration.ofSeconds(1),
                    parallelism,
                    true,
                    RuntimeOptions.DEFAULT_JDBC_BATCH_SIZE,
                    RuntimeOptions.DEFAULT_JDBC_FLUSH_INTERVAL));
    long started = System.nanoTime();
    JobExecutionResult result =
        SurveyEndToEnd.productionJob(options).execute("survey partition watermarks " + groupId);
    JobID job = result.getJobID();
    Map<RejectReason, Long> deadLettered = new EnumMap<>(RejectReason.class);
    for (RejectReason reason : RejectReason.values()) {
      long count = SurveyEndToEnd.sumCounter(REPORTER, job, PipelineMetrics.deadLettered(reason));
      if (count > 0) {
        deadLettered.put(reason, count);
      }
    }
    Run run =
        new Run(
            SurveyEndToEnd.sumCounter(REPORTER, job, PipelineMetrics.RECORDS_IN),
            SurveyEndToEnd.sumCounter(REPORTER, job, PipelineMetrics.RECORDS_COUNTED),
            deadLettered);
    System.out.printf(
        "SurveyPartitionWatermarksITCase %s: p%d, %d in, %d counted, dead letters %s, %d ms%n",
        groupId,
        parallelism,
        run.in(),
        run.counted(),
        run.deadLettered(),
        Duration.ofNanos(System.nanoTime() - started).toMillis());
    assertThat(
            run.counted() + run.deadLettered().values().stream().mapToLong(Long::longValue).sum())
        .as("in = counted + dead-lettered")
        .isEqualTo(run.in());
    return run;
  }

  private static void assertExact(Run run, SurveyScenario scenario, String topic) throws Exception {
    Map<RejectReason, Long> expected = new EnumMap<>(RejectReason.class);
    SurveyEndToEnd.deadLettersPerReason(scenario)
        .forEach(
            (reason, count) -> {
              if (count > 0) {
                expected.put(reason, count);
              }
            });
    assertThat(run.in()).as("recordsIn").isEqualTo(scenario.records().size());
    assertThat(run.deadLettered()).as("dead letters per reason").isEqualTo(expected);
    assertThat(run.counted()).as("counted").isEqualTo(scenario.countedResponses().size());
    ExpectedSurveyScores.of(scenario.countedResponses(), SurveyEndToEnd.WINDOW)
        .assertMatches(scores());
    try (Connection connection = ENGINES.get().connection()) {
      assertThat(SurveyClickHouse.deadLetterCountsView(connection, topic))
          .as("cx_dead_letter_counts")
          .isEqualTo(expected);
    }
  }

  private static Map<ExpectedSurveyScores.Key, ExpectedSurveyScores.ViewRow> scores()
      throws Exception {
    try (Connection connection = ENGINES.get().connection()) {
      return SurveyClickHouse.scoresPerMinute(connection);
    }
  }

  /**
   * {@code events} generated responses over {@code span} of event time ending an hour before now,
   * with every bad record, late and duplicate responses, and none too late: which records a job
   * finds too late depends on how the partitions' records interleave, which no producer controls.
   */
  private static SurveyScenario scenario(long seed, int events, Duration span) {
    Instant now = Instant.now();
    Instant start = now.minus(span).minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.HOURS);
    double perSecond = events / (double) span.toSeconds();
    return SurveyScenario.builder(
            SurveyTrafficGenerator.create(seed, start, perSecond).take(events), now)
        .seed(seed)
        .windowSize(SurveyEndToEnd.WINDOW)
        .outOfOrderness(SurveyEndToEnd.OUT_OF_ORDERNESS)
        .allowedLateness(SurveyEndToEnd.ALLOWED_LATENESS)
        .tooLateCount(0)
        .build();
  }

  private static List<SurveyResponse> responses(
      long seed, Instant start, double perSecond, int count) {
    return SurveyTrafficGenerator.create(seed, start, perSecond).take(count);
  }

  private static Outgoing outgoing(SurveyResponse response, RejectReason expected) {
    return new Outgoing(
        Instant.now().toEpochMilli(), response.getEventId(), RawRecords.encode(response), expected);
  }

  /** Kafka's choice for a keyed record, as the default partitioner makes it. */
  private static java.util.function.ToIntFunction<Outgoing> byKey(int partitions) {
    return record -> Math.floorMod(record.key().hashCode(), partitions);
  }
}
