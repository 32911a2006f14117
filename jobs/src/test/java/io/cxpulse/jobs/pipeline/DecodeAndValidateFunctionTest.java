package io.cxpulse.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.events.DeadLetterReason;
import io.cxpulse.events.SurveyResponse;
import io.cxpulse.jobs.TestEvents;
import io.cxpulse.jobs.codec.DeadLetters;
import io.cxpulse.jobs.codec.EventDecoder;
import io.cxpulse.jobs.generator.BadRecords;
import io.cxpulse.jobs.validation.RejectReason;
import io.cxpulse.jobs.validation.SurveyResponseValidator;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DecodeAndValidateFunctionTest {

  private static final EventDescriptor<SurveyResponse> SURVEYS =
      EventDescriptor.of(
          SurveyResponse.class,
          EventDecoder::surveys,
          SurveyResponse::getEventId,
          SurveyResponse::getEventTime);

  /** Kafka timestamp of the test records: the time the sample events are valid against. */
  private static final Instant KAFKA_TIME = TestEvents.NOW;

  /** A processing time far from the Kafka timestamps, to show which one is the reference. */
  private static final Instant PROCESSING_TIME = Instant.parse("2030-01-01T00:00:00Z");

  private final HarnessMetrics metrics = new HarnessMetrics();
  private OneInputStreamOperatorTestHarness<RawRecord, DecodedEvent<SurveyResponse>> harness;

  @BeforeEach
  void setUp() throws Exception {
    harness =
        new OneInputStreamOperatorTestHarness<>(
            new ProcessOperator<>(
                new DecodeAndValidateFunction<>(
                    SURVEYS, new SurveyResponseValidator(Duration.ofHours(1)))),
            metrics.environment());
    harness.open();
    harness.setProcessingTime(PROCESSING_TIME.toEpochMilli());
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  @Test
  void validEventIsForwardedWithItsSource() throws Exception {
    SurveyResponse event = TestEvents.survey().build();
    RawRecord raw = RawRecords.of(event, 7, KAFKA_TIME);

    harness.processElement(raw, KAFKA_TIME.toEpochMilli());

    assertThat(harness.extractOutputValues()).containsExactly(new DecodedEvent<>(event, raw));
    assertThat(deadLetters()).isEmpty();
    assertThat(metrics.count(PipelineMetrics.RECORDS_IN)).isEqualTo(1);
  }

  @Test
  void eachBadClassIsDeadLetteredWithReasonAndSource() throws Exception {
    byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);
    byte[] unknownSchema = unknownFingerprint();
    byte[] blankSegment = RawRecords.encode(TestEvents.survey().setSegment(" ").build());
    byte[] scoreOutOfRange = RawRecords.encode(TestEvents.survey().setScore(11).build());
    byte[] future =
        RawRecords.encode(
            TestEvents.survey().setEventTime(KAFKA_TIME.plus(Duration.ofHours(2))).build());

    process(garbage, 10);
    process(null, 11);
    process(unknownSchema, 12);
    process(blankSegment, 13);
    process(scoreOutOfRange, 14);
    process(future, 15);

    assertThat(harness.extractOutputValues()).isEmpty();
    List<DeadLetter> deadLetters = deadLetters();
    assertThat(deadLetters)
        .extracting(DeadLetter::getReason)
        .containsExactly(
            DeadLetterReason.UNDECODABLE,
            DeadLetterReason.UNDECODABLE,
            DeadLetterReason.UNKNOWN_SCHEMA,
            DeadLetterReason.MISSING_FIELD,
            DeadLetterReason.OUT_OF_RANGE,
            DeadLetterReason.FUTURE_EVENT_TIME);
    assertThat(deadLetters)
        .extracting(DeadLetter::getSourceOffset)
        .containsExactly(10L, 11L, 12L, 13L, 14L, 15L);
    assertThat(deadLetters)
        .allSatisfy(
            d -> {
              assertThat(d.getSourceTopic()).isEqualTo(RawRecords.TOPIC);
              assertThat(d.getSourcePartition()).isZero();
              assertThat(d.getDetail()).isNotBlank();
              assertThat(d.getDeadLetteredAt()).isEqualTo(PROCESSING_TIME);
            });

    DeadLetter undecodable = deadLetters.get(0);
    assertThat(undecodable.getRawLength()).isEqualTo(garbage.length);
    assertThat(bytes(undecodable.getRawPrefix())).isEqualTo(garbage);
    assertThat(undecodable.getEventId()).isNull();
    assertThat(undecodable.getEventTime()).isNull();
    assertThat(deadLetters.get(1).getRawLength()).isEqualTo(-1);

    // Decoded but invalid: the event's id and time are kept for whoever investigates.
    DeadLetter outOfRange = deadLetters.get(4);
    assertThat(outOfRange.getEventId()).isEqualTo("evt-s-1");
    assertThat(outOfRange.getEventTime()).isEqualTo(TestEvents.NOW.minusSeconds(30));
    assertThat(outOfRange.getDetail()).contains("score 11");
    assertThat(bytes(outOfRange.getRawPrefix())).isEqualTo(scoreOutOfRange);
  }

  @Test
  void countersReconcile() throws Exception {
    process(RawRecords.encode(TestEvents.survey().build()), 1);
    process(RawRecords.encode(TestEvents.survey().setEventId("evt-2").build()), 2);
    process(new byte[] {1, 2, 3}, 3);
    process(unknownFingerprint(), 4);
    process(RawRecords.encode(TestEvents.survey().setSurveyId("").build()), 5);
    process(RawRecords.encode(TestEvents.survey().setScore(-1).build()), 6);
    process(
        RawRecords.encode(
            TestEvents.survey().setEventTime(KAFKA_TIME.plus(Duration.ofDays(1))).build()),
        7);
    process(
        RawRecords.encode(TestEvents.survey().setEventTime(Instant.ofEpochMilli(-1)).build()), 8);
    process(RawRecords.encode(TestEvents.survey().setSegment("s".repeat(257)).build()), 9);
    process(
        BadRecords.withInvalidUtf8(
            RawRecords.encode(
                TestEvents.survey().setSegment(BadRecords.invalidUtf8Marker()).build())),
        10);

    long in = metrics.count(PipelineMetrics.RECORDS_IN);
    long forwarded = harness.extractOutputValues().size();
    long deadLettered =
        DecodeAndValidateFunction.REASONS.stream()
            .mapToLong(reason -> metrics.count(PipelineMetrics.deadLettered(reason)))
            .sum();
    assertThat(in).isEqualTo(10);
    assertThat(forwarded).isEqualTo(2);
    assertThat(deadLettered).isEqualTo(8).isEqualTo(deadLetters().size());
    assertThat(in).isEqualTo(forwarded + deadLettered);
    for (RejectReason reason : DecodeAndValidateFunction.REASONS) {
      assertThat(metrics.count(PipelineMetrics.deadLettered(reason))).as(reason.name()).isOne();
    }
  }

  @Test
  void futureIsMeasuredAgainstTheKafkaTimestampNotTheClock() throws Exception {
    // Two hours ahead of its Kafka timestamp: rejected although the processing time (2030) is
    // years later; a replay at any time decides the same.
    Instant eventTime = KAFKA_TIME.plus(Duration.ofHours(2));
    process(RawRecords.encode(TestEvents.survey().setEventTime(eventTime).build()), 1);
    // Thirty minutes ahead: accepted, within the one-hour skew.
    process(
        RawRecords.encode(
            TestEvents.survey()
                .setEventId("evt-ok")
                .setEventTime(KAFKA_TIME.plus(Duration.ofMinutes(30)))
                .build()),
        2);

    assertThat(deadLetters())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getReason()).isEqualTo(DeadLetterReason.FUTURE_EVENT_TIME);
              assertThat(d.getEventTime()).isEqualTo(eventTime);
            });
    assertThat(harness.extractOutputValues()).hasSize(1);
  }

  @Test
  void aKafkaTimestampAheadOfTheJobsClockIsNotTrusted() throws Exception {
    // A producer whose clock runs 50 min fast writes event_time and create time 50 min ahead. By
    // its own Kafka timestamp the event is on time; by the job's clock it is 50 min in the future.
    harness.setProcessingTime(KAFKA_TIME.toEpochMilli());
    Instant fast = KAFKA_TIME.plus(Duration.ofMinutes(50));
    SurveyResponseValidator fiveMinutes = new SurveyResponseValidator(Duration.ofMinutes(5));
    try (var strict =
        new OneInputStreamOperatorTestHarness<>(
            new ProcessOperator<>(new DecodeAndValidateFunction<>(SURVEYS, fiveMinutes)),
            new HarnessMetrics().environment())) {
      strict.open();
      strict.setProcessingTime(KAFKA_TIME.toEpochMilli());
      strict.processElement(
          RawRecords.bytes(
              RawRecords.encode(TestEvents.survey().setEventTime(fast).build()), 1, fast),
          fast.toEpochMilli());
      // Four minutes ahead of the clock: within the skew.
      Instant slightlyAhead = KAFKA_TIME.plus(Duration.ofMinutes(4));
      strict.processElement(
          RawRecords.bytes(
              RawRecords.encode(
                  TestEvents.survey().setEventId("evt-ok").setEventTime(slightlyAhead).build()),
              2,
              slightlyAhead),
          slightlyAhead.toEpochMilli());

      assertThat(strict.getSideOutput(DeadLetterOutput.TAG))
          .singleElement()
          .satisfies(
              d -> {
                assertThat(d.getValue().getReason()).isEqualTo(DeadLetterReason.FUTURE_EVENT_TIME);
                assertThat(d.getValue().getSourceOffset()).isEqualTo(1);
                assertThat(d.getValue().getDetail()).contains("PT50M ahead of reference time");
              });
      assertThat(strict.extractOutputValues())
          .extracting(e -> e.getEvent().getEventId())
          .containsExactly("evt-ok");
    }
  }

  @Test
  void aDeadLetterIsBoundedWhateverTheRecordHeld() throws Exception {
    // A 1 MiB event_id with a blank segment: MISSING_FIELD, and the dead letter must still fit the
    // dead-letter topic (it once exceeded the producer's limit and restarted the job in a loop).
    String mebibyteId = "é".repeat(1 << 19);
    byte[] value =
        RawRecords.encode(TestEvents.survey().setEventId(mebibyteId).setSegment(" ").build());
    process(value, 1);

    DeadLetter deadLetter = deadLetters().get(0);
    assertThat(deadLetter.getReason()).isEqualTo(DeadLetterReason.MISSING_FIELD);
    assertThat(deadLetter.getEventId())
        .hasSize(DeadLetters.MAX_EVENT_ID_BYTES / 2 + 1)
        .startsWith("éé")
        .endsWith("…");
    assertThat(deadLetter.getDetail()).startsWith("[event_id cut from 1048576 bytes] segment is");
    assertThat(deadLetter.getRawLength()).isEqualTo(value.length);
    assertThat(deadLetter.getRawPrefix().remaining())
        .isEqualTo(DeadLetters.DEFAULT_MAX_RAW_PREFIX_BYTES);
    assertThat(deadLetter.toByteBuffer().remaining())
        .isLessThanOrEqualTo(DeadLetters.MAX_SERIALIZED_BYTES);
  }

  @Test
  void recordWithoutKafkaTimestampFallsBackToProcessingTime() throws Exception {
    // Valid against the processing time (2030), though far ahead of TestEvents.NOW.
    SurveyResponse event =
        TestEvents.survey().setEventTime(PROCESSING_TIME.minusSeconds(10)).build();
    harness.processElement(new StreamRecord<>(RawRecords.bytes(RawRecords.encode(event), 1, null)));

    assertThat(harness.extractOutputValues()).hasSize(1);
    assertThat(deadLetters()).isEmpty();
  }

  private void process(byte[] value, long offset) throws Exception {
    harness.processElement(RawRecords.bytes(value, offset, KAFKA_TIME), KAFKA_TIME.toEpochMilli());
  }

  private List<DeadLetter> deadLetters() {
    return harness.getSideOutput(DeadLetterOutput.TAG) == null
        ? List.of()
        : harness.getSideOutput(DeadLetterOutput.TAG).stream().map(StreamRecord::getValue).toList();
  }

  /** A well-formed single-object header with a fingerprint no schema has, then some body. */
  private static byte[] unknownFingerprint() {
    ByteBuffer buffer = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
    buffer.put((byte) 0xC3).put((byte) 0x01).putLong(0x0123456789ABCDEFL);
    byte[] body = new byte[10];
    Arrays.fill(body, (byte) 2);
    buffer.put(body);
    return buffer.array();
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer view = buffer.duplicate();
    byte[] bytes = new byte[view.remaining()];
    view.get(bytes);
    return bytes;
  }
}
