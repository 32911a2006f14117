package io.cxpulse.jobs.generator;

import io.cxpulse.events.CheckoutEvent;
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
 * Kafka values for the checkout topic that the job must dead-letter, one per way a producer goes
 * wrong, each labelled with the {@link RejectReason} it must be dead-lettered as: the checkout
 * counterpart of {@link BadRecords} (same variants and rules, same {@link BadRecords#FUTURE_LEAD}).
 *
 * <p>Each is derived from a valid template event with a new event_id and checkout_id ({@code
 * <template id>-bad-<label>}), so a bad record can never be mistaken for a duplicate, nor join a
 * real checkout if a bug let it through.
 */
public final class CheckoutBadRecords {

  /** The field of the unregistered schema version that makes its fingerprint unknown. */
  static final String UNREGISTERED_FIELD = "unregistered_field";

  private static final Schema UNREGISTERED_SCHEMA = unregisteredSchema();

  private CheckoutBadRecords() {}

  /**
   * Every variant, ordered by reason: UNDECODABLE (JSON, truncated), UNKNOWN_SCHEMA, MISSING_FIELD
   * (blank event_id, checkout_id, segment), OUT_OF_RANGE (negative cart value, a cart of {@code
   * Long.MAX_VALUE} minor units whose sums once overflowed, lower-case currency),
   * FUTURE_EVENT_TIME, IMPLAUSIBLE_EVENT_TIME (before 1970), OVERSIZE (a 4 KiB checkout_id),
   * INVALID_TEXT (a segment that is not UTF-8).
   *
   * @param referenceTime the earliest time at which the job will validate these records (only the
   *     future variant depends on it; its event time is {@link BadRecords#FUTURE_LEAD} later)
   */
  public static List<BadCheckoutRecord> allVariants(CheckoutEvent template, Instant referenceTime) {
    List<BadCheckoutRecord> all = new ArrayList<>();
    all.add(notAvro(template));
    all.add(truncated(template));
    all.add(unknownSchema(template));
    all.add(
        decodable(
            "blank-event-id",
            RejectReason.MISSING_FIELD,
            renamed(template, "blank-event-id").setEventId("").build()));
    all.add(
        decodable(
            "blank-checkout-id",
            RejectReason.MISSING_FIELD,
            renamed(template, "blank-checkout-id").setCheckoutId(" ").build()));
    all.add(
        decodable(
            "blank-segment",
            RejectReason.MISSING_FIELD,
            renamed(template, "blank-segment").setSegment("").build()));
    all.add(
        decodable(
            "negative-cart-value",
            RejectReason.OUT_OF_RANGE,
            renamed(template, "negative-cart-value").setCartValueMinor(-1).build()));
    all.add(
        decodable(
            "huge-cart-value",
            RejectReason.OUT_OF_RANGE,
            renamed(template, "huge-cart-value").setCartValueMinor(Long.MAX_VALUE).build()));
    all.add(
        decodable(
            "lower-case-currency",
            RejectReason.OUT_OF_RANGE,
            renamed(template, "lower-case-currency")
                .setCurrency(template.getCurrency().toLowerCase(java.util.Locale.ROOT))
                .build()));
    all.add(
        decodable(
            "future",
            RejectReason.FUTURE_EVENT_TIME,
            renamed(template, "future")
                .setEventTime(
                    referenceTime.plus(BadRecords.FUTURE_LEAD).truncatedTo(ChronoUnit.MILLIS))
                .build()));
    all.add(
        decodable(
            "before-earliest",
            RejectReason.IMPLAUSIBLE_EVENT_TIME,
            renamed(template, "before-earliest").setEventTime(BadRecords.BEFORE_EARLIEST).build()));
    all.add(
        decodable(
            "oversize-checkout-id",
            RejectReason.OVERSIZE,
            renamed(template, "oversize-checkout-id")
                .setCheckoutId("c".repeat(BadRecords.OVERSIZE_BYTES))
                .build()));
    CheckoutEvent invalid =
        renamed(template, "invalid-utf8").setSegment(BadRecords.invalidUtf8Marker()).build();
    all.add(
        new BadCheckoutRecord(
            "invalid-utf8",
            RejectReason.INVALID_TEXT,
            BadRecords.withInvalidUtf8(BadRecords.encode(invalid)),
            invalid.getCheckoutId(),
            CheckoutEvent.newBuilder(invalid).setSegment(BadRecords.invalidUtf8Decoded()).build()));
    return List.copyOf(all);
  }

  /** UNDECODABLE: the event as JSON text, a producer with the wrong serializer. */
  static BadCheckoutRecord notAvro(CheckoutEvent template) {
    CheckoutEvent event = renamed(template, "json").build();
    byte[] json = event.toString().getBytes(StandardCharsets.UTF_8);
    return new BadCheckoutRecord(
        "json", RejectReason.UNDECODABLE, json, event.getCheckoutId(), null);
  }

  /** UNDECODABLE: a valid header and the first half of the body. */
  static BadCheckoutRecord truncated(CheckoutEvent template) {
    CheckoutEvent event = renamed(template, "truncated").build();
    byte[] whole = BadRecords.encode(event);
    int header = 10;
    byte[] cut = Arrays.copyOf(whole, header + (whole.length - header) / 2);
    return new BadCheckoutRecord(
        "truncated", RejectReason.UNDECODABLE, cut, event.getCheckoutId(), null);
  }

  /**
   * UNKNOWN_SCHEMA: a newer CheckoutEvent version (one more optional field) the jobs do not know.
   */
  static BadCheckoutRecord unknownSchema(CheckoutEvent template) {
    CheckoutEvent event = renamed(template, "unknown-schema").build();
    GenericRecord record = new GenericData.Record(UNREGISTERED_SCHEMA);
    for (Schema.Field field : CheckoutEvent.getClassSchema().getFields()) {
      Schema.Field target = UNREGISTERED_SCHEMA.getField(field.name());
      Object value = event.get(field.name());
      if (value instanceof Instant instant) {
        value = instant.toEpochMilli();
      } else if (value instanceof Enum<?> symbol) {
        value = new GenericData.EnumSymbol(target.schema(), symbol.name());
      }
      record.put(field.name(), value);
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
    return new BadCheckoutRecord(
        "unknown-schema", RejectReason.UNKNOWN_SCHEMA, value, event.getCheckoutId(), null);
  }

  private static BadCheckoutRecord decodable(
      String label, RejectReason reason, CheckoutEvent event) {
    return new BadCheckoutRecord(
        label, reason, BadRecords.encode(event), event.getCheckoutId(), event);
  }

  private static CheckoutEvent.Builder renamed(CheckoutEvent template, String label) {
    Objects.requireNonNull(template, "template");
    String suffix = "-bad-" + label;
    return CheckoutEvent.newBuilder(template)
        .setEventId(template.getEventId() + suffix)
        .setCheckoutId(template.getCheckoutId() + suffix);
  }

  /** The current CheckoutEvent schema plus one optional field, under the same full name. */
  private static Schema unregisteredSchema() {
    Schema current = CheckoutEvent.getClassSchema();
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
   * One bad Kafka value for the checkout topic with the reason it must be dead-lettered as.
   *
   * <p>Not a record: the value is an array, which records would compare by identity.
   */
  public static final class BadCheckoutRecord {

    private final String label;
    private final RejectReason reason;
    private final byte[] value;
    private final String key;
    private final CheckoutEvent decoded;

    BadCheckoutRecord(
        String label, RejectReason reason, byte[] value, String key, CheckoutEvent decoded) {
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

    /** The Kafka key a producer would use: the (intended) checkout_id. */
    public String key() {
      return key;
    }

    /** The event the value decodes to, for the variants that decode (validation failures). */
    public Optional<CheckoutEvent> decoded() {
      return Optional.ofNullable(decoded);
    }

    @Override
    public String toString() {
      return "BadCheckoutRecord{" + label + " → " + reason + ", " + value.length + " bytes}";
    }
  }
}
