package io.cxpulse.jobs.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.Channel;
import io.cxpulse.events.CheckoutEvent;
import io.cxpulse.events.SurveyResponse;
import io.cxpulse.events.SurveyType;
import io.cxpulse.events.TicketEvent;
import io.cxpulse.jobs.TestEvents;
import io.cxpulse.jobs.validation.RejectReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;

class EventDecoderTest {

  private static final SchemaCatalog CATALOG = SchemaCatalog.loadFromClasspath();

  private final EventDecoder<SurveyResponse> surveys = EventDecoder.surveys(CATALOG.store());

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  private static byte[] encode(Schema writer, GenericRecord record) throws Exception {
    return bytes(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer).encode(record));
  }

  @Test
  void decodesEachCurrentEventType() throws Exception {
    CheckoutEvent checkout = TestEvents.checkout().build();
    TicketEvent ticket = TestEvents.ticket().build();
    SurveyResponse survey = TestEvents.survey().build();

    assertThat(EventDecoder.checkout(CATALOG.store()).decode(encoded(checkout)).value())
        .isEqualTo(checkout);
    assertThat(EventDecoder.tickets(CATALOG.store()).decode(encoded(ticket)).value())
        .isEqualTo(ticket);
    assertThat(surveys.decode(encoded(survey)).value()).isEqualTo(survey);
  }

  @Test
  void decodesAProducerStillWritingTheOldSurveySchema() throws Exception {
    Schema v1 = CATALOG.schemasByFile().get("history/survey_response.v1.avsc");
    Instant eventTime = Instant.parse("2025-05-31T08:15:30.250Z");
    GenericRecord old = new GenericData.Record(v1);
    old.put("event_id", "evt-old-1");
    old.put("event_time", eventTime.toEpochMilli());
    old.put("channel", new GenericData.EnumSymbol(v1.getField("channel").schema(), "STORE"));
    old.put("segment", "bargain_hunter");
    old.put("survey_id", "store-visit-ces");
    old.put("response_id", "resp-77");
    old.put("survey_type", new GenericData.EnumSymbol(v1.getField("survey_type").schema(), "CES"));
    old.put("score", 2);

    DecodeResult<SurveyResponse> result = surveys.decode(encode(v1, old));

    assertThat(result.isOk()).as("%s", result).isTrue();
    assertThat(result.value())
        .isEqualTo(
            SurveyResponse.newBuilder()
                .setEventId("evt-old-1")
                .setEventTime(eventTime)
                .setChannel(Channel.STORE)
                .setSegment("bargain_hunter")
                .setSurveyId("store-visit-ces")
                .setResponseId("resp-77")
                .setSurveyType(SurveyType.CES)
                .setScore(2)
                .setOrderId(null)
                .setTicketId(null)
                .build());
  }

  @Test
  void anUnknownFingerprintIsUnknownSchemaAndANewChannelReadsAsUnknownOnceDeployed()
      throws Exception {
    // A producer on a newer schema: one more channel and one more optional field.
    Schema future =
        new Schema.Parser()
            .parse(
                SurveyResponse.getClassSchema()
                    .toString()
                    .replace("\"STORE\",\"UNKNOWN\"", "\"STORE\",\"VOICE_ASSISTANT\",\"UNKNOWN\"")
                    .replace(
                        "\"fields\":[",
                        "\"fields\":[{\"name\":\"locale\",\"type\":\"string\","
                            + "\"default\":\"und\"},"));
    GenericRecord record = new GenericData.Record(future);
    SurveyResponse current = TestEvents.survey().build();
    for (Schema.Field field : SurveyResponse.getClassSchema().getFields()) {
      record.put(field.name(), current.get(field.name()));
    }
    record.put("event_time", current.getEventTime().toEpochMilli());
    record.put(
        "channel",
        new GenericData.EnumSymbol(future.getField("channel").schema(), "VOICE_ASSISTANT"));
    record.put(
        "survey_type", new GenericData.EnumSymbol(future.getField("survey_type").schema(), "NPS"));
    record.put("locale", "de-CH");
    byte[] encoded = encode(future, record);

    DecodeResult<SurveyResponse> unknown = surveys.decode(encoded);

    assertThat(unknown.reason()).isEqualTo(RejectReason.UNKNOWN_SCHEMA);
    assertThat(unknown.detail())
        .contains(String.format("0x%016x", SchemaCatalog.fingerprint(future)));

    SchemaStore.Cache deployed = new SchemaStore.Cache();
    CATALOG.schemasByFile().values().forEach(deployed::addSchema);
    deployed.addSchema(future);
    SurveyResponse decoded = EventDecoder.surveys(deployed).decode(encoded).value();

    assertThat(decoded.getChannel()).isEqualTo(Channel.UNKNOWN);
    assertThat(decoded.getScore()).isEqualTo(current.getScore());
    assertThat(decoded.getEventId()).isEqualTo(current.getEventId());
  }

  @Test
  void anotherTopicsEventIsUnknownSchemaNotACorruptBody() throws Exception {
    byte[] checkout = encoded(TestEvents.checkout().build());

    DecodeResult<SurveyResponse> result = surveys.decode(checkout);

    assertThat(result.reason()).isEqualTo(RejectReason.UNKNOWN_SCHEMA);
    assertThat(result.detail())
        .contains("io.cxpulse.events.CheckoutEvent")
        .contains("not a io.cxpulse.events.SurveyResponse");
  }

  @Test
  void aSameNamedButIncompatibleWriterIsUnknownSchema() throws Exception {
    // score written as a string: no Avro resolution to int exists.
    Schema incompatible =
        new Schema.Parser()
            .parse(
                SurveyResponse.getClassSchema()
                    .toString()
                    .replace(
                        "\"name\":\"score\",\"type\":\"int\"",
                        "\"name\":\"score\",\"type\":\"string\""));
    SchemaStore.Cache store = new SchemaStore.Cache();
    store.addSchema(incompatible);
    GenericRecord record = new GenericData.Record(incompatible);
    SurveyResponse current = TestEvents.survey().build();
    for (Schema.Field field : incompatible.getFields()) {
      record.put(field.name(), current.get(field.name()));
    }
    record.put("event_time", current.getEventTime().toEpochMilli());
    record.put(
        "channel", new GenericData.EnumSymbol(incompatible.getField("channel").schema(), "WEB"));
    record.put(
        "survey_type",
        new GenericData.EnumSymbol(incompatible.getField("survey_type").schema(), "NPS"));
    record.put("score", "nine");

    DecodeResult<SurveyResponse> result =
        EventDecoder.surveys(store).decode(encode(incompatible, record));

    assertThat(result.reason()).isEqualTo(RejectReason.UNKNOWN_SCHEMA);
    assertThat(result.detail())
        .contains("cannot be read as the current SurveyResponse")
        .contains("TYPE_MISMATCH at score/type");
  }

  @Test
  void aBadHeaderIsUndecodable() {
    byte[] valid = encoded(TestEvents.survey().build());
    byte[] json = "{\"event_id\":\"x\"}".getBytes(StandardCharsets.UTF_8);
    byte[] wrongMarker = valid.clone();
    wrongMarker[1] = 0x02;

    for (byte[] bad :
        new byte[][] {json, wrongMarker, new byte[0], new byte[] {(byte) 0xC3, 0x01, 7}}) {
      DecodeResult<SurveyResponse> result = surveys.decode(bad);
      assertThat(result.reason()).as(Arrays.toString(bad)).isEqualTo(RejectReason.UNDECODABLE);
    }
    assertThat(surveys.decode(json).detail()).contains("not Avro single-object encoding");
  }

  @Test
  void aTombstoneIsUndecodable() {
    DecodeResult<SurveyResponse> result = surveys.decode(null);

    assertThat(result.reason()).isEqualTo(RejectReason.UNDECODABLE);
    assertThat(result.detail()).contains("tombstone");
  }

  @Test
  void aTruncatedBodyIsUndecodable() {
    byte[] valid = encoded(TestEvents.survey().build());

    for (int cut = 1; cut < valid.length - 10; cut++) {
      byte[] truncated = Arrays.copyOf(valid, valid.length - cut);
      DecodeResult<SurveyResponse> result = surveys.decode(truncated);
      assertThat(result.reason())
          .as("cut %d bytes: %s", cut, result)
          .isEqualTo(RejectReason.UNDECODABLE);
    }
  }

  @Test
  void aCorruptBodyIsUndecodable() {
    byte[] valid = encoded(TestEvents.survey().build());
    byte[] corrupt = Arrays.copyOf(valid, valid.length);
    // An event_id length varint that never ends: more than ten continuation bytes.
    Arrays.fill(corrupt, 10, corrupt.length, (byte) 0xFF);

    DecodeResult<SurveyResponse> result = surveys.decode(corrupt);

    assertThat(result.reason()).isEqualTo(RejectReason.UNDECODABLE);
    assertThat(result.detail()).startsWith("corrupt or truncated SurveyResponse body");
  }

  @Test
  void trailingBytesAreUndecodable() {
    byte[] valid = encoded(TestEvents.survey().build());
    byte[] padded = Arrays.copyOf(valid, valid.length + 3);

    DecodeResult<SurveyResponse> result = surveys.decode(padded);

    assertThat(result.reason()).isEqualTo(RejectReason.UNDECODABLE);
    assertThat(result.detail()).contains("3 unexpected bytes");
  }

  @Test
  void keepsDecodingAfterFailures() {
    SurveyResponse survey = TestEvents.survey().build();
    byte[] valid = encoded(survey);

    surveys.decode(new byte[] {1, 2, 3});
    surveys.decode(encoded(TestEvents.checkout().build()));
    surveys.decode(Arrays.copyOf(valid, valid.length - 1));

    assertThat(surveys.decode(valid).value()).isEqualTo(survey);
  }

  /** Encodes with the generated class's own model, which knows the timestamp conversions. */
  private static byte[] encoded(SpecificRecordBase record) {
    try {
      return bytes(
          new BinaryMessageEncoder<SpecificRecordBase>(record.getSpecificData(), record.getSchema())
              .encode(record));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A 25-byte record whose first string claims to be 2 GiB long: without {@link AvroLimits} Avro
   * allocates the buffer first and the task dies of OutOfMemoryError (measured).
   */
  @Test
  void hugeLengthPrefixIsUndecodableNotOutOfMemory() {
    byte[] header = Arrays.copyOf(encoded(TestEvents.survey().build()), 10);
    byte[] corrupt = Arrays.copyOf(header, 25);
    long zigZag = ((long) Integer.MAX_VALUE - 16) << 1;
    int i = header.length;
    while ((zigZag & ~0x7FL) != 0) {
      corrupt[i++] = (byte) ((zigZag & 0x7F) | 0x80);
      zigZag >>>= 7;
    }
    corrupt[i] = (byte) zigZag;

    DecodeResult<SurveyResponse> result = surveys.decode(corrupt);

    assertThat(result.isOk()).isFalse();
    assertThat(result.reason()).isEqualTo(RejectReason.UNDECODABLE);
    assertThat(result.detail()).contains("exceeds maximum");
  }
}
