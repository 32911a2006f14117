package io.cxpulse.jobs.survey;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.jobs.EndToEndEngines;
import io.cxpulse.jobs.aggregate.WindowAggregation;
import io.cxpulse.jobs.generator.SurveyScenario;
import io.cxpulse.jobs.generator.SurveyScenario.Kind;
import io.cxpulse.jobs.generator.SurveyScenario.ScenarioRecord;
import io.cxpulse.jobs.generator.SurveyTrafficGenerator;
import io.cxpulse.jobs.pipeline.EventGateOptions;
import io.cxpulse.jobs.pipeline.EventInput;
import io.cxpulse.jobs.pipeline.EventTimeOptions;
import io.cxpulse.jobs.pipeline.KafkaOptions;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import io.cxpulse.jobs.validation.RejectReason;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.checkpoint.FailedCheckpointStats;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The pieces the end-to-end survey tests share: the real engines (an in-process Kafka broker and
 * the embedded ClickHouse engine with the migrations applied), a generated scenario with every
 * fate, producing it to Kafka the way {@link SurveyScenario} prescribes, reading the dead-letter
 * topic back, and summing job counters.
 */
final class SurveyEndToEnd implements AutoCloseable {

  /** Window, disorder bound and allowed lateness: the job's options and the scenario's. */
  static final Duration WINDOW = Duration.ofMinutes(1);

  static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(5);

  /**
   * Short enough that TOO_LATE records fit into a test-sized stream, long enough for the scenario's
   * default LATE and DUPLICATE margins (5 s + 1 min + 5 min).
   */
  static final Duration ALLOWED_LATENESS = Duration.ofMinutes(10);

  /** Responses per second of event time: about 470 a minute, some in every channel × segment. */
  static final double EVENTS_PER_SECOND = 8.0;

  static final String SURVEY_TOPIC = "cx.surveys";
  static final String DEAD_LETTER_TOPIC = "cx.dead-letters";

  private final EndToEndEngines engines;

  private SurveyEndToEnd(EndToEndEngines engines) {
    this.engines = engines;
  }

  /**
   * Starts ClickHouse in {@code clickHouseDir} with the schema migrated and a Kafka broker with the
   * survey topic (one partition) and the dead-letter topic.
   */
  static SurveyEndToEnd start(Path clickHouseDir) throws Exception {
    return new SurveyEndToEnd(
        EndToEndEngines.start(clickHouseDir, SURVEY_TOPIC, DEAD_LETTER_TOPIC));
  }

  String bootstrapServers() {
    return engines.bootstrapServers();
  }

  Connection connection() throws SQLException {
    return engines.connection();
  }

  /**
   * The job options matching {@link #scenario}, against these engines: bounded, so that the job
   * ends after the records produced before it started.
   */
  SurveyJobOptions options(String groupId) {
    return options(
        SURVEY_TOPIC,
        groupId,
        new RuntimeOptions(
            RuntimeOptions.DEFAULT_CHECKPOINT_INTERVAL,
            RuntimeOptions.DEFAULT_PARALLELISM,
            true,
            RuntimeOptions.DEFAULT_JDBC_BATCH_SIZE,
            RuntimeOptions.DEFAULT_JDBC_FLUSH_INTERVAL));
  }

  /** Like {@link #options(String)}, reading {@code topic} and running as {@code runtime} says. */
  SurveyJobOptions options(String topic, String groupId, RuntimeOptions runtime) {
    return options(topic, groupId, runtime, EventTimeOptions.DEFAULT_IDLENESS);
  }

  /**
   * Like {@link #options(String, String, RuntimeOptions)}, a partition idle after {@code idleness}.
   */
  SurveyJobOptions options(
      String topic, String groupId, RuntimeOptions runtime, Duration idleness) {
    return new SurveyJobOptions(
        new KafkaOptions(engines.bootstrapServers()),
        topic,
        DEAD_LETTER_TOPIC,
        groupId,
        engines.clickHouseOptions(),
        new EventTimeOptions(WINDOW, OUT_OF_ORDERNESS, idleness, ALLOWED_LATENESS),
        EventGateOptions.DEFAULTS,
        runtime,
        WindowAggregation.DEFAULT_SALTS);
  }

