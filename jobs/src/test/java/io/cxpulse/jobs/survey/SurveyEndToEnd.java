package io.cxpulse.jobs.survey;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.embedded.clickhouse.EmbeddedClickHouse;
import io.cxpulse.embedded.kafka.EmbeddedKafka;
import io.cxpulse.events.DeadLetter;
import io.cxpulse.jobs.aggregate.WindowAggregation;
import io.cxpulse.jobs.codec.DecodeResult;
import io.cxpulse.jobs.codec.EventDecoder;
import io.cxpulse.jobs.codec.SchemaCatalog;
import io.cxpulse.jobs.generator.SurveyScenario;
import io.cxpulse.jobs.generator.SurveyScenario.Fate;
import io.cxpulse.jobs.generator.SurveyScenario.Kind;
import io.cxpulse.jobs.generator.SurveyScenario.ScenarioRecord;
import io.cxpulse.jobs.generator.SurveyTrafficGenerator;
import io.cxpulse.jobs.pipeline.ClickHouseOptions;
import io.cxpulse.jobs.pipeline.EventGateOptions;
import io.cxpulse.jobs.pipeline.EventInput;
import io.cxpulse.jobs.pipeline.EventTimeOptions;
import io.cxpulse.jobs.pipeline.KafkaOptions;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import io.cxpulse.jobs.sql.Migrations;
import io.cxpulse.jobs.sql.SchemaMigrator;
import io.cxpulse.jobs.validation.RejectReason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.checkpoint.FailedCheckpointStats;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

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

  private final EmbeddedClickHouse clickHouse;
  private final EmbeddedKafka kafka;

  private SurveyEndToEnd(EmbeddedClickHouse clickHouse, EmbeddedKafka kafka) {
    this.clickHouse = clickHouse;
    this.kafka = kafka;
  }

  /**
   * Starts ClickHouse in {@code clickHouseDir} with the schema migrated and a Kafka broker with the
   * survey topic (one partition) and the dead-letter topic.
   */
  static SurveyEndToEnd start(Path clickHouseDir) throws Exception {
    EmbeddedClickHouse clickHouse =
        EmbeddedClickHouse.builder().dataDir(clickHouseDir).port(0).start();
    try {
      try (Connection connection = DriverManager.getConnection(clickHouse.jdbcUrl())) {
        new SchemaMigrator(Migrations.fromClasspath()).migrate(connection);
      }
      EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start();
      kafka.createTopics(1, SURVEY_TOPIC, DEAD_LETTER_TOPIC);
      return new SurveyEndToEnd(clickHouse, kafka);
    } catch (Exception | Error e) {
      clickHouse.close();
      throw e;
    }
  }

  String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  Connection connection() throws SQLException {
    return DriverManager.getConnection(clickHouse.jdbcUrl());
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
    return new SurveyJobOptions(
        new KafkaOptions(kafka.bootstrapServers()),
        topic,
        DEAD_LETTER_TOPIC,
        groupId,
        new ClickHouseOptions(clickHouse.jdbcUrl(), ClickHouseOptions.DEFAULT_USER, ""),
        new EventTimeOptions(
            WINDOW, OUT_OF_ORDERNESS, EventTimeOptions.DEFAULT_IDLENESS, ALLOWED_LATENESS),
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
    Map<Fate, Long> fates = scenario.fateCounts();
    Map<RejectReason, Long> counts = new EnumMap<>(RejectReason.class);
    for (RejectReason reason : RejectReason.values()) {
      counts.put(reason, fates.getOrDefault(Fate.deadLettered(reason), 0L));
    }
    return counts;
  }

  /**
   * One Kafka record to produce to partition 0 of the survey topic, with the reason the job will
   * dead-letter it for, or null when it is counted.
   *
   * @param timestamp the create time, or null for the producer's clock
   */
  record Outgoing(Long timestamp, String key, byte[] value, RejectReason expectedReason) {
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
    List<Long> offsets = produce(SURVEY_TOPIC, records, record -> 0);
    for (int i = 1; i < offsets.size(); i++) {
      assertThat(offsets.get(i))
          .as("offsets in production order")
          .isGreaterThan(offsets.get(i - 1));
    }
    return offsets;
  }

  /**
   * Produces {@code records} to {@code topic}, each to the partition {@code partitionOf} names, in
   * order per partition, with an idempotent producer, and returns the offset of each (same index).
   */
  List<Long> produce(String topic, List<Outgoing> records, ToIntFunction<Outgoing> partitionOf)
      throws Exception {
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    // Seen in CI with every core busy: a produce request outlived the default 30 s timeout after
    // the broker had appended it; the retry of that long-acknowledged first batch then failed with
    // OutOfOrderSequenceException until the delivery timeout. Waiting longer never retries it.
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 120_000);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000);
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (Outgoing record : records) {
        sent.add(
            producer.send(
                new ProducerRecord<>(
                    topic,
                    partitionOf.applyAsInt(record),
                    record.timestamp(),
                    record.key().getBytes(StandardCharsets.UTF_8),
                    record.value())));
      }
      producer.flush();
    }
    List<Long> offsets = new ArrayList<>(sent.size());
    for (Future<RecordMetadata> metadata : sent) {
      offsets.add(metadata.get().offset());
    }
    return offsets;
  }

  /** Creates {@code topic} with {@code partitions} partitions. */
  void createTopic(String topic, int partitions) {
    kafka.createTopics(partitions, topic);
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
    EventDecoder<DeadLetter> decoder =
        EventDecoder.deadLetters(SchemaCatalog.loadFromClasspath().store());
    List<DeadLetter> deadLetters = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record :
        kafka.readAll(DEAD_LETTER_TOPIC, Duration.ofSeconds(30))) {
      DecodeResult<DeadLetter> decoded = decoder.decode(record.value());
      assertThat(decoded.isOk()).as("dead letter at offset %d decodes", record.offset()).isTrue();
      deadLetters.add(decoded.value());
    }
    return deadLetters;
  }

  /**
   * The sum of the counter {@code name} over every operator and subtask of {@code job}, as
   * PipelineMetrics prescribes for reconciliation. By group rather than by identifier: chained
   * operators can share an identifier.
   */
  static long sumCounter(InMemoryReporter reporter, JobID job, String name) {
    return reporter.getMetricsByGroup().entrySet().stream()
        .filter(group -> job.toString().equals(group.getKey().getAllVariables().get("<job_id>")))
        .map(group -> group.getValue().get(name))
        .filter(Counter.class::isInstance)
        .mapToLong(counter -> ((Counter) counter).getCount())
        .sum();
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
    try {
      kafka.close();
    } finally {
      clickHouse.close();
    }
  }
}
