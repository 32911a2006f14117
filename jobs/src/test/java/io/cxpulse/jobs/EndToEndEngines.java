package io.cxpulse.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.embedded.clickhouse.EmbeddedClickHouse;
import io.cxpulse.embedded.kafka.EmbeddedKafka;
import io.cxpulse.events.DeadLetter;
import io.cxpulse.jobs.codec.DecodeResult;
import io.cxpulse.jobs.codec.EventDecoder;
import io.cxpulse.jobs.codec.SchemaCatalog;
import io.cxpulse.jobs.generator.SurveyScenario.Fate;
import io.cxpulse.jobs.pipeline.ClickHouseOptions;
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
import java.util.function.Function;
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
 * The real engines every end-to-end test of a stream runs against, and what those tests do with
 * them alike: an in-process Kafka broker with the test's topics, the embedded ClickHouse engine
 * with the migrations applied (only one engine per JVM, so start one per test class and close it),
 * producing records in order, reading the dead-letter topic back and summing job counters. The
 * stream's own fixture ({@code SurveyEndToEnd}, {@code CheckoutEndToEnd}, {@code TicketEndToEnd})
 * adds its scenario and job options; a test class holds it through {@link EnginesExtension}.
 */
public final class EndToEndEngines implements AutoCloseable {

  private final EmbeddedClickHouse clickHouse;
  private final EmbeddedKafka kafka;

  private EndToEndEngines(EmbeddedClickHouse clickHouse, EmbeddedKafka kafka) {
    this.clickHouse = clickHouse;
    this.kafka = kafka;
  }

  /** ClickHouse in {@code clickHouseDir}, migrated; a Kafka broker with {@code topics}. */
  public static EndToEndEngines start(Path clickHouseDir, String... topics) throws Exception {
    return start(clickHouseDir, EmbeddedKafka.builder(), topics);
  }

  /**
   * As {@link #start(Path, String...)}, the broker built by {@code kafka} (its port chosen here),
   * each topic with one partition.
   */
  public static EndToEndEngines start(
      Path clickHouseDir, EmbeddedKafka.Builder kafka, String... topics) throws Exception {
    EmbeddedClickHouse clickHouse =
        EmbeddedClickHouse.builder().dataDir(clickHouseDir).port(0).start();
    try {
      try (Connection connection = DriverManager.getConnection(clickHouse.jdbcUrl())) {
        new SchemaMigrator(Migrations.fromClasspath()).migrate(connection);
      }
      EmbeddedKafka broker = kafka.port(0).build().start();
      broker.createTopics(1, topics);
      return new EndToEndEngines(clickHouse, broker);
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

  /** The jobs' ClickHouse options for this engine. */
  public ClickHouseOptions clickHouseOptions() {
    return new ClickHouseOptions(clickHouse.jdbcUrl(), ClickHouseOptions.DEFAULT_USER, "");
  }

  /** Creates {@code topic} with {@code partitions} partitions. */
  public void createTopic(String topic, int partitions) {
    kafka.createTopics(partitions, topic);
  }

  /**
   * One Kafka record to produce.
   *
   * @param partition the partition of the topic it goes to
   * @param timestamp the create time, or null for the producer's clock
   */
  public record Outgoing(int partition, Long timestamp, String key, byte[] value) {

    /** To partition 0, the one partition of the streams' end-to-end topics. */
    public Outgoing(Long timestamp, String key, byte[] value) {
      this(0, timestamp, key, value);
    }
  }

  /**
   * Produces {@code records} to partition 0 of {@code topic}, in order, with an idempotent
   * producer, and returns the offset of each (same index), checked to ascend in production order.
   */
  public List<Long> produceInOrder(String topic, List<Outgoing> records) throws Exception {
    assertThat(records).allSatisfy(record -> assertThat(record.partition()).isZero());
    List<Long> offsets = produce(topic, records);
    for (int i = 1; i < offsets.size(); i++) {
      assertThat(offsets.get(i))
          .as("offsets in production order")
          .isGreaterThan(offsets.get(i - 1));
    }
    return offsets;
  }

  /**
   * Produces generated records to partition 0 of {@code topic}, in order, each with its own
   * timestamp, key and value; returns each record's offset (same index).
   */
  public <R> List<Long> produceInOrder(
      String topic,
      List<R> records,
      Function<R, Instant> timestamp,
      Function<R, String> key,
      Function<R, byte[]> value)
      throws Exception {
    return produceInOrder(
        topic,
        records.stream()
            .map(
                record ->
                    new Outgoing(
                        timestamp.apply(record).toEpochMilli(),
                        key.apply(record),
                        value.apply(record)))
            .toList());
  }

  /**
   * Produces {@code records} to {@code topic}, each to its partition, in order per partition, with
   * an idempotent producer, and returns the offset of each (same index).
   */
  public List<Long> produce(String topic, List<Outgoing> records) throws Exception {
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
                    record.partition(),
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

  /** Every record of {@code topic}, decoded as dead letters; fails on one that does not decode. */
  public List<DeadLetter> readDeadLetters(String topic) {
    EventDecoder<DeadLetter> decoder =
        EventDecoder.deadLetters(SchemaCatalog.loadFromClasspath().store());
    List<DeadLetter> deadLetters = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : kafka.readAll(topic, Duration.ofSeconds(30))) {
      DecodeResult<DeadLetter> decoded = decoder.decode(record.value());
      assertThat(decoded.isOk()).as("dead letter at offset %d decodes", record.offset()).isTrue();
      deadLetters.add(decoded.value());
    }
    return deadLetters;
  }

  /** Reason by source offset of every record whose fate is a dead letter (same index). */
  public static Map<Long, RejectReason> expectedDeadLetters(List<Fate> fates, List<Long> offsets) {
    Map<Long, RejectReason> expected = new TreeMap<>();
    for (int i = 0; i < fates.size(); i++) {
      if (!fates.get(i).isCounted()) {
        expected.put(offsets.get(i), fates.get(i).rejectReason());
      }
    }
    return expected;
  }

  /**
   * Expected dead letters per reason from a scenario's fate counts (every reason, zero if none).
   */
  public static Map<RejectReason, Long> deadLettersPerReason(Map<Fate, Long> fates) {
    Map<RejectReason, Long> counts = new EnumMap<>(RejectReason.class);
    for (RejectReason reason : RejectReason.values()) {
      counts.put(reason, fates.getOrDefault(Fate.deadLettered(reason), 0L));
    }
    return counts;
  }

  /**
   * The sum of the counter {@code name} over every operator and subtask of {@code job}, as
   * PipelineMetrics prescribes for reconciliation. By group rather than by identifier: chained
   * operators can share an identifier.
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
