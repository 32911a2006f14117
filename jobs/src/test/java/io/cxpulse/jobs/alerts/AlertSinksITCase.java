package io.cxpulse.jobs.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.embedded.clickhouse.EmbeddedClickHouse;
import io.cxpulse.embedded.kafka.EmbeddedKafka;
import io.cxpulse.jobs.FlinkTestCluster;
import io.cxpulse.jobs.pipeline.ClickHouseSinks;
import io.cxpulse.jobs.sql.Migrations;
import io.cxpulse.jobs.sql.SchemaMigrator;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AlertSinks#production} on the real engines: a Flink job writes alerts through the
 * production Kafka, ClickHouse and webhook sinks into an in-process Kafka broker, the embedded
 * ClickHouse engine migrated with sql/migrations and an HTTP receiver on loopback. The topic holds
 * decodable single-object Avro keyed by alert id; {@code cx_alerts} holds every field; the open
 * view follows the episode from FIRING to RESOLVED; a replay changes nothing in the table.
 */
class AlertSinksITCase {

  private static final String TOPIC = AlertSinks.DEFAULT_ALERT_TOPIC;

  @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.withSlots(1);

  @TempDir static Path dataDir;

  private static EmbeddedClickHouse clickHouse;
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void start() throws Exception {
    clickHouse = EmbeddedClickHouse.builder().dataDir(dataDir).port(0).start();
    try (Connection connection = DriverManager.getConnection(clickHouse.jdbcUrl())) {
      new SchemaMigrator(Migrations.fromClasspath()).migrate(connection);
    }
    kafka = EmbeddedKafka.builder().port(0).build().start();
    kafka.createTopics(2, TOPIC);
  }

  @AfterAll
  static void stop() {
    try {
      if (kafka != null) {
        kafka.close();
      }
    } finally {
      if (clickHouse != null) {
        clickHouse.close();
      }
    }
  }

  @Test
  void alertsReachTopicTableAndWebhookAndTheOpenViewFollowsTheEpisode() throws Exception {
    try (WebhookReceiver receiver = WebhookReceiver.start()) {
      AlertSinks sinks = sinks(WebhookOptions.of(receiver.url("/hook").toString()));

      // 1. Two episodes fire.
      write(sinks, List.of(TestAlerts.NPS_FIRING, TestAlerts.ABANDONMENT_FIRING));

      assertThat(query("SELECT " + ROW + " FROM cx_alerts FINAL ORDER BY alert_id, status"))
          .containsExactly(NPS_FIRING_ROW, ABANDONMENT_FIRING_ROW);
      // Most severe first.
      assertThat(
              query(
                  "SELECT concat(alert_id, '|', rule_id, '|', metric, '|', severity, '|', channel,"
                      + " '|', segment, '|', toString(value), '|', toString(since), '|', summary)"
                      + " FROM cx_alerts_open"))
          .containsExactly(
              TestAlerts.NPS_FIRING.alertId()
                  + "|nps-drop|nps|CRITICAL|web|all|21.5|2025-06-01 12:15:00.000|"
                  + TestAlerts.NPS_FIRING.summary(),
              TestAlerts.ABANDONMENT_FIRING.alertId()
                  + "|abandonment-high|abandonment_rate|WARNING|mobile_app|new|61.25"
                  + "|2025-06-01 12:15:00.000|"
                  + TestAlerts.ABANDONMENT_FIRING.summary());

      // 2. The NPS episode resolves.
      write(sinks, List.of(TestAlerts.NPS_RESOLVED));

      assertThat(query("SELECT alert_id FROM cx_alerts_open"))
          .containsExactly(TestAlerts.ABANDONMENT_FIRING.alertId());
      assertThat(
              query(
                  "SELECT concat(alert_id, '|', toString(fired_at), '|',"
                      + " ifNull(toString(resolved_at), 'NULL'), '|',"
                      + " ifNull(toString(duration_seconds), 'NULL'), '|', toString(firing_value),"
                      + " '|', ifNull(toString(resolved_value), 'NULL'))"
                      + " FROM cx_alert_history ORDER BY alert_id"))
          .containsExactly(
              TestAlerts.NPS_FIRING.alertId()
                  + "|2025-06-01 12:15:00.000|2025-06-01 12:45:00.000|1800|21.5|33",
              TestAlerts.ABANDONMENT_FIRING.alertId()
                  + "|2025-06-01 12:15:00.000|NULL|NULL|61.25|NULL");

      // 3. A replay (at-least-once after a restore) writes all three again.
      write(
          sinks,
          List.of(TestAlerts.NPS_FIRING, TestAlerts.ABANDONMENT_FIRING, TestAlerts.NPS_RESOLVED));

      assertThat(
              query(
                  "SELECT concat(alert_id, ' ', status, ' ', toString(count()))"
                      + " FROM cx_alerts FINAL GROUP BY alert_id, status ORDER BY alert_id, status"))
          .containsExactly(
              TestAlerts.NPS_FIRING.alertId() + " FIRING 1",
              TestAlerts.NPS_FIRING.alertId() + " RESOLVED 1",
              TestAlerts.ABANDONMENT_FIRING.alertId() + " FIRING 1");
      assertThat(query("SELECT alert_id FROM cx_alerts_open"))
          .containsExactly(TestAlerts.ABANDONMENT_FIRING.alertId());

      // The topic has every write, replay included, keyed by alert id and decodable.
      List<ConsumerRecord<String, byte[]>> records = readTopic(6);
      List<String> keyed = new ArrayList<>();
      for (ConsumerRecord<String, byte[]> record : records) {
        io.cxpulse.events.Alert decoded =
            io.cxpulse.events.Alert.getDecoder().decode(ByteBuffer.wrap(record.value()));
        assertThat(record.key()).isEqualTo(decoded.getAlertId());
        keyed.add(decoded.getAlertId() + " " + decoded.getStatus());
        assertThat(decoded)
            .isIn(
                AlertRecords.toAvro(TestAlerts.NPS_FIRING),
                AlertRecords.toAvro(TestAlerts.NPS_RESOLVED),
                AlertRecords.toAvro(TestAlerts.ABANDONMENT_FIRING));
      }
      assertThat(keyed)
          .containsExactlyInAnyOrder(
              TestAlerts.NPS_FIRING.alertId() + " FIRING",
              TestAlerts.NPS_FIRING.alertId() + " FIRING",
              TestAlerts.ABANDONMENT_FIRING.alertId() + " FIRING",
              TestAlerts.ABANDONMENT_FIRING.alertId() + " FIRING",
              TestAlerts.NPS_FIRING.alertId() + " RESOLVED",
              TestAlerts.NPS_FIRING.alertId() + " RESOLVED");
      // Both state changes of an episode share a partition, so consumers see them in order.
      assertThat(
              records.stream()
                  .filter(r -> r.key().equals(TestAlerts.NPS_FIRING.alertId()))
                  .map(ConsumerRecord::partition)
                  .distinct())
          .hasSize(1);

      // The webhook got each write too (at most once; here the receiver is healthy).
      assertThat(receiver.requests()).hasSize(6);
    }
  }

