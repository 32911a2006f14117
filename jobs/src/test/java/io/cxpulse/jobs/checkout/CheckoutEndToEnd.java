package io.cxpulse.jobs.checkout;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.embedded.clickhouse.EmbeddedClickHouse;
import io.cxpulse.embedded.kafka.EmbeddedKafka;
import io.cxpulse.events.DeadLetter;
import io.cxpulse.jobs.aggregate.WindowAggregation;
import io.cxpulse.jobs.codec.DecodeResult;
import io.cxpulse.jobs.codec.EventDecoder;
import io.cxpulse.jobs.codec.SchemaCatalog;
import io.cxpulse.jobs.generator.CheckoutScenario;
import io.cxpulse.jobs.generator.CheckoutScenario.ScenarioRecord;
import io.cxpulse.jobs.generator.SurveyScenario.Fate;
import io.cxpulse.jobs.pipeline.ClickHouseOptions;
import io.cxpulse.jobs.pipeline.EventGateOptions;
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
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Future;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The pieces the end-to-end checkout tests share: the real engines (an in-process Kafka broker and
 * the embedded ClickHouse engine with the migrations applied; only one engine per JVM, so start one
 * per test class and close it), a generated {@link CheckoutScenario} with every fate, producing it
 * to Kafka as the scenario prescribes (one partition, in order, the records' own timestamps),
 * reading the dead-letter topic back, and summing job counters.
 */
public final class CheckoutEndToEnd implements AutoCloseable {

  /** Window, disorder bound, allowed lateness, inactivity timeout: the job's and the scenario's. */
  public static final Duration WINDOW = Duration.ofMinutes(1);

  public static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(5);
  public static final Duration ALLOWED_LATENESS = Duration.ofHours(1);
  public static final Duration INACTIVITY_TIMEOUT = Duration.ofMinutes(30);

  /** Checkouts starting per second of event time: about 90 a minute, 5.5 events a second. */
  public static final double CHECKOUTS_PER_SECOND = 1.5;

  public static final String CHECKOUT_TOPIC = CheckoutJobOptions.DEFAULT_TOPIC;
  public static final String DEAD_LETTER_TOPIC = KafkaOptions.DEFAULT_DEAD_LETTER_TOPIC;

  private final EmbeddedClickHouse clickHouse;
  private final EmbeddedKafka kafka;

  private CheckoutEndToEnd(EmbeddedClickHouse clickHouse, EmbeddedKafka kafka) {
    this.clickHouse = clickHouse;
    this.kafka = kafka;
  }

  /**
   * Starts ClickHouse in {@code clickHouseDir} with the schema migrated and a Kafka broker with the
   * checkout topic (one partition) and the dead-letter topic.
   */
  public static CheckoutEndToEnd start(Path clickHouseDir) throws Exception {
    EmbeddedClickHouse clickHouse =
        EmbeddedClickHouse.builder().dataDir(clickHouseDir).port(0).start();
    try {
      try (Connection connection = DriverManager.getConnection(clickHouse.jdbcUrl())) {
        new SchemaMigrator(Migrations.fromClasspath()).migrate(connection);
      }
      EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start();
      kafka.createTopics(1, CHECKOUT_TOPIC, DEAD_LETTER_TOPIC);
      return new CheckoutEndToEnd(clickHouse, kafka);
    } catch (Exception | Error e) {
      clickHouse.close();
      throw e;
    }
  }

  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  public Connection connection() throws SQLException {
    return DriverManager.getConnection(clickHouse.jdbcUrl());
  }

  /** The job options matching {@link #scenario}, against these engines, bounded. */
  public CheckoutJobOptions options(String groupId, RuntimeOptions runtime) {
    return new CheckoutJobOptions(
        new KafkaOptions(kafka.bootstrapServers()),
        CHECKOUT_TOPIC,
        DEAD_LETTER_TOPIC,
        groupId,
        new ClickHouseOptions(clickHouse.jdbcUrl(), ClickHouseOptions.DEFAULT_USER, ""),
        new EventTimeOptions(
            WINDOW, OUT_OF_ORDERNESS, EventTimeOptions.DEFAULT_IDLENESS, ALLOWED_LATENESS),
        INACTIVITY_TIMEOUT,
        CheckoutJobOptions.DEFAULT_MAX_CHECKOUT_DURATION,
        EventGateOptions.DEFAULTS,
        runtime,
        WindowAggregation.DEFAULT_SALTS);
  }

  /**
   * A scenario of at least {@code events} generated checkout events (seeded, {@code hotShare} of
   * the checkouts on web × returning) with every fate, matching {@link #options}; the traffic ends
   * well before the wall clock.
   */
  public static CheckoutScenario scenario(long seed, int events, double hotShare) {
    Instant now = Instant.now();
    CheckoutScenario scenario =
        CheckoutScenario.builder(
                seed, CheckoutScenario.startFor(now, events, CHECKOUTS_PER_SECOND), now)
            .events(events)
            .checkoutsPerSecond(CHECKOUTS_PER_SECOND)
            .hotShare(hotShare)
            .windowSize(WINDOW)
            .outOfOrderness(OUT_OF_ORDERNESS)
            .allowedLateness(ALLOWED_LATENESS)
            .inactivityTimeout(INACTIVITY_TIMEOUT)
            .build();
    assertThat(scenario.kindCounts())
        .as("kinds of records")
        .allSatisfy((kind, count) -> assertThat(count).as("%s", kind).isPositive());
    assertThat(deadLettersPerReason(scenario))
        .as("every reason occurs")
        .allSatisfy((reason, count) -> assertThat(count).as("%s", reason).isPositive());
    return scenario;
  }

  /** Expected dead letters per reason (every reason present, zero if none). */
  public static Map<RejectReason, Long> deadLettersPerReason(CheckoutScenario scenario) {
    Map<Fate, Long> fates = scenario.fateCounts();
    Map<RejectReason, Long> counts = new EnumMap<>(RejectReason.class);
    for (RejectReason reason : RejectReason.values()) {
      counts.put(reason, fates.getOrDefault(Fate.deadLettered(reason), 0L));
    }
    return counts;
  }

  /**
   * Produces every record of {@code scenario} to partition 0 of the checkout topic, in order, with
   * an idempotent producer and the records' own timestamps; returns each record's offset.
   */
  public List<Long> produce(CheckoutScenario scenario) throws Exception {
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (ScenarioRecord record : scenario.records()) {
        sent.add(
            producer.send(
                new ProducerRecord<>(
                    CHECKOUT_TOPIC,
                    0,
                    record.timestamp().toEpochMilli(),
                    record.key().getBytes(StandardCharsets.UTF_8),
                    record.value())));
      }
      producer.flush();
    }
    List<Long> offsets = new ArrayList<>(sent.size());
    for (Future<RecordMetadata> metadata : sent) {
      offsets.add(metadata.get().offset());
    }
    for (int i = 1; i < offsets.size(); i++) {
      assertThat(offsets.get(i))
          .as("offsets in production order")
          .isGreaterThan(offsets.get(i - 1));
    }
    return offsets;
  }

  /** Reason by source offset of every record the scenario dead-letters. */
  public static Map<Long, RejectReason> expectedDeadLetters(
      CheckoutScenario scenario, List<Long> offsets) {
    Map<Long, RejectReason> expected = new TreeMap<>();
    List<ScenarioRecord> records = scenario.records();
    for (int i = 0; i < records.size(); i++) {
      Fate fate = records.get(i).fate();
      if (!fate.isCounted()) {
        expected.put(offsets.get(i), fate.rejectReason());
      }
    }
    return expected;
  }

  /** Every record of the dead-letter topic, decoded; fails on one that does not decode. */
  public List<DeadLetter> readDeadLetterTopic() {
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
   * The sum of the counter {@code name} over every operator and subtask of {@code job} (by metric
   * group: chained operators can share an identifier).
   */
  public static long sumCounter(InMemoryReporter reporter, JobID job, String name) {
    return reporter.getMetricsByGroup().entrySet().stream()
        .filter(group -> job.toString().equals(group.getKey().getAllVariables().get("<job_id>")))
        .map(group -> group.getValue().get(name))
        .filter(Counter.class::isInstance)
        .mapToLong(counter -> ((Counter) counter).getCount())
        .sum();
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
