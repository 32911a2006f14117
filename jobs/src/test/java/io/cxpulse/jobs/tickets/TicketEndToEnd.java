package io.cxpulse.jobs.tickets;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.embedded.clickhouse.EmbeddedClickHouse;
import io.cxpulse.embedded.kafka.EmbeddedKafka;
import io.cxpulse.events.DeadLetter;
import io.cxpulse.jobs.aggregate.WindowAggregation;
import io.cxpulse.jobs.codec.DecodeResult;
import io.cxpulse.jobs.codec.EventDecoder;
import io.cxpulse.jobs.codec.SchemaCatalog;
import io.cxpulse.jobs.generator.SurveyScenario.Fate;
import io.cxpulse.jobs.generator.TicketScenario;
import io.cxpulse.jobs.generator.TicketScenario.ScenarioRecord;
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
import java.time.temporal.ChronoUnit;
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
 * The pieces of the end-to-end ticket test: the real engines (an in-process Kafka broker and the
 * embedded ClickHouse engine with the migrations applied), a generated {@link TicketScenario},
 * producing it to Kafka as it prescribes, reading the dead-letter topic back, and summing job
 * counters. The survey's {@code SurveyEndToEnd}, for tickets.
 */
final class TicketEndToEnd implements AutoCloseable {

  static final Duration WINDOW = Duration.ofMinutes(1);
  static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(5);

  /**
   * Long enough for late replies (a reply held back past its deadline, up to a few minutes after
   * it) and the scenario's margins; short enough that TOO_LATE records fit into the stream.
   */
  static final Duration ALLOWED_LATENESS = Duration.ofMinutes(20);

  static final String TICKET_TOPIC = "cx.tickets";
  static final String DEAD_LETTER_TOPIC = "cx.dead-letters";

  /** The emission log: every row ever inserted into cx_ticket_window. */
  static final String EMISSION_LOG = "test_ticket_window_emissions";

  private final EmbeddedClickHouse clickHouse;
  private final EmbeddedKafka kafka;

  private TicketEndToEnd(EmbeddedClickHouse clickHouse, EmbeddedKafka kafka) {
    this.clickHouse = clickHouse;
    this.kafka = kafka;
  }

  /** ClickHouse in {@code clickHouseDir}, migrated; Kafka with both topics (one partition). */
  static TicketEndToEnd start(Path clickHouseDir) throws Exception {
    EmbeddedClickHouse clickHouse =
        EmbeddedClickHouse.builder().dataDir(clickHouseDir).port(0).start();
    try {
      try (Connection connection = DriverManager.getConnection(clickHouse.jdbcUrl())) {
        new SchemaMigrator(Migrations.fromClasspath()).migrate(connection);
      }
      // The scenario's event times (and Kafka timestamps) go back days: keep every record.
      EmbeddedKafka kafka =
          EmbeddedKafka.builder().port(0).brokerConfig("log.retention.ms", "-1").build().start();
      kafka.createTopics(1, TICKET_TOPIC, DEAD_LETTER_TOPIC);
      return new TicketEndToEnd(clickHouse, kafka);
    } catch (Exception | Error e) {
      clickHouse.close();
      throw e;
    }
  }

  Connection connection() throws SQLException {
    return DriverManager.getConnection(clickHouse.jdbcUrl());
  }

  /** Job options against these engines, matching {@link #scenario}, bounded. */
  TicketJobOptions options(String groupId, RuntimeOptions runtime) {
    return new TicketJobOptions(
        new KafkaOptions(kafka.bootstrapServers()),
        TICKET_TOPIC,
        DEAD_LETTER_TOPIC,
        groupId,
        new ClickHouseOptions(clickHouse.jdbcUrl(), ClickHouseOptions.DEFAULT_USER, ""),
        TicketJobOptions.BUNDLED_SLA_TARGETS,
        new EventTimeOptions(
            WINDOW, OUT_OF_ORDERNESS, EventTimeOptions.DEFAULT_IDLENESS, ALLOWED_LATENESS),
        EventGateOptions.DEFAULTS,
        runtime,
        WindowAggregation.DEFAULT_SALTS);
  }

  /**
   * The default-sized scenario (about 53,000 events from 9,500 tickets over three and a half days
   * of event time) ending before the wall clock.
   */
  static TicketScenario scenario(long seed) {
    Instant now = Instant.now();
    Instant start = now.minus(Duration.ofDays(5)).truncatedTo(ChronoUnit.HOURS);
    return TicketScenario.builder(seed, start, now)
        .windowSize(WINDOW)
        .outOfOrderness(OUT_OF_ORDERNESS)
        .allowedLateness(ALLOWED_LATENESS)
        .build();
  }

  /** Expected dead letters per reason (every reason present, zero if none). */
  static Map<RejectReason, Long> deadLettersPerReason(TicketScenario scenario) {
    Map<Fate, Long> fates = scenario.fateCounts();
    Map<RejectReason, Long> counts = new EnumMap<>(RejectReason.class);
    for (RejectReason reason : RejectReason.values()) {
      counts.put(reason, fates.getOrDefault(Fate.deadLettered(reason), 0L));
    }
    return counts;
  }

  /**
   * Produces every record to partition 0 of the ticket topic, in order, idempotently, with the
   * records' own timestamps; returns each record's offset.
   */
  List<Long> produce(TicketScenario scenario) throws Exception {
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
                    TICKET_TOPIC,
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
  static Map<Long, RejectReason> expectedDeadLetters(TicketScenario scenario, List<Long> offsets) {
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

  /** Sum of the counter {@code name} over every operator and subtask of {@code job}. */
  static long sumCounter(InMemoryReporter reporter, JobID job, String name) {
    return reporter.getMetricsByGroup().entrySet().stream()
        .filter(group -> job.toString().equals(group.getKey().getAllVariables().get("<job_id>")))
        .map(group -> group.getValue().get(name))
        .filter(Counter.class::isInstance)
        .mapToLong(counter -> ((Counter) counter).getCount())
        .sum();
  }

  /**
   * A materialized view copying every row inserted into cx_ticket_window into a plain MergeTree, so
   * every version the sink wrote stays visible; call before the job runs.
   */
  static void installEmissionLog(Connection connection) throws SQLException {
    try (var statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE "
              + EMISSION_LOG
              + " (window_start DateTime('UTC'), channel String, segment String, priority String,"
              + " version UInt64, sla_breached Int64, sla_breached_unanswered Int64)"
              + " ENGINE = MergeTree ORDER BY tuple()");
      statement.execute(
          "CREATE MATERIALIZED VIEW "
              + EMISSION_LOG
              + "_mv TO "
              + EMISSION_LOG
              + " AS SELECT window_start, channel, segment, priority, version, sla_breached,"
              + " sla_breached_unanswered FROM cx_ticket_window");
    }
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