  /** Every column of cx_alerts in one string, NULLs spelled out. */
  private static final String ROW =
      "concat(alert_id, '|', status, '|', rule_id, '|', metric, '|', severity, '|', channel, '|',"
          + " segment, '|', toString(window_start), '|', toString(window_end), '|',"
          + " ifNull(toString(value), 'NULL'), '|', ifNull(toString(baseline), 'NULL'), '|',"
          + " ifNull(toString(threshold), 'NULL'), '|', ifNull(toString(p_value), 'NULL'), '|',"
          + " toString(samples), '|', ifNull(toString(baseline_samples), 'NULL'), '|', summary)";

  private static final String NPS_FIRING_ROW =
      TestAlerts.NPS_FIRING.alertId()
          + "|FIRING|nps-drop|nps|CRITICAL|web|all|2025-06-01 12:00:00.000|2025-06-01 12:15:00.000"
          + "|21.5|34.25|10|0.0042|312|4870|"
          + TestAlerts.NPS_FIRING.summary();

  private static final String ABANDONMENT_FIRING_ROW =
      TestAlerts.ABANDONMENT_FIRING.alertId()
          + "|FIRING|abandonment-high|abandonment_rate|WARNING|mobile_app|new"
          + "|2025-06-01 12:00:00.000|2025-06-01 12:15:00.000|61.25|NULL|55|NULL|80|NULL|"
          + TestAlerts.ABANDONMENT_FIRING.summary();

  private static AlertSinks sinks(WebhookOptions webhook) {
    return AlertSinks.production(
        kafka.bootstrapServers(),
        TOPIC,
        ClickHouseSinks.connectionOptions(clickHouse.jdbcUrl(), "default", ""),
        ClickHouseSinks.executionOptions(100, Duration.ofSeconds(1)),
        webhook);
  }

  /** Runs a bounded job writing {@code alerts} to all three sinks; returns when it finished. */
  private static void write(AlertSinks sinks, List<Alert> alerts) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    DataStream<Alert> stream = env.fromData(alerts, TypeInformation.of(Alert.class));
    stream.sinkTo(sinks.topic()).name("alert topic");
    stream.sinkTo(sinks.table()).name("alert table");
    stream.sinkTo(sinks.webhook()).name("alert webhook");
    env.execute("alert sinks");
  }

  private static List<String> query(String sql) throws Exception {
    List<String> values = new ArrayList<>();
    try (Connection connection = DriverManager.getConnection(clickHouse.jdbcUrl());
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    }
    return values;
  }

  /** The topic from the beginning until {@code expected} records arrived (at most 30 s). */
  private static List<ConsumerRecord<String, byte[]>> readTopic(int expected) {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "alert-sinks-it");
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(TOPIC));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (records.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      // Nothing beyond what was written.
      consumer.poll(Duration.ofMillis(500)).forEach(records::add);
    }
    assertThat(records).as("records on %s", TOPIC).hasSize(expected);
    return records;
  }
}
