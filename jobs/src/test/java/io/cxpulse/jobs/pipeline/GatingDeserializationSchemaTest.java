package io.cxpulse.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.jobs.TestEvents;
import io.cxpulse.jobs.survey.SurveyJob;
import io.cxpulse.jobs.validation.EventGate;
import io.cxpulse.jobs.validation.RejectReason;
import io.cxpulse.jobs.validation.SurveyResponseValidator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.Collector;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** The gate inside the Kafka source, and watermarks that only admitted events move. */
class GatingDeserializationSchemaTest {

  private final GatingDeserializationSchema<SurveyResponse> schema =
      new GatingDeserializationSchema<>(
          SurveyJob.SURVEY_RESPONSES, new SurveyResponseValidator(EventGate.DEFAULT));

  @Test
  void admitsValidEventsAndRejectsTheRestWithTheirReason() {
    schema.open(context());
    SurveyResponse valid = TestEvents.survey().build();
    SurveyResponse farAhead =
        TestEvents.survey().setEventTime(TestEvents.NOW.plus(Duration.ofHours(3))).build();

    List<GateOutcome<SurveyResponse>> out = new ArrayList<>();
    schema.deserialize(record(1, RawRecords.encode(valid)), collector(out));
    schema.deserialize(record(2, "garbage".getBytes(StandardCharsets.UTF_8)), collector(out));
    schema.deserialize(record(3, RawRecords.encode(farAhead)), collector(out));

    assertThat(out).hasSize(3);
    assertThat(out.get(0).isAdmitted()).isTrue();
    assertThat(out.get(0).getAdmitted().getEvent()).isEqualTo(valid);
    assertThat(out.get(0).getAdmitted().getSource().getOffset()).isEqualTo(1);
    assertThat(out.get(1).rejectReason()).isEqualTo(RejectReason.UNDECODABLE);
    assertThat(out.get(1).getRejected().getSourceOffset()).isEqualTo(2);
    assertThat(out.get(2).rejectReason()).isEqualTo(RejectReason.FUTURE_EVENT_TIME);
    assertThat(out.get(2).getRejected().getEventId()).isEqualTo(farAhead.getEventId());
  }

  @Test
  void rejectedRecordsNeverMoveTheWatermark() {
    AdmittedOnlyWatermarks<SurveyResponse> watermarks =
        new AdmittedOnlyWatermarks<>(
            new EagerBoundedOutOfOrderness<>(
                Duration.ofSeconds(5), EagerBoundedOutOfOrderness.DEFAULT_STEP));
    List<Long> emitted = new ArrayList<>();
    WatermarkOutput output = output(emitted);
    long eventTime = TestEvents.NOW.toEpochMilli();
    GateOutcome<SurveyResponse> admitted =
        GateOutcome.admitted(
            new DecodedEvent<>(
                TestEvents.survey().build(), new RawRecord("t", 0, 0, eventTime, new byte[0])));
    GateOutcome<SurveyResponse> rejected =
        GateOutcome.rejected(
            DeadLetterOutput.create(
                RejectReason.UNDECODABLE,
                "garbage",
                new RawRecord("t", 0, 1, eventTime, new byte[0]),
                eventTime,
                null,
                null));

    watermarks.onEvent(admitted, eventTime, output);
    watermarks.onEvent(rejected, Long.MAX_VALUE, output);
    watermarks.onPeriodicEmit(output);

    assertThat(emitted).containsOnly(eventTime - 5_000 - 1);
  }

  private static ConsumerRecord<byte[], byte[]> record(long offset, byte[] value) {
    return new ConsumerRecord<>(
        "cx.surveys",
        0,
        offset,
        TestEvents.NOW.toEpochMilli(),
        TimestampType.CREATE_TIME,
        0,
        value.length,
        null,
        value,
        new RecordHeaders(),
        Optional.empty());
  }

  private static DeserializationSchema.InitializationContext context() {
    return new DeserializationSchema.InitializationContext() {
      @Override
      public MetricGroup getMetricGroup() {
        return new UnregisteredMetricsGroup();
      }

      @Override
      public UserCodeClassLoader getUserCodeClassLoader() {
        return SimpleUserCodeClassLoader.create(getClass().getClassLoader());
      }
    };
  }

  private static WatermarkOutput output(List<Long> emitted) {
    return new WatermarkOutput() {
      @Override
      public void emitWatermark(Watermark watermark) {
        emitted.add(watermark.getTimestamp());
      }

      @Override
      public void markIdle() {}

      @Override
      public void markActive() {}
    };
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
