package io.cxpulse.jobs.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.jobs.pipeline.ClickHouseSinks;
import io.cxpulse.jobs.pipeline.RecordingStatement;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Types;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.InstantiationUtil;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class AlertSinksTest {

  @Test
  void insertNamesTheTableColumnsInBindOrder() {
    assertThat(AlertSinks.ALERT_TABLE.insertSql())
        .startsWith(
            "INSERT INTO cx_alerts (alert_id, status, rule_id, metric, severity, channel, segment,"
                + " window_start, window_end, value, baseline, threshold, p_value, samples,"
                + " baseline_samples, summary)");
    assertThat(AlertSinks.ALERT_TABLE.insertSql().chars().filter(c -> c == '?')).hasSize(16);
  }

  @Test
  void bindsEveryFieldOfABaselineAlert() throws Exception {
    Map<Integer, Object> bound = bind(TestAlerts.NPS_FIRING);

    assertThat(bound)
        .containsEntry(1, TestAlerts.NPS_FIRING.alertId())
        .containsEntry(2, "FIRING")
        .containsEntry(3, "nps-drop")
        .containsEntry(4, "nps")
        .containsEntry(5, "CRITICAL")
        .containsEntry(6, "web")
        .containsEntry(7, "all")
        .containsEntry(8, TestAlerts.WINDOW_START)
        .containsEntry(9, TestAlerts.WINDOW_END)
        .containsEntry(10, 21.5)
        .containsEntry(11, 34.25)
        .containsEntry(12, 10.0)
        .containsEntry(13, 0.0042)
        .containsEntry(14, 312L)
        .containsEntry(15, 4_870L)
        .containsEntry(16, TestAlerts.NPS_FIRING.summary())
        .hasSize(16);
  }

  @Test
  void bindsSqlNullsForTheAbsentFieldsOfAThresholdAlert() throws Exception {
    Map<Integer, Object> bound = bind(TestAlerts.ABANDONMENT_FIRING);

    assertThat(bound)
        .containsEntry(11, new RecordingStatement.Null(Types.DOUBLE))
        .containsEntry(13, new RecordingStatement.Null(Types.DOUBLE))
        .containsEntry(15, new RecordingStatement.Null(Types.BIGINT))
        .containsEntry(12, 55.0);
  }

  @Test
  void topicRecordIsKeyedByAlertIdAndSingleObjectEncoded() throws Exception {
    ProducerRecord<byte[], byte[]> record =
        AlertSinks.topicSerializer(AlertSinks.DEFAULT_ALERT_TOPIC)
            .serialize(TestAlerts.NPS_RESOLVED, null, 123L);

    assertThat(record.topic()).isEqualTo("cx.alerts");
    assertThat(new String(record.key(), StandardCharsets.UTF_8))
        .isEqualTo(TestAlerts.NPS_RESOLVED.alertId());
    assertThat(record.partition()).isNull();
    assertThat(record.timestamp()).isNull();
    assertThat(io.cxpulse.events.Alert.getDecoder().decode(ByteBuffer.wrap(record.value())))
        .isEqualTo(AlertRecords.toAvro(TestAlerts.NPS_RESOLVED));
  }

  @Test
  void productionSinksAreSerializableAndDiscardWithoutAWebhook() throws Exception {
    AlertSinks without = production(null);
    AlertSinks with = production(WebhookOptions.of("https://hooks.example.com/services/T0/B0/x"));

    assertThat(without.topic()).isInstanceOf(KafkaSink.class);
    assertThat(without.webhook()).isInstanceOf(DiscardingSink.class);
    assertThat(with.webhook()).isInstanceOf(WebhookSink.class);
    for (AlertSinks sinks : new AlertSinks[] {without, with}) {
      // Flink ships sinks to the task managers in serialized form.
      InstantiationUtil.clone(sinks.topic());
      InstantiationUtil.clone(sinks.table());
      InstantiationUtil.clone(sinks.webhook());
    }
  }

  @Test
  void alertIsAFlinkPojoNotAGenericKryoType() {
    // The alert stream may cross the network between the operator and the sinks.
    assertThat(TypeInformation.of(Alert.class)).isInstanceOf(PojoTypeInfo.class);
  }

  private static AlertSinks production(WebhookOptions webhook) {
    return AlertSinks.production(
        "127.0.0.1:9092",
        AlertSinks.DEFAULT_ALERT_TOPIC,
        ClickHouseSinks.connectionOptions("jdbc:clickhouse:http://127.0.0.1:8123/default", "u", ""),
        ClickHouseSinks.executionOptions(10, Duration.ofSeconds(1)),
        webhook);
  }

  private static Map<Integer, Object> bind(Alert alert) throws Exception {
    RecordingStatement recording = new RecordingStatement();
    AlertSinks.alertStatement().accept(recording.statement(), alert);
    return recording.parameters();
  }
}
