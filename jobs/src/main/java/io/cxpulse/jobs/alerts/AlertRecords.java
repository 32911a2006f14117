package io.cxpulse.jobs.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cxpulse.events.AlertSeverity;
import io.cxpulse.events.AlertStatus;
import java.time.Instant;
import org.apache.avro.Schema;

/**
 * The one mapping of an {@link Alert} to what leaves the job: the Avro record of {@code
 * schemas/alert.avsc} (the {@code cx.alerts} topic and, column by column, the ClickHouse table
 * {@code cx_alerts}) and the JSON body of the webhook, which is rendered from that Avro record so
 * that all three outputs carry the same values under the same names.
 *
 * <p>The webhook body is one flat JSON object: a top-level {@code text} (status emoji, severity and
 * the summary), which is all a Slack incoming webhook needs, followed by every field of the Avro
 * record under its Avro name ({@code alert_id}, {@code status}, …, {@code summary}) with timestamps
 * in ISO-8601 UTC and absent values as JSON {@code null}, so that any other receiver can route by
 * {@code severity} and deduplicate by ({@code alert_id}, {@code status}).
 */
public final class AlertRecords {

  /** Name of the human-readable field of the webhook body, the one Slack shows. */
  public static final String TEXT_FIELD = "text";

  private static final ObjectMapper JSON = new ObjectMapper();

  private AlertRecords() {}

  /**
   * The Avro record of {@code alert}. Enums map by name; the metric by its key (e.g. {@code
   * abandonment_rate}); a value that is not a finite number (NaN when a window had no samples)
   * becomes null, which is how the schema says "not defined" and what JSON and ClickHouse can hold.
   */
  public static io.cxpulse.events.Alert toAvro(Alert alert) {
    return io.cxpulse.events.Alert.newBuilder()
        .setAlertId(alert.alertId())
        .setStatus(AlertStatus.valueOf(alert.status().name()))
        .setRuleId(alert.ruleId())
        .setMetric(alert.metric().key())
        .setSeverity(AlertSeverity.valueOf(alert.severity().name()))
        .setChannel(alert.scope().channel())
        .setSegment(alert.scope().segment())
        .setWindowStart(alert.windowStart())
        .setWindowEnd(alert.windowEnd())
        .setValue(finiteOrNull(alert.value()))
        .setBaseline(finiteOrNull(alert.baseline()))
        .setThreshold(finiteOrNull(alert.threshold()))
        .setPValue(finiteOrNull(alert.pValue()))
        .setSamples(alert.samples())
        .setBaselineSamples(alert.baselineSamples())
        .setSummary(alert.summary())
        .build();
  }

  /** The webhook body of {@code alert} as a JSON tree; see the class comment for its shape. */
  public static ObjectNode webhookPayload(Alert alert) {
    io.cxpulse.events.Alert record = toAvro(alert);
    ObjectNode payload = JSON.createObjectNode();
    payload.put(TEXT_FIELD, text(record));
    // Field by field from the schema, so a field added to alert.avsc reaches receivers without an
    // edit here, under the same name as on the topic and in the table.
    for (Schema.Field field : record.getSchema().getFields()) {
      Object value = record.get(field.pos());
      if (value == null) {
        payload.putNull(field.name());
      } else if (value instanceof Double number) {
        payload.put(field.name(), number);
      } else if (value instanceof Long number) {
        payload.put(field.name(), number);
      } else if (value instanceof Instant instant) {
        payload.put(field.name(), instant.toString());
      } else {
        // Strings, and enums by symbol (their toString is the symbol).
        payload.put(field.name(), value.toString());
      }
    }
    return payload;
  }

  /** {@link #webhookPayload} as the UTF-8 JSON text the webhook POSTs. */
  public static String webhookJson(Alert alert) {
    try {
      return JSON.writeValueAsString(webhookPayload(alert));
    } catch (JsonProcessingException e) {
      // A tree of strings and numbers always serialises; this would be a bug, not bad input.
      throw new IllegalStateException("cannot render the webhook body of " + alert.alertId(), e);
    }
  }

  // The summary already starts with "Firing:" or "Resolved:"; the emoji makes the state visible
  // at a glance in a chat channel, the severity lets people triage without opening anything.
  private static String text(io.cxpulse.events.Alert record) {
    // U+2705 white heavy check mark, U+1F6A8 police car light: plain Unicode, not Slack's
    // :shortcodes:,
    // so every receiver shows them.
    String emoji = record.getStatus() == AlertStatus.RESOLVED ? "\u2705" : "\uD83D\uDEA8";
    return emoji + " [" + record.getSeverity() + "] " + record.getSummary();
  }

  private static Double finiteOrNull(Double value) {
    return value == null || !Double.isFinite(value) ? null : value;
  }
}
