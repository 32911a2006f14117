package io.cxpulse.embedded.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs a real broker in-process and checks it against real Kafka clients. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class EmbeddedKafkaITCase {

  private static final Duration POLL = Duration.ofMillis(200);
  private static final long READ_DEADLINE_MS = TimeUnit.SECONDS.toMillis(60);

  /** Shared by the tests that need a running broker but not a particular one. */
  private static EmbeddedKafka shared;

  @BeforeAll
  static void startSharedBroker() {
    shared = EmbeddedKafka.builder().build().start();
  }

  @AfterAll
  static void stopSharedBroker() {
    if (shared != null) {
      shared.close();
    }
  }

  @Test
  void everyProducedRecordIsConsumedExactlyOnceInPartitionOrder() throws Exception {
    String topic = "records";
    int count = 10_000;
    shared.createTopics(3, topic);

    // Where the broker acknowledged each record: key -> (partition, offset).
    Map<String, RecordMetadata> acked = new HashMap<>();
    try (KafkaProducer<String, String> producer = producer(shared, Map.of())) {
      List<Future<RecordMetadata>> sends = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        sends.add(producer.send(new ProducerRecord<>(topic, "k-" + i, "v-" + i)));
      }
      producer.flush();
      for (int i = 0; i < count; i++) {
        acked.put("k-" + i, sends.get(i).get(30, TimeUnit.SECONDS));
      }
    }
    Map<Integer, Long> ackedPerPartition =
        acked.values().stream()
            .collect(Collectors.groupingBy(RecordMetadata::partition, Collectors.counting()));
    assertThat(ackedPerPartition).as("records per partition").containsOnlyKeys(0, 1, 2);

    List<ConsumerRecord<String, String>> read = new ArrayList<>();
    String group = "it-consumer";
    try (KafkaConsumer<String, String> consumer = consumer(shared, group, Map.of())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.currentTimeMillis() + READ_DEADLINE_MS;
      while (read.size() < count && System.currentTimeMillis() < deadline) {
        consumer.poll(POLL).forEach(read::add);
      }
      // Anything beyond the expected count would be a duplicate; give it a chance to show up.
      for (int i = 0; i < 5; i++) {
        consumer.poll(POLL).forEach(read::add);
      }
      consumer.commitSync();
    }

    List<String> expected = IntStream.range(0, count).mapToObj(i -> "k-" + i + "=v-" + i).toList();
    assertThat(read)
        .extracting(r -> r.key() + "=" + r.value())
        .as("records read back")
        .containsExactlyInAnyOrderElementsOf(expected);

    Map<Integer, List<ConsumerRecord<String, String>>> byPartition =
        read.stream().collect(Collectors.groupingBy(ConsumerRecord::partition));
    for (ConsumerRecord<String, String> record : read) {
      RecordMetadata ack = acked.get(record.key());
      assertThat(record.partition()).as("partition of %s", record.key()).isEqualTo(ack.partition());
      assertThat(record.offset()).as("offset of %s", record.key()).isEqualTo(ack.offset());
    }
    byPartition.forEach(
        (partition, records) -> {
          assertThat(records)
              .as("partition %d in offset order", partition)
              .isSortedAccordingTo((a, b) -> Long.compare(a.offset(), b.offset()));
          assertThat(records)
              .extracting(r -> Integer.parseInt(r.value().substring(2)))
              .as("partition %d in send order", partition)
              .isSorted()
              .doesNotHaveDuplicates();
        });

    // The group's offsets went to __consumer_offsets, which needs replication factor 1 here.
    try (Admin admin = admin(shared)) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, Long> committedOffsets =
          committed.entrySet().stream()
              .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
      Map<TopicPartition, Long> expectedOffsets =
          ackedPerPartition.entrySet().stream()
              .collect(
                  Collectors.toMap(
                      e -> new TopicPartition(topic, e.getKey()), Map.Entry::getValue));
      assertThat(committedOffsets).as("committed offsets").isEqualTo(expectedOffsets);
    }
  }

  @Test
  void transactionsCommitAndAbortForReadCommittedConsumers() {
    String topic = "transactional";
    shared.createTopics(1, topic);
    Map<String, Object> transactional = Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-tx");
    try (KafkaProducer<String, String> producer = producer(shared, transactional)) {
      producer.initTransactions();
      producer.beginTransaction();
      for (int i = 0; i < 100; i++) {
        producer.send(new ProducerRecord<>(topic, "k-" + i, "committed-" + i));
      }
      producer.commitTransaction();
      producer.beginTransaction();
      for (int i = 0; i < 10; i++) {
        producer.send(new ProducerRecord<>(topic, "k-" + i, "aborted-" + i));
      }
      producer.flush();
      producer.abortTransaction();
    }

    Map<String, Object> readCommitted =
        Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<String> values = readAll(shared, topic, 100, readCommitted);
    assertThat(values)
        .containsExactlyElementsOf(
            IntStream.range(0, 100).mapToObj(i -> "committed-" + i).toList());
  }

  @Test
  void fixedPortIsHonoured() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = probe.getLocalPort();
    }
    EmbeddedKafka kafka = EmbeddedKafka.builder().port(port).build().start();
    try {
      assertThat(kafka.port()).isEqualTo(port);
      assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + port).endsWith(":" + port);
      try (Admin admin = admin(kafka)) {
        DescribeClusterResult cluster = admin.describeCluster();
        List<Node> nodes = List.copyOf(cluster.nodes().get(30, TimeUnit.SECONDS));
        assertThat(nodes).hasSize(1);
        assertThat(nodes.get(0).host()).isEqualTo("127.0.0.1");
        assertThat(nodes.get(0).port()).isEqualTo(port);
      }
    } finally {
      kafka.close();
    }
    kafka.close(); // a second close is a no-op
    assertThatThrownBy(kafka::bootstrapServers).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void temporaryDataDirectoryIsDeletedOnClose() {
    Path dataDir;
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().build().start()) {
      dataDir = kafka.dataDir();
      assertThat(dataDir).isDirectory();
    }
    assertThat(Files.exists(dataDir)).as("%s exists after close", dataDir).isFalse();
  }

  @Test
  void dataSurvivesRestartOnTheSameDataDirectory(@TempDir Path tempDir) throws Exception {
    Path dataDir = tempDir.resolve("kafka");
    String topic = "durable";
    int count = 500;
    String clusterId;
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(dataDir).build().start()) {
      kafka.createTopics(2, topic);
      try (KafkaProducer<String, String> producer = producer(kafka, Map.of())) {
        for (int i = 0; i < count; i++) {
          producer.send(new ProducerRecord<>(topic, "k-" + i, "v-" + i));
        }
        producer.flush();
      }
      clusterId = clusterId(kafka);
    }
    assertThat(dataDir.resolve("meta.properties")).isRegularFile();

    try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(dataDir).build().start()) {
      assertThat(clusterId(kafka)).as("cluster id after restart").isEqualTo(clusterId);
      kafka.createTopics(5, topic); // already there: left as it is
      try (Admin admin = admin(kafka)) {
        int partitions =
            admin
                .describeTopics(Set.of(topic))
                .allTopicNames()
                .get()
                .get(topic)
                .partitions()
                .size();
        assertThat(partitions).isEqualTo(2);
        Map<TopicPartition, OffsetSpec> latest =
            Map.of(
                new TopicPartition(topic, 0), OffsetSpec.latest(),
                new TopicPartition(topic, 1), OffsetSpec.latest());
        long endOffsets =
            admin.listOffsets(latest).all().get().values().stream()
                .mapToLong(info -> info.offset())
                .sum();
        assertThat(endOffsets).as("records on disk after restart").isEqualTo(count);
      }
      assertThat(readAll(kafka, topic, count, Map.of()))
          .containsExactlyInAnyOrderElementsOf(
              IntStream.range(0, count).mapToObj(i -> "v-" + i).toList());
    }
  }

  private static String clusterId(EmbeddedKafka kafka) throws Exception {
    try (Admin admin = admin(kafka)) {
      return admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
    }
  }

  /** Reads {@code topic} from the beginning without a group until {@code count} values arrive. */
  private static List<String> readAll(
      EmbeddedKafka kafka, String topic, int count, Map<String, Object> overrides) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = consumer(kafka, null, overrides)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(info -> new TopicPartition(topic, info.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.currentTimeMillis() + READ_DEADLINE_MS;
      while (values.size() < count && System.currentTimeMillis() < deadline) {
        consumer.poll(POLL).forEach(r -> values.add(r.value()));
      }
      for (int i = 0; i < 5; i++) {
        consumer.poll(POLL).forEach(r -> values.add(r.value()));
      }
    }
    return values;
  }

  private static KafkaProducer<String, String> producer(
      EmbeddedKafka kafka, Map<String, Object> overrides) {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    config.putAll(overrides);
    return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
  }

  private static KafkaConsumer<String, String> consumer(
      EmbeddedKafka kafka, String group, Map<String, Object> overrides) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    if (group != null) {
      config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    }
    config.putAll(overrides);
    return new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
  }

  private static Admin admin(EmbeddedKafka kafka) {
    return Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
  }
}
