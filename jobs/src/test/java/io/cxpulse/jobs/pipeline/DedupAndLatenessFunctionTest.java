package io.cxpulse.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.events.DeadLetterReason;
import io.cxpulse.events.SurveyResponse;
import io.cxpulse.jobs.TestEvents;
import io.cxpulse.jobs.codec.EventDecoder;
import io.cxpulse.jobs.validation.RejectReason;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DedupAndLatenessFunctionTest {

  private static final EventDescriptor<SurveyResponse> SURVEYS =
      EventDescriptor.of(
          SurveyResponse.class,
          EventDecoder::surveys,
          SurveyResponse::getEventId,
          SurveyResponse::getEventTime);

  private static final Duration WINDOW = Duration.ofMinutes(1);
  private static final Duration ALLOWED_LATENESS = Duration.ofMinutes(10);
  private static final Duration TTL = Duration.ofHours(24);

  /** Window [12:00, 12:01) of 2025-06-01. */
  private static final Instant WINDOW_START = Instant.parse("2025-06-01T12:00:00Z");

  private static final Instant WINDOW_END = WINDOW_START.plus(WINDOW);

  private final HarnessMetrics metrics = new HarnessMetrics();
  private KeyedOneInputStreamOperatorTestHarness<
          String, DecodedEvent<SurveyResponse>, DecodedEvent<SurveyResponse>>
      harness;
  private long offset;

  @BeforeEach
  void setUp() throws Exception {
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new DedupAndLatenessOperator<>(
                new DedupAndLatenessFunction<>(SURVEYS, WINDOW, ALLOWED_LATENESS, TTL),
                EventFront.DownstreamIdleness.HIDDEN),
            new EventIdKeySelector<>(SURVEYS),
            Types.STRING,
            metrics.environment());
    harness.open();
    harness.setProcessingTime(0);
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  @Test
  void secondSightingIsDuplicate() throws Exception {
    process("evt-1", WINDOW_START.plusSeconds(10));
    process("evt-1", WINDOW_START.plusSeconds(10));
    process("evt-2", WINDOW_START.plusSeconds(20));

    assertThat(forwardedIds()).containsExactly("evt-1", "evt-2");
    assertThat(deadLetters())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getReason()).isEqualTo(DeadLetterReason.DUPLICATE);
              assertThat(d.getEventId()).isEqualTo("evt-1");
              assertThat(d.getSourceOffset()).isEqualTo(1L);
              assertThat(d.getDetail()).contains("evt-1");
            });
    assertThat(metrics.count(PipelineMetrics.RECORDS_COUNTED)).isEqualTo(2);
    assertThat(metrics.count(PipelineMetrics.deadLettered(RejectReason.DUPLICATE))).isOne();
  }

  /**
   * The TTL is processing time: an event_id is remembered for the TTL after its first sighting, and
   * a redelivery after that is counted again.
   */
  @Test
  void eventIdIsForgottenAfterTheTtl() throws Exception {
    process("evt-1", WINDOW_START.plusSeconds(10));

    harness.setProcessingTime(TTL.toMillis() - 1);
    process("evt-1", WINDOW_START.plusSeconds(10));
    assertThat(deadLetters()).hasSize(1);

    harness.setProcessingTime(TTL.toMillis());
    process("evt-1", WINDOW_START.plusSeconds(10));

    assertThat(forwardedIds()).containsExactly("evt-1", "evt-1");
    assertThat(deadLetters()).hasSize(1);
  }

  /**
   * The record path only reads and writes first sightings; ids leave the state in bulk, by a sweep
   * every TTL / {@value DedupAndLatenessOperator#SWEEPS_PER_TTL}.
   */
  @Test
  void aSweepRemovesEveryIdSeenATtlAgoAndKeepsTheRest() throws Exception {
    long ttl = TTL.toMillis();
    process("evt-old", WINDOW_START.plusSeconds(10));
    harness.setProcessingTime(ttl / 2);
    process("evt-new", WINDOW_START.plusSeconds(20));
    harness.setProcessingTime(ttl - 1);
    assertThat(harness.numKeyedStateEntries()).isEqualTo(2);

    // The sweep at the TTL removes the id first seen at 0 only.
    harness.setProcessingTime(ttl);
    assertThat(harness.numKeyedStateEntries()).isOne();
    process("evt-new", WINDOW_START.plusSeconds(20));
    assertThat(deadLetters()).extracting(DeadLetter::getEventId).containsExactly("evt-new");

    // The sweep at 1.5 TTL removes the other, whose duplicate did not renew it.
    harness.setProcessingTime(ttl + ttl / 2);
    assertThat(harness.numKeyedStateEntries()).isZero();
    process("evt-new", WINDOW_START.plusSeconds(20));
    assertThat(forwardedIds()).containsExactly("evt-old", "evt-new", "evt-new");
  }

  @Test
  void lateEventWithinAllowedLatenessIsForwarded() throws Exception {
    // The window has fired (watermark past its end) but is within its allowed lateness.
    harness.processWatermark(WINDOW_END.plus(ALLOWED_LATENESS).toEpochMilli() - 2);
    process("evt-late", WINDOW_START.plusSeconds(30));

    assertThat(forwardedIds()).containsExactly("evt-late");
    assertThat(deadLetters()).isEmpty();
  }

  @Test
  void eventBeyondAllowedLatenessIsTooLate() throws Exception {
    // windowEnd - 1 + allowedLateness == watermark: the window operator purges at this watermark.
    long watermark = WINDOW_END.plus(ALLOWED_LATENESS).toEpochMilli() - 1;
    harness.processWatermark(watermark);
    Instant eventTime = WINDOW_START.plusSeconds(30);
    process("evt-too-late", eventTime);
    // The next window is still open.
    process("evt-next-window", WINDOW_END.plusSeconds(1));

    assertThat(forwardedIds()).containsExactly("evt-next-window");
    assertThat(deadLetters())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getReason()).isEqualTo(DeadLetterReason.TOO_LATE);
              assertThat(d.getEventTime()).isEqualTo(eventTime);
              assertThat(d.getEventId()).isEqualTo("evt-too-late");
              assertThat(d.getDetail()).contains("2025-06-01T12:00:00Z").contains("PT10M");
            });
    assertThat(metrics.count(PipelineMetrics.RECORDS_COUNTED)).isOne();
    assertThat(metrics.count(PipelineMetrics.deadLettered(RejectReason.TOO_LATE))).isOne();
  }

  @Test
  void tooLateMatchesTheWindowOperatorsCleanupRule() {
    long window = WINDOW.toMillis();
    long lateness = ALLOWED_LATENESS.toMillis();
    long start = WINDOW_START.toEpochMilli();
    long cleanup = start + window - 1 + lateness;
    // First and last millisecond of the window share its cleanup time.
    for (long timestamp : new long[] {start, start + window - 1}) {
      assertThat(DedupAndLatenessFunction.isTooLate(timestamp, cleanup - 1, window, lateness))
          .isFalse();
      assertThat(DedupAndLatenessFunction.isTooLate(timestamp, cleanup, window, lateness)).isTrue();
    }
    assertThat(DedupAndLatenessFunction.isTooLate(start, Long.MIN_VALUE, window, lateness))
        .isFalse();
    assertThat(DedupAndLatenessFunction.isTooLate(start, cleanup, window, Long.MAX_VALUE))
        .as("overflowing cleanup time means never")
        .isFalse();
    // Without allowed lateness, late means the watermark reached the window's last millisecond.
    assertThat(DedupAndLatenessFunction.isTooLate(start, start + window - 2, window, 0)).isFalse();
    assertThat(DedupAndLatenessFunction.isTooLate(start, start + window - 1, window, 0)).isTrue();
  }

  @Test
  void tooLateEventIsRememberedSoItsRedeliveryIsADuplicate() throws Exception {
    harness.processWatermark(WINDOW_END.plus(ALLOWED_LATENESS).toEpochMilli());
    process("evt-1", WINDOW_START.plusSeconds(1));
    process("evt-1", WINDOW_START.plusSeconds(1));

    assertThat(deadLetters())
        .extracting(DeadLetter::getReason)
        .containsExactly(DeadLetterReason.TOO_LATE, DeadLetterReason.DUPLICATE);
    assertThat(forwardedIds()).isEmpty();
  }

  private void process(String eventId, Instant eventTime) throws Exception {
    SurveyResponse event = TestEvents.survey().setEventId(eventId).setEventTime(eventTime).build();
    RawRecord raw = RawRecords.of(event, offset++, eventTime.plusSeconds(1));
    harness.processElement(new DecodedEvent<>(event, raw), eventTime.toEpochMilli());
  }

  private List<String> forwardedIds() {
    return harness.extractOutputValues().stream().map(e -> e.getEvent().getEventId()).toList();
  }

  private List<DeadLetter> deadLetters() {
    return harness.getSideOutput(DeadLetterOutput.TAG) == null
        ? List.of()
        : harness.getSideOutput(DeadLetterOutput.TAG).stream().map(StreamRecord::getValue).toList();
  }
}
