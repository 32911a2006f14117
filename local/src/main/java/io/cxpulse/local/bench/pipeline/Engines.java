package io.cxpulse.local.bench.pipeline;

import io.cxpulse.embedded.clickhouse.EmbeddedClickHouse;
import io.cxpulse.embedded.kafka.EmbeddedKafka;
import io.cxpulse.jobs.pipeline.RawRecord;
import io.cxpulse.jobs.sql.Migrations;
import io.cxpulse.jobs.sql.SchemaMigrator;
import io.cxpulse.local.bench.ClickHouseJdbcBenchmark;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The embedded engines of the end-to-end runs: a Kafka broker and the ClickHouse engine with the
 * schema migrated, both in this JVM (as in local mode), in temporary directories removed on close.
 */
public final class Engines implements AutoCloseable {

  /** Partitions of every input topic: one per subtask at the highest parallelism. */
  public static final int PARTITIONS = BenchCluster.SLOTS;

  private final Path clickHouseDir;
  private final EmbeddedClickHouse clickHouse;
  private final EmbeddedKafka kafka;

  private Engines(Path clickHouseDir, EmbeddedClickHouse clickHouse, EmbeddedKafka kafka) {
    this.clickHouseDir = clickHouseDir;
    this.clickHouse = clickHouse;
    this.kafka = kafka;
  }

  public static Engines start() throws Exception {
    Path clickHouseDir = Files.createTempDirectory("cx-pulse-bench-pipeline-");
    EmbeddedClickHouse clickHouse =
        EmbeddedClickHouse.builder().dataDir(clickHouseDir).port(0).start();
    try (Connection connection = DriverManager.getConnection(clickHouse.jdbcUrl())) {
      new SchemaMigrator(Migrations.fromClasspath()).migrate(connection);
      // The tickets' event times (the records' Kafka timestamps) go back days: keep every record.
      EmbeddedKafka kafka =
          EmbeddedKafka.builder().port(0).brokerConfig("log.retention.ms", "-1").build().start();
      return new Engines(clickHouseDir, clickHouse, kafka);
    } catch (Exception | Error e) {
      clickHouse.close();
      throw e;
    }
  }

  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  public String jdbcUrl() {
    return clickHouse.jdbcUrl();
  }

  public Connection connection() throws SQLException {
    return DriverManager.getConnection(clickHouse.jdbcUrl());
  }

  /**
   * Creates {@code topic} with {@link #PARTITIONS} partitions and produces every record's value and
   * Kafka timestamp to it, in order, keyed by {@code keys} (same index): the producer's partitioner
   * spreads the keys, and every copy of an event goes to the partition of its first.
   */
  public void produce(String topic, List<RawRecord> records, List<String> keys) {
    kafka.createTopics(PARTITIONS, topic);
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    AtomicReference<Exception> firstFailure = new AtomicReference<>();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < records.size(); i++) {
        RawRecord record = records.get(i);
        producer.send(
            new ProducerRecord<>(
                topic,
                null,
                record.hasTimestamp() ? record.getTimestamp() : null,
                keys.get(i).getBytes(StandardCharsets.UTF_8),
                record.getValue()),
            (metadata, failure) -> {
              if (failure != null) {
                firstFailure.compareAndSet(null, failure);
              }
            });
      }
      producer.flush();
    }
    if (firstFailure.get() != null) {
      throw new IllegalStateException("producing the benchmark input failed", firstFailure.get());
    }
  }

  /** Creates {@code topic} (the dead letters) with one partition. */
  public void createTopic(String topic) {
    kafka.createTopics(1, topic);
  }

  /** Empties {@code tables}: each end-to-end run starts from none of the previous run's rows. */
  public void truncate(String... tables) throws SQLException {
    try (Connection connection = connection();
        Statement statement = connection.createStatement()) {
      for (String table : tables) {
        statement.execute("TRUNCATE TABLE " + table);
      }
    }
  }

  @Override
  public void close() throws Exception {
    try {
      kafka.close();
    } finally {
      try {
        clickHouse.close();
      } finally {
        ClickHouseJdbcBenchmark.deleteRecursively(clickHouseDir);
      }
    }
  }
}
