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

  /** The event_time of {@link #beforeEarliest}: a second before the Unix epoch. */
  public static final Instant BEFORE_EARLIEST = Instant.parse("1969-12-31T23:59:59Z");

  /** The segment length of the OVERSIZE variant in {@link #oneOfEach}: 4 KiB. */
  public static final int OVERSIZE_BYTES = 4 * 1024;

  /** The segment length of the largest OVERSIZE variant: 900 KiB, within a 1 MiB Kafka record. */
  public static final int HUGE_BYTES = 900 * 1024;

  /** Marks where {@link #withInvalidUtf8} breaks the encoding; ASCII, so one byte a char. */
  private static final String INVALID_UTF8_MARKER = "~invalid-utf8~";

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
        futureEventTime(template, referenceTime),
        beforeEarliest(template),
        oversizeSegment(template, OVERSIZE_BYTES),
        invalidUtf8Segment(template));
  }

  /**
   * Every variant this class makes: {@link #oneOfEach} plus {@link #truncated}, {@link
   * #blankEventId}, {@link #blankResponseId}, {@link #eventTimeInMicroseconds}, a {@link
   * #HUGE_BYTES} segment and {@link #controlCharacterInSegment}, ordered by reason.
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
    all.add(eventTimeInMicroseconds(template));
    all.add(beforeEarliest(template));
    all.add(oversizeSegment(template, OVERSIZE_BYTES));
    all.add(oversizeSegment(template, HUGE_BYTES));
    all.add(invalidUtf8Segment(template));
    all.add(controlCharacterInSegment(template));
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
   * {@link RejectReason#FUTURE_EVENT_TIME}: event_time in microseconds where milliseconds are due,
   * a common producer unit bug; it reads as tens of thousands of years ahead.
   */
  public static BadRecord eventTimeInMicroseconds(SurveyResponse template) {
    SurveyResponse response =
        renamed(template, "micros")
            .setEventTime(Instant.ofEpochMilli(template.getEventTime().toEpochMilli() * 1000))
            .build();
    return decodable("micros", RejectReason.FUTURE_EVENT_TIME, response);
  }

  /**
   * {@link RejectReason#IMPLAUSIBLE_EVENT_TIME}: event_time {@link #BEFORE_EARLIEST}, a clock that
   * reset or a negative time. Counted, it would land in a window ClickHouse's DateTime wraps to
   * 2106.
   */
  public static BadRecord beforeEarliest(SurveyResponse template) {
    SurveyResponse response =
        renamed(template, "before-earliest").setEventTime(BEFORE_EARLIEST).build();
    return decodable("before-earliest", RejectReason.IMPLAUSIBLE_EVENT_TIME, response);
  }

  /** {@link RejectReason#OVERSIZE}: a segment of {@code bytes} bytes. */
  public static BadRecord oversizeSegment(SurveyResponse template, int bytes) {
    String label = "oversize-" + bytes;
    SurveyResponse response = renamed(template, label).setSegment("s".repeat(bytes)).build();
    return decodable(label, RejectReason.OVERSIZE, response);
  }

  /**
   * {@link RejectReason#INVALID_TEXT}: a segment whose bytes are not UTF-8 (a producer writing
   * Latin-1 or cutting a multi-byte character), in an otherwise valid encoding.
   */
  public static BadRecord invalidUtf8Segment(SurveyResponse template) {
    SurveyResponse response =
        renamed(template, "invalid-utf8").setSegment(INVALID_UTF8_MARKER).build();
    return new BadRecord(
        "invalid-utf8",
        RejectReason.INVALID_TEXT,
        withInvalidUtf8(encode(response)),
        response.getResponseId(),
        SurveyResponse.newBuilder(response).setSegment(invalidUtf8Decoded()).build());
  }

  /** {@link RejectReason#INVALID_TEXT}: a segment with a NUL character. */
  public static BadRecord controlCharacterInSegment(SurveyResponse template) {
    SurveyResponse response = renamed(template, "control-character").setSegment("vip\0").build();
    return decodable("control-character", RejectReason.INVALID_TEXT, response);
  }

  /**
   * {@code encoded} with the first two bytes of the one string that was {@link
   * #INVALID_UTF8_MARKER} replaced by {@code 0xC3 0x28}: a lead byte followed by a byte that cannot
   * continue it, invalid UTF-8 of the same length, so the rest of the encoding stays valid. Set the
   * marker as the value of exactly one string field before encoding.
   */
  public static byte[] withInvalidUtf8(byte[] encoded) {
    byte[] marker = INVALID_UTF8_MARKER.getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i + marker.length <= encoded.length; i++) {
      if (Arrays.equals(encoded, i, i + marker.length, marker, 0, marker.length)) {
        byte[] broken = encoded.clone();
        broken[i] = (byte) 0xC3;
        broken[i + 1] = (byte) 0x28;
        return broken;
      }
    }
    throw new IllegalArgumentException("no string field holds the marker " + INVALID_UTF8_MARKER);
  }

  /** The marker {@link #withInvalidUtf8} looks for. */
  public static String invalidUtf8Marker() {
    return INVALID_UTF8_MARKER;
  }

  /**
   * The marker as a decoder reads it back after {@link #withInvalidUtf8}: Java's UTF-8 decoder (and
   * so Avro's) replaces the lone lead byte by U+FFFD and keeps the byte after it.
   */
  public static String invalidUtf8Decoded() {
    return "\uFFFD(" + INVALID_UTF8_MARKER.substring(2);
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
