package io.cxpulse.jobs.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cxpulse.events.AlertSeverity;
import io.cxpulse.events.AlertStatus;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class AlertRecordsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void mapsEveryFieldOfABaselineAlertToTheAvroRecord() {
    io.cxpulse.events.Alert record = AlertRecords.toAvro(TestAlerts.NPS_FIRING);

    assertThat(record.getAlertId()).isEqualTo("0b7c2e1a-1111-3abc-9def-000000000001");
    assertThat(record.getStatus()).isEqualTo(AlertStatus.FIRING);
    assertThat(record.getRuleId()).isEqualTo("nps-drop");
    assertThat(record.getMetric()).isEqualTo("nps");
    assertThat(record.getSeverity()).isEqualTo(AlertSeverity.CRITICAL);
    assertThat(record.getChannel()).isEqualTo("web");
    assertThat(record.getSegment()).isEqualTo("all");
    assertThat(record.getWindowStart()).isEqualTo(TestAlerts.WINDOW_START);
    assertThat(record.getWindowEnd()).isEqualTo(TestAlerts.WINDOW_END);
    assertThat(record.getValue()).isEqualTo(21.5);
    assertThat(record.getBaseline()).isEqualTo(34.25);
    assertThat(record.getThreshold()).isEqualTo(10.0);
    assertThat(record.getPValue()).isEqualTo(0.0042);
    assertThat(record.getSamples()).isEqualTo(312);
    assertThat(record.getBaselineSamples()).isEqualTo(4_870L);
    assertThat(record.getSummary()).isEqualTo(TestAlerts.NPS_FIRING.summary());
  }

  @Test
  void thresholdAlertHasNullBaselineFieldsAndMetricKey() {
    io.cxpulse.events.Alert record = AlertRecords.toAvro(TestAlerts.ABANDONMENT_FIRING);

    assertThat(record.getMetric()).isEqualTo("abandonment_rate");
    assertThat(record.getSeverity()).isEqualTo(AlertSeverity.WARNING);
    assertThat(record.getSegment()).isEqualTo("new");
    assertThat(record.getBaseline()).isNull();
    assertThat(record.getPValue()).isNull();
    assertThat(record.getBaselineSamples()).isNull();
    assertThat(record.getThreshold()).isEqualTo(55.0);
  }

  @Test
  void valueThatIsNotFiniteBecomesNullNotNaN() {
    Alert undefined = TestAlerts.withValue(TestAlerts.ABANDONMENT_FIRING, Double.NaN);

    assertThat(AlertRecords.toAvro(undefined).getValue()).isNull();
    assertThat(AlertRecords.webhookPayload(undefined).get("value").isNull()).isTrue();
  }

  @Test
  void avroRecordSurvivesSingleObjectEncoding() throws Exception {
    io.cxpulse.events.Alert record = AlertRecords.toAvro(TestAlerts.NPS_RESOLVED);

    ByteBuffer encoded = record.toByteBuffer();

    assertThat(encoded.get(encoded.position())).isEqualTo((byte) 0xC3);
    assertThat(encoded.get(encoded.position() + 1)).isEqualTo((byte) 0x01);
    assertThat(io.cxpulse.events.Alert.fromByteBuffer(encoded)).isEqualTo(record);
  }

  @Test
  void webhookTextIsTheSummaryWithStatusEmojiAndSeverity() throws Exception {
    JsonNode firing = JSON.readTree(AlertRecords.webhookJson(TestAlerts.NPS_FIRING));
    JsonNode resolved = JSON.readTree(AlertRecords.webhookJson(TestAlerts.NPS_RESOLVED));

    assertThat(firing.get("text").asText())
        .isEqualTo("\uD83D\uDEA8 [CRITICAL] " + TestAlerts.NPS_FIRING.summary());
    assertThat(resolved.get("text").asText())
        .isEqualTo("\u2705 [CRITICAL] " + TestAlerts.NPS_RESOLVED.summary());
  }

  @Test
  void webhookCarriesEveryAvroFieldUnderItsAvroNameAfterTheText() throws Exception {
    JsonNode payload = JSON.readTree(AlertRecords.webhookJson(TestAlerts.NPS_FIRING));

    List<String> expected = new ArrayList<>(List.of("text"));
    for (Schema.Field field : io.cxpulse.events.Alert.getClassSchema().getFields()) {
      expected.add(field.name());
    }
    List<String> names = new ArrayList<>();
    payload.fieldNames().forEachRemaining(names::add);
    assertThat(names).containsExactlyElementsOf(expected);
    assertThat(names)
        .contains(
            "alert_id",
            "status",
            "rule_id",
            "metric",
            "severity",
            "channel",
            "segment",
            "window_start",
            "window_end",
            "value",
            "baseline",
            "threshold",
            "p_value",
            "samples",
            "baseline_samples",
            "summary");
  }

  @Test
  void webhookFieldsHaveReceiverFriendlyTypes() throws Exception {
    JsonNode payload = JSON.readTree(AlertRecords.webhookJson(TestAlerts.ABANDONMENT_FIRING));

    assertThat(payload.get("alert_id").asText()).isEqualTo("0b7c2e1a-2222-3abc-9def-000000000002");
    assertThat(payload.get("status").asText()).isEqualTo("FIRING");
    assertThat(payload.get("rule_id").asText()).isEqualTo("abandonment-high");
    assertThat(payload.get("metric").asText()).isEqualTo("abandonment_rate");
    assertThat(payload.get("severity").asText()).isEqualTo("WARNING");
    assertThat(payload.get("channel").asText()).isEqualTo("mobile_app");
    assertThat(payload.get("segment").asText()).isEqualTo("new");
    // ISO-8601 UTC, what Alertmanager-style receivers and people read.
    assertThat(payload.get("window_start").asText()).isEqualTo("2025-06-01T12:00:00Z");
    assertThat(payload.get("window_end").asText()).isEqualTo("2025-06-01T12:15:00Z");
    assertThat(payload.get("value").isNumber()).isTrue();
    assertThat(payload.get("value").asDouble()).isEqualTo(61.25);
    assertThat(payload.get("threshold").asDouble()).isEqualTo(55.0);
    assertThat(payload.get("samples").isIntegralNumber()).isTrue();
    assertThat(payload.get("samples").asLong()).isEqualTo(80);
    // Absent values are explicit nulls, so every receiver sees the same set of keys.
    assertThat(payload.get("baseline").isNull()).isTrue();
    assertThat(payload.get("p_value").isNull()).isTrue();
    assertThat(payload.get("baseline_samples").isNull()).isTrue();
    assertThat(payload.get("summary").asText()).isEqualTo(TestAlerts.ABANDONMENT_FIRING.summary());
  }
}
