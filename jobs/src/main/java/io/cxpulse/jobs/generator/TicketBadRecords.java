package io.cxpulse.jobs.generator;

import io.cxpulse.events.TicketActor;
import io.cxpulse.events.TicketEvent;
import io.cxpulse.events.TicketEventType;
import io.cxpulse.jobs.validation.RejectReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;

/**
 * Kafka values for topic {@code cx.tickets} that the ticket job must dead-letter, one per way a
 * producer goes wrong, each labelled with its {@link RejectReason}: the ticket counterpart of
 * {@link BadRecords} (same labels, same construction, same {@link BadRecords#FUTURE_LEAD}).
 *
 * <p>Each is derived from a valid template event with a new event_id and ticket_id ({@code
 * <template id>-bad-<label>}), so a bad record can never be mistaken for a duplicate, nor touch a
 * real ticket's lifecycle.
 */
public final class TicketBadRecords {

  static final String UNREGISTERED_FIELD = BadRecords.UNREGISTERED_FIELD;

  private static final Schema UNREGISTERED_SCHEMA = unregisteredSchema();

  private TicketBadRecords() {}

  /**
   * Every variant: UNDECODABLE (JSON text, a truncated body), UNKNOWN_SCHEMA (a newer schema
   * version), MISSING_FIELD (blank event_id, ticket_id, segment), OUT_OF_RANGE (an agent reply sent
   * by a bot), FUTURE_EVENT_TIME, IMPLAUSIBLE_EVENT_TIME (event_time {@code Long.MIN_VALUE} ms, the
   * record that once crashed the ticket job with a long overflow), OVERSIZE (a 4 KiB segment) and
   * INVALID_TEXT (a segment that is not UTF-8), ordered by reason.
   *
   * @param referenceTime the earliest time at which the job will validate these records, for the
   *     future-event-time variant (its Kafka timestamp, if the producer sets one)
   */
  public static List<BadRecord> allVariants(TicketEvent template, Instant referenceTime) {
    List<BadRecord> all = new ArrayList<>();
    all.add(notAvro(template));
    all.add(truncated(template));
    all.add(unknownSchema(template));
    all.add(blank("blank-event-id", renamed(template, "blank-event-id").setEventId("").build()));
    all.add(
        blank("blank-ticket-id", renamed(template, "blank-ticket-id").setTicketId(" ").build()));
    all.add(blank("blank-segment", renamed(template, "blank-segment").setSegment("").build()));
    all.add(actorMismatch(template));
    all.add(futureEventTime(template, referenceTime));
    all.add(
        decodable(
            "before-earliest",
            RejectReason.IMPLAUSIBLE_EVENT_TIME,
            renamed(template, "before-earliest")
                .setEventTime(Instant.ofEpochMilli(Long.MIN_VALUE))
                .build()));
    all.add(
        decodable(
            "oversize-segment",
            RejectReason.OVERSIZE,
            renamed(template, "oversize-segment")
                .setSegment("s".repeat(BadRecords.OVERSIZE_BYTES))
                .build()));
    TicketEvent invalid =
        renamed(template, "invalid-utf8").setSegment(BadRecords.invalidUtf8Marker()).build();
    all.add(
        new BadRecord(
            "invalid-utf8",
            RejectReason.INVALID_TEXT,
            BadRecords.withInvalidUtf8(BadRecords.encode(invalid)),
            invalid.getTicketId(),
            TicketEvent.newBuilder(invalid).setSegment(BadRecords.invalidUtf8Decoded()).build()));
    return List.copyOf(all);
  }

  /** {@link RejectReason#UNDECODABLE}: the event as JSON text (the wrong serializer). */
  public static BadRecord notAvro(TicketEvent template) {
    TicketEvent event = renamed(template, "json").build();
    byte[] json = event.toString().getBytes(StandardCharsets.UTF_8);
    return new BadRecord("json", RejectReason.UNDECODABLE, json, event.getTicketId(), null);
  }

  /** {@link RejectReason#UNDECODABLE}: a valid header and half the body (a cut buffer). */
  public static BadRecord truncated(TicketEvent template) {
    TicketEvent event = renamed(template, "truncated").build();
    byte[] whole = BadRecords.encode(event);
    int header = 10;
    byte[] cut = Arrays.copyOf(whole, header + (whole.length - header) / 2);
    return new BadRecord("truncated", RejectReason.UNDECODABLE, cut, event.getTicketId(), null);
  }

