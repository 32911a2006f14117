package io.cxpulse.jobs.generator;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.jobs.validation.RejectReason;
import io.cxpulse.jobs.validation.SurveyResponseValidator;
import io.cxpulse.metrics.ScoreScale;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Kafka values for topic {@code cx.surveys} that the job must dead-letter, one per way a producer
 * goes wrong, each labelled with the {@link RejectReason} it must be dead-lettered as.
 *
 * <p>They exist so that the end-to-end tests and the demo exercise every rejection path with the
 * bytes a broken producer would really send, not with hand-made objects that skip the decoder. Each
 * is derived from a valid template response (usually a generated one) with a new event_id and
 * response_id ({@code <template id>-bad-<label>}), so a bad record can never be mistaken for a
 * duplicate of its template or of another bad record.
 *
 * <p>{@link RejectReason#DUPLICATE} and {@link RejectReason#TOO_LATE} are not properties of a
 * record but of its place in the stream; {@link SurveyScenario} produces those.
 */
public final class BadRecords {

  /** How far ahead of the reference time {@link #futureEventTime} puts the event time. */
  public static final Duration FUTURE_LEAD = Duration.ofDays(7);

  /** The field of the unregistered schema version that makes its fingerprint unknown. */
  static final String UNREGISTERED_FIELD = "unregistered_field";

  private static final Schema UNREGISTERED_SCHEMA = unregisteredSurveySchema();

  private BadRecords() {}

  /**
   * One bad record per reason the decoder or validator decides, in {@link RejectReason} order:
   * {@link #notAvro}, {@link #unknownSchema}, {@link #blankSegment}, {@link #scoreOutOfRange},
   * {@link #futureEventTime}.
   *
   * @param referenceTime the earliest time at which the job will validate these records (its
   *     processing time, so pass the wall clock, e.g. {@code Instant.now()})
   */
  public static List<BadRecord> oneOfEach(SurveyResponse template, Instant referenceTime) {
    return List.of(
        notAvro(template),
        unknownSchema(template),
        blankSegment(template),
        scoreOutOfRange(template),
        futureEventTime(template, referenceTime));
  }

  /**
   * Every variant this class makes: {@link #oneOfEach} plus {@link #truncated}, {@link
   * #blankEventId} and {@link #blankResponseId}, ordered by reason.
   *
   * @param referenceTime as for {@link #oneOfEach}
   */
  public static List<BadRecord> allVariants(SurveyResponse template, Instant referenceTime) {
    List<BadRecord> all = new ArrayList<>();
    all.add(notAvro(template));
    all.add(truncated(template));
    all.add(unknownSchema(template));
    all.add(blankEventId(template));
    all.add(blankResponseId(template));
    all.add(blankSegment(template));
    all.add(scoreOutOfRange(template));
    all.add(futureEventTime(template, referenceTime));
    return List.copyOf(all);
  }

  /**
   * {@link RejectReason#UNDECODABLE}: the response as JSON text, what a producer configured with
   * the wrong serializer sends.
   */
  public static BadRecord notAvro(SurveyResponse template) {
    SurveyResponse response = renamed(template, "json").build();
    // SpecificRecord's toString is Avro's JSON rendering of the record.
    byte[] json = response.toString().getBytes(StandardCharsets.UTF_8);
    return new BadRecord("json", RejectReason.UNDECODABLE, json, response.getResponseId(), null);
  }

  /**
   * {@link RejectReason#UNDECODABLE}: a valid header and the first half of the body, what a buggy
   * producer that cuts its buffer sends.
   */
  public static BadRecord truncated(SurveyResponse template) {
    SurveyResponse response = renamed(template, "truncated").build();
    byte[] whole = encode(response);
    int header = 10;
    byte[] cut = Arrays.copyOf(whole, header + (whole.length - header) / 2);
    return new BadRecord(
        "truncated", RejectReason.UNDECODABLE, cut, response.getResponseId(), null);
  }

  /**
   * {@link RejectReason#UNKNOWN_SCHEMA}: correct single-object encoding of a newer SurveyResponse
   * version with one added optional field, written by a producer deployed before the jobs knew the
   * version. The decoder cannot find its fingerprint in the schema store.
   */
  public static BadRecord unknownSchema(SurveyResponse template) {
    SurveyResponse response = renamed(template, "unknown-schema").build();
    GenericRecord record = new GenericData.Record(UNREGISTERED_SCHEMA);
    for (Schema.Field field : SurveyResponse.getClassSchema().getFields()) {
      record.put(field.name(), genericValue(UNREGISTERED_SCHEMA.getField(field.name()), response));
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
        "unknown-schema", RejectReason.UNKNOWN_SCHEMA, value, response.getResponseId(), null);
  }

  /** {@link RejectReason#MISSING_FIELD}: event_id is blank. */
  public static BadRecord blankEventId(SurveyResponse template) {
    SurveyResponse response = renamed(template, "blank-event-id").setEventId("").build();
    return decodable("blank-event-id", RejectReason.MISSING_FIELD, response);
  }

  /** {@link RejectReason#MISSING_FIELD}: response_id is blank (only whitespace). */
  public static BadRecord blankResponseId(SurveyResponse template) {
    SurveyResponse response = renamed(template, "blank-response-id").setResponseId(" ").build();
    return new BadRecord(
        "blank-response-id",
        RejectReason.MISSING_FIELD,
        encode(response),
        template.getResponseId() + "-bad-blank-response-id",
        response);
  }

  /** {@link RejectReason#MISSING_FIELD}: segment is blank. */
  public static BadRecord blankSegment(SurveyResponse template) {
    SurveyResponse response = renamed(template, "blank-segment").setSegment("").build();
    return decodable("blank-segment", RejectReason.MISSING_FIELD, response);
  }

  /**
   * {@link RejectReason#OUT_OF_RANGE}: the score is one above its survey type's scale (CSAT 6, NPS
   * 11, CES 8), the classic off-by-one of a form with the wrong scale.
   */
  public static BadRecord scoreOutOfRange(SurveyResponse template) {
    ScoreScale scale = SurveyResponseValidator.scaleOf(template.getSurveyType());
    if (scale == null) {
      throw new IllegalArgumentException("template has no score scale: " + template);
    }
    SurveyResponse response = renamed(template, "out-of-range").setScore(scale.max() + 1).build();
    return decodable("out-of-range", RejectReason.OUT_OF_RANGE, response);
  }

  /**
   * {@link RejectReason#FUTURE_EVENT_TIME}: event_time {@link #FUTURE_LEAD} ahead of {@code
   * referenceTime}, a producer with a wrong clock.
   *
   * @param referenceTime the earliest time at which the job will validate the record; its event
   *     time stays in the future for the validator until about seven days after it
   */
  public static BadRecord futureEventTime(SurveyResponse template, Instant referenceTime) {
    SurveyResponse response =
        renamed(template, "future")
            .setEventTime(referenceTime.plus(FUTURE_LEAD).truncatedTo(ChronoUnit.MILLIS))
            .build();
    return decodable("future", RejectReason.FUTURE_EVENT_TIME, response);
  }

  /**
   * The single-object encoding of {@code event} (any generated event class), as a producer writes
   * it.
   */
  public static byte[] encode(SpecificRecordBase event) {
    try {
      // The class's own model carries its logical-type conversions (timestamps as Instant).
      ByteBuffer buffer =
          new BinaryMessageEncoder<SpecificRecordBase>(
                  SpecificData.getForClass(event.getClass()), event.getSchema())
              .encode(event);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + event, e);
    }
  }

  private static BadRecord decodable(String label, RejectReason reason, SurveyResponse response) {
    return new BadRecord(label, reason, encode(response), response.getResponseId(), response);
  }

  private static SurveyResponse.Builder renamed(SurveyResponse template, String label) {
    Objects.requireNonNull(template, "template");
    String suffix = "-bad-" + label;
    return SurveyResponse.newBuilder(template)
        .setEventId(template.getEventId() + suffix)
        .setResponseId(template.getResponseId() + suffix);
  }

  private static Object genericValue(Schema.Field field, SurveyResponse response) {
    Object value = response.get(field.name());
    if (value instanceof Instant instant) {
      return instant.toEpochMilli();
    }
    if (value instanceof Enum<?> symbol) {
      return new GenericData.EnumSymbol(field.schema(), symbol.name());
    }
    return value;
  }

  /** The current SurveyResponse schema plus one optional field, under the same full name. */
  private static Schema unregisteredSurveySchema() {
    Schema current = SurveyResponse.getClassSchema();
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
    private final SurveyResponse decoded;

    BadRecord(String label, RejectReason reason, byte[] value, String key, SurveyResponse decoded) {
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

    /** The Kafka key a producer would use: the response_id (of the intended response). */
    public String key() {
      return key;
    }

    /** The response the value decodes to, for the variants that decode (validation failures). */
    public Optional<SurveyResponse> decoded() {
      return Optional.ofNullable(decoded);
    }

    @Override
    public String toString() {
      return "BadRecord{" + label + " → " + reason + ", " + value.length + " bytes}";
    }
  }
}