  /**
   * {@code events} generated responses (seeded) in a scenario with every fate: on time, late within
   * the allowed lateness, duplicated, {@code tooLate} too late, and every bad record. The traffic
   * ends well before the wall clock, so no valid response is in the future.
   */
  static SurveyScenario scenario(long seed, int events, int tooLate) {
    Instant now = Instant.now();
    Duration span = Duration.ofSeconds((long) (events / EVENTS_PER_SECOND));
    Instant start = now.minus(span).minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.HOURS);
    SurveyScenario scenario =
        SurveyScenario.builder(
                SurveyTrafficGenerator.create(seed, start, EVENTS_PER_SECOND).take(events), now)
            .seed(seed)
            .windowSize(WINDOW)
            .outOfOrderness(OUT_OF_ORDERNESS)
            .allowedLateness(ALLOWED_LATENESS)
            .tooLateCount(tooLate)
            .build();
    Map<Kind, Long> kinds =
        scenario.records().stream()
            .collect(Collectors.groupingBy(ScenarioRecord::kind, Collectors.counting()));
    assertThat(kinds).as("kinds of records").containsOnlyKeys(Kind.values());
    assertThat(deadLettersPerReason(scenario))
        .as("every reason occurs")
        .allSatisfy((reason, count) -> assertThat(count).as("%s", reason).isPositive());
    return scenario;
  }

  /** Expected dead letters per reason (every reason present, zero if none). */
  static Map<RejectReason, Long> deadLettersPerReason(SurveyScenario scenario) {
    return EndToEndEngines.deadLettersPerReason(scenario.fateCounts());
  }

  /**
   * One Kafka record to produce to partition 0 of the survey topic, with the reason the job will
   * dead-letter it for, or null when it is counted.
   *
   * @param timestamp the create time, or null for the producer's clock
   */
  record Outgoing(Long timestamp, String key, byte[] value, RejectReason expectedReason) {
    EndToEndEngines.Outgoing toKafka() {
      return new EndToEndEngines.Outgoing(timestamp, key, value);
    }

    static Outgoing of(ScenarioRecord record) {
      return new Outgoing(
          record.timestamp().toEpochMilli(),
          record.key(),
          record.value(),
          record.fate().isCounted() ? null : record.fate().rejectReason());
    }
  }

  /**
   * Produces every record of {@code scenario} to partition 0 of the survey topic, in order, with an
   * idempotent producer and the records' own timestamps, and returns the offset of each record
   * (same index as {@link SurveyScenario#records()}).
   */
  List<Long> produce(SurveyScenario scenario) throws Exception {
    return produce(scenario.records().stream().map(Outgoing::of).toList());
  }

  /**
   * Produces {@code records} to partition 0 of the survey topic, in order, with an idempotent
   * producer, and returns the offset of each (same index).
   */
  List<Long> produce(List<Outgoing> records) throws Exception {
    return engines.produceInOrder(SURVEY_TOPIC, records.stream().map(Outgoing::toKafka).toList());
  }

  /**
   * Produces {@code records} to {@code topic}, each to the partition {@code partitionOf} names, in
   * order per partition, with an idempotent producer, and returns the offset of each (same index).
   */
  List<Long> produce(String topic, List<Outgoing> records, ToIntFunction<Outgoing> partitionOf)
      throws Exception {
    return engines.produce(
        topic,
        records.stream()
            .map(
                record ->
                    new EndToEndEngines.Outgoing(
                        partitionOf.applyAsInt(record), record.timestamp, record.key, record.value))
            .toList());
  }

  /** Creates {@code topic} with {@code partitions} partitions. */
  void createTopic(String topic, int partitions) {
    engines.createTopic(topic, partitions);
  }

  /** Reason by source offset of every record of {@code records} that is dead-lettered. */
  static Map<Long, RejectReason> expectedDeadLetters(List<Outgoing> records, List<Long> offsets) {
    Map<Long, RejectReason> expected = new TreeMap<>();
    for (int i = 0; i < records.size(); i++) {
      if (records.get(i).expectedReason() != null) {
        expected.put(offsets.get(i), records.get(i).expectedReason());
      }
    }
    return expected;
  }

  /**
   * The options of a job that reads these engines at parallelism 2, checkpointing and flushing
   * often enough that a test-sized stream sees several checkpoints and batches.
   */
  SurveyJobOptions frequentlyCheckpointed(String groupId) {
    return options(
        SURVEY_TOPIC,
        groupId,
        new RuntimeOptions(Duration.ofMillis(500), 2, true, 200, Duration.ofMillis(200)));
  }

  /** A fresh environment holding the production survey job: Kafka source, production sinks. */
  static StreamExecutionEnvironment productionJob(SurveyJobOptions options) {
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
        SurveyJob.productionSinks(options));
    return env;
  }

  /**
   * The failed checkpoints of {@code job} other than those a bounded job cannot take while it
   * finishes ({@link #isFinishingDecline}), as "id: message".
   */
  static List<String> realCheckpointFailures(MiniCluster cluster, JobID job) throws Exception {
    List<String> failures = new ArrayList<>();
    cluster
        .getExecutionGraph(job)
        .get()
        .getCheckpointStatsSnapshot()
        .getHistory()
        .getCheckpoints()
        .forEach(
            c -> {
              if (c instanceof FailedCheckpointStats failed
                  && !isFinishingDecline(failed.getFailureMessage())) {
                failures.add(c.getCheckpointId() + ": " + failed.getFailureMessage());
              }
            });
    return failures;
  }

  /** Reason by source offset of every record the scenario dead-letters. */
  static Map<Long, RejectReason> expectedDeadLetters(SurveyScenario scenario, List<Long> offsets) {
    return expectedDeadLetters(scenario.records().stream().map(Outgoing::of).toList(), offsets);
  }

  /** Every record of the dead-letter topic, decoded; fails on one that does not decode. */
  List<DeadLetter> readDeadLetterTopic() {
    return engines.readDeadLetters(DEAD_LETTER_TOPIC);
  }

  /**
   * The sum of the counter {@code name} over every operator and subtask of {@code job}, as
   * PipelineMetrics prescribes for reconciliation.
   */
  static long sumCounter(InMemoryReporter reporter, JobID job, String name) {
    return EndToEndEngines.sumCounter(reporter, job, name);
  }

  /**
   * Whether {@code failureMessage} is of a checkpoint a bounded job could not take because its
   * tasks were finishing: declined as "tasks not ready" or "task is closing" (Flink's
   * CheckpointFailureReason texts), cut short as the finished job's coordinator stops ("is
   * suspending"), or reaching a task manager after the task had ended ("unknown task"). Any other
   * failure is a real one.
   */
  static boolean isFinishingDecline(String failureMessage) {
    return failureMessage != null
        && (failureMessage.endsWith("declined (tasks not ready)")
            || failureMessage.endsWith("declined (task is closing)")
            || failureMessage.equals("Checkpoint Coordinator is suspending.")
            || failureMessage.contains("received a checkpoint request for unknown task"));
  }

  @Override
  public void close() {
    engines.close();
  }
}