  /**
   * {@link RejectReason#UNKNOWN_SCHEMA}: correct single-object encoding of a newer TicketEvent
   * version with one added optional field, whose fingerprint the jobs do not know.
   */
  public static BadRecord unknownSchema(TicketEvent template) {
    TicketEvent event = renamed(template, "unknown-schema").build();
    GenericRecord record = new GenericData.Record(UNREGISTERED_SCHEMA);
    for (Schema.Field field : TicketEvent.getClassSchema().getFields()) {
      record.put(field.name(), genericValue(UNREGISTERED_SCHEMA.getField(field.name()), event));
    }
    record.put(UNREGISTERED_FIELD, "written by a schema version the jobs do not know");
    byte[] value;
    try {
      ByteBuffer buffer =
          new BinaryMessageEncoder<GenericRecord>(GenericData.get(), UNREGISTERED_SCHEMA)
              .encode(record);
      value = new byte[buffer.remaining()];
      buffer.get(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new BadRecord(
        "unknown-schema", RejectReason.UNKNOWN_SCHEMA, value, event.getTicketId(), null);
  }

  /** {@link RejectReason#OUT_OF_RANGE}: an AGENT_REPLY whose actor is a bot. */
  public static BadRecord actorMismatch(TicketEvent template) {
    TicketEvent event =
        renamed(template, "actor-mismatch")
            .setEventType(TicketEventType.AGENT_REPLY)
            .setActor(TicketActor.BOT)
            .build();
    return decodable("actor-mismatch", RejectReason.OUT_OF_RANGE, event);
  }

  /**
   * {@link RejectReason#FUTURE_EVENT_TIME}: event_time {@link BadRecords#FUTURE_LEAD} ahead of
   * {@code referenceTime}.
   */
  public static BadRecord futureEventTime(TicketEvent template, Instant referenceTime) {
    TicketEvent event =
        renamed(template, "future")
            .setEventTime(referenceTime.plus(BadRecords.FUTURE_LEAD).truncatedTo(ChronoUnit.MILLIS))
            .build();
    return decodable("future", RejectReason.FUTURE_EVENT_TIME, event);
  }

  private static BadRecord blank(String label, TicketEvent event) {
    return decodable(label, RejectReason.MISSING_FIELD, event);
  }

  private static BadRecord decodable(String label, RejectReason reason, TicketEvent event) {
    String key = event.getTicketId().isBlank() ? event.getEventId() : event.getTicketId();
    return new BadRecord(label, reason, BadRecords.encode(event), key, event);
  }

  private static TicketEvent.Builder renamed(TicketEvent template, String label) {
    Objects.requireNonNull(template, "template");
    String suffix = "-bad-" + label;
    return TicketEvent.newBuilder(template)
        .setEventId(template.getEventId() + suffix)
        .setTicketId(template.getTicketId() + suffix);
  }

  private static Object genericValue(Schema.Field field, TicketEvent event) {
    Object value = event.get(field.name());
    if (value instanceof Instant instant) {
      return instant.toEpochMilli();
    }
    if (value instanceof Enum<?> symbol) {
      return new GenericData.EnumSymbol(field.schema(), symbol.name());
    }
    return value;
  }

  /** The current TicketEvent schema plus one optional field, under the same full name. */
  private static Schema unregisteredSchema() {
    Schema current = TicketEvent.getClassSchema();
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field field : current.getFields()) {
      fields.add(new Schema.Field(field, field.schema()));
    }
    fields.add(
        new Schema.Field(
            UNREGISTERED_FIELD,
            Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)),
            "Exists only to give this version a fingerprint no schema store knows.",
            JsonProperties.NULL_VALUE));
    return Schema.createRecord(
        current.getName(), current.getDoc(), current.getNamespace(), false, fields);
  }

  /**
   * One bad Kafka value with the reason it must be dead-lettered as.
   *
   * <p>Not a record: the value is an array, which records would compare by identity.
   */
  public static final class BadRecord {

    private final String label;
    private final RejectReason reason;
    private final byte[] value;
    private final String key;
    private final TicketEvent decoded;

    BadRecord(String label, RejectReason reason, byte[] value, String key, TicketEvent decoded) {
      this.label = label;
      this.reason = reason;
      this.value = value;
      this.key = key;
      this.decoded = decoded;
    }

    /** Short name of the variant, e.g. {@code truncated}; unique among the variants. */
    public String label() {
      return label;
    }

    /** The reason the job must dead-letter this value as. */
    public RejectReason reason() {
      return reason;
    }

    /** The Kafka value, a fresh copy. */
    public byte[] value() {
      return value.clone();
    }

    /** The Kafka key a producer would use: the (renamed) ticket_id. */
    public String key() {
      return key;
    }

    /** The event the value decodes to, for the variants that decode (validation failures). */
    public Optional<TicketEvent> decoded() {
      return Optional.ofNullable(decoded);
    }

    @Override
    public String toString() {
      return "BadRecord{" + label + " → " + reason + ", " + value.length + " bytes}";
    }
  }
}
