package io.cxpulse.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.events.SurveyResponse;
import io.cxpulse.jobs.codec.DecodeResult;
import io.cxpulse.jobs.codec.EventDecoder;
import io.cxpulse.jobs.codec.SchemaCatalog;
import io.cxpulse.jobs.survey.SurveyJob;
import io.cxpulse.jobs.validation.EventGate;
import io.cxpulse.jobs.validation.RejectReason;
import io.cxpulse.jobs.validation.SurveyResponseValidator;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class KafkaConnectorsTest {

  @Test
  void rawRecordKeepsValueAndCoordinates() throws Exception {
    byte[] value = {1, 2, 3};
    RawRecord raw =
        RawRecord.of(
            new ConsumerRecord<>(
                "cx.surveys",
                2,
                99L,
                1_700_000_000_000L,
                TimestampType.CREATE_TIME,
                0,
                value.length,
                null,
                value,
                new RecordHeaders(),
                Optional.empty()));

    assertThat(raw).isEqualTo(new RawRecord("cx.surveys", 2, 99L, 1_700_000_000_000L, value));
  }

  @Test
  void recordWithoutTimestampHasNoTimestamp() throws Exception {
    RawRecord raw = RawRecord.of(new ConsumerRecord<>("cx.surveys", 0, 1L, null, null));

    assertThat(raw.hasTimestamp()).isFalse();
    assertThat(raw.getValue()).isNull();
  }

  @Test
  void rawRecordAndDecodedEventAreFlinkPojos() {
    assertThat(TypeInformation.of(RawRecord.class)).isInstanceOf(PojoTypeInfo.class);
    assertThat(DecodedEvent.typeInfo(DeadLetter.class)).isInstanceOf(PojoTypeInfo.class);
    assertThat(GateOutcome.typeInfo(SurveyResponse.class)).isInstanceOf(PojoTypeInfo.class);
  }

  @Test
  void deadLetterIsWrittenInSingleObjectEncoding() {
    DeadLetter deadLetter =
        DeadLetterOutput.create(
            RejectReason.TOO_LATE,
            "late",
            new RawRecord("cx.surveys", 1, 5L, 0L, new byte[] {9}),
            Instant.parse("2025-06-01T12:00:00Z").toEpochMilli(),
            "evt-1",
            Instant.parse("2025-06-01T11:00:00Z"));

    ProducerRecord<byte[], byte[]> record =
        new KafkaConnectors.DeadLetterSerializationSchema("cx.dead-letters")
            .serialize(deadLetter, null, 123L);

    assertThat(record.topic()).isEqualTo("cx.dead-letters");
    assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("cx.surveys-1@5");
    assertThat(record.timestamp()).isNull();
    DecodeResult<DeadLetter> decoded =
        EventDecoder.deadLetters(SchemaCatalog.loadFromClasspath().store()).decode(record.value());
    assertThat(decoded.isOk()).isTrue();
    assertThat(decoded.value()).isEqualTo(deadLetter);
  }

  @Test
  void boundedSourceStopsAtLatestOffsets() {
    KafkaSource<GateOutcome<SurveyResponse>> bounded =
        KafkaConnectors.gatedSource(
            new EventInput.Kafka("127.0.0.1:9092", "cx.surveys", "g", true),
            SurveyJob.SURVEY_RESPONSES,
            new SurveyResponseValidator(EventGate.DEFAULT));
    KafkaSource<GateOutcome<SurveyResponse>> unbounded =
        KafkaConnectors.gatedSource(
            new EventInput.Kafka("127.0.0.1:9092", "cx.surveys", "g", false),
            SurveyJob.SURVEY_RESPONSES,
            new SurveyResponseValidator(EventGate.DEFAULT));

    assertThat(bounded.getBoundedness().name()).isEqualTo("BOUNDED");
    assertThat(unbounded.getBoundedness().name()).isEqualTo("CONTINUOUS_UNBOUNDED");
    assertThat(bounded.getProducedType()).isEqualTo(GateOutcome.typeInfo(SurveyResponse.class));
  }

  private static <T> Collector<T> collector(List<T> out) {
    return new Collector<>() {
      @Override
      public void collect(T record) {
        out.add(record);
      }

      @Override
      public void close() {}
    };
  }
}
