package io.cxpulse.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.CheckoutEvent;
import io.cxpulse.events.DeadLetter;
import io.cxpulse.events.SurveyResponse;
import io.cxpulse.events.TicketEvent;
import io.cxpulse.jobs.codec.DeadLetters;
import io.cxpulse.jobs.codec.EventDecoder;
import io.cxpulse.jobs.codec.Utf8Text;
import io.cxpulse.jobs.pipeline.ExtremeRecords.Generated;
import io.cxpulse.jobs.validation.CheckoutEventValidator;
import io.cxpulse.jobs.validation.EventGate;
import io.cxpulse.jobs.validation.EventValidator;
import io.cxpulse.jobs.validation.RejectReason;
import io.cxpulse.jobs.validation.SurveyResponseValidator;
import io.cxpulse.jobs.validation.TicketEventValidator;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

/**
 * The event gate ({@link DecodeAndValidateFunction} in Flink's operator harness, the job's real
 * decode and validate step) against generated extreme records of all three schemas ({@link
 * ExtremeRecords}): whatever a record holds, the function never throws, the record ends in exactly
 * one place, a dead letter has a decided reason and fits the dead-letter topic and table, and an
 * accepted event is within every bound the rest of the job relies on (so that no window, timer or
 * sum downstream can overflow or land outside ClickHouse's {@code DateTime}).
 *
 * <p>Fixed seed, so that a run is reproducible and CI sees the same records every time; the tries
 * are the budget (about a second for a thousand records on 2 cores).
 */
class EventGatePropertyTest {

  private static final String SEED = "20261202";
  private static final int TRIES = 10_000;

  /** ClickHouse {@code DateTime} (window_start): seconds since 1970 as UInt32. */
  private static final Instant DATETIME_MAX = Instant.ofEpochSecond(0xFFFF_FFFFL);

  private static final Duration WINDOW = Duration.ofMinutes(1);

  private static final AtomicLong TRIED = new AtomicLong();
  private static final AtomicLong ACCEPTED = new AtomicLong();
  private static final Map<RejectReason, AtomicLong> REJECTED =
      new java.util.EnumMap<>(RejectReason.class);

  private static final EventGate GATE = EventGate.DEFAULT;

  // One harness per schema for all tries: opening one loads the schema catalog, which would cost
  // more than the tries themselves. Each try clears the outputs first.
  private static Harness<SurveyResponse> surveys;
  private static Harness<CheckoutEvent> checkouts;
  private static Harness<TicketEvent> tickets;

  @BeforeContainer
  static void open() throws Exception {
    surveys =
        new Harness<>(
            EventDescriptor.of(
                SurveyResponse.class,
                EventDecoder::surveys,
                SurveyResponse::getEventId,
                SurveyResponse::getEventTime),
            new SurveyResponseValidator(GATE));
    checkouts =
        new Harness<>(
            EventDescriptor.of(
                CheckoutEvent.class,
                EventDecoder::checkout,
                CheckoutEvent::getEventId,
                CheckoutEvent::getEventTime),
            new CheckoutEventValidator(GATE));
    tickets =
        new Harness<>(
            EventDescriptor.of(
                TicketEvent.class,
                EventDecoder::tickets,
                TicketEvent::getEventId,
                TicketEvent::getEventTime),
            new TicketEventValidator(GATE));
  }

  @AfterContainer
  static void close() throws Exception {
    surveys.harness.close();
    checkouts.harness.close();
    tickets.harness.close();
    System.out.printf(
        "EventGatePropertyTest: %d generated records tried, %d accepted, rejected %s%n",
        TRIED.get(), ACCEPTED.get(), REJECTED);
  }

  @Provide
  Arbitrary<Generated> records() {
    return ExtremeRecords.anyRecord();
  }

  @Property(tries = TRIES, seed = SEED)
  void everyRecordEndsInExactlyOnePlaceWithinTheBounds(@ForAll("records") Generated record)
      throws Exception {
    TRIED.incrementAndGet();
    // Garbage goes to the survey gate, as it would arrive on the survey topic.
    Harness<?> harness =
        switch (record.schema()) {
          case "CheckoutEvent" -> checkouts;
          case "TicketEvent" -> tickets;
          default -> surveys;
        };
    harness.process(record);

    List<? extends SpecificRecord> accepted = harness.accepted();
    List<DeadLetter> deadLetters = harness.deadLetters();
    assertThat(accepted.size() + deadLetters.size()).as("ends in one place: %s", record).isOne();
    if (accepted.isEmpty()) {
      DeadLetter deadLetter = deadLetters.get(0);
      RejectReason reason = RejectReason.valueOf(deadLetter.getReason().name());
      assertThat(DecodeAndValidateFunction.REASONS).as("reason of %s", record).contains(reason);
      REJECTED.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
      assertFits(deadLetter);
    } else {
      ACCEPTED.incrementAndGet();
      assertWithinBounds(accepted.get(0), record);
    }
  }

  private static void assertFits(DeadLetter deadLetter) throws Exception {
    assertThat(deadLetter.toByteBuffer().remaining())
        .as("dead letter size")
        .isLessThanOrEqualTo(DeadLetters.MAX_SERIALIZED_BYTES);
    if (deadLetter.getEventId() != null) {
      assertThat(Utf8Text.length(deadLetter.getEventId()))
          .isLessThanOrEqualTo(DeadLetters.MAX_EVENT_ID_BYTES + 3);
    }
    // The ClickHouse binding never fails and never sends a time the column cannot hold.
    RecordingStatement statement = new RecordingStatement();
    ClickHouseSinks.deadLetterTable("survey").statement().accept(statement.statement(), deadLetter);
    Object eventTime = statement.parameters().get(8);
    if (eventTime instanceof Instant instant) {
      assertThat(ClickHouseSinks.fitsDateTime64(instant))
          .as("bound event_time %s", instant)
          .isTrue();
    } else {
      assertThat(eventTime).isEqualTo(new RecordingStatement.Null(Types.TIMESTAMP));
    }
  }

  private static void assertWithinBounds(SpecificRecord event, Generated record) {
    Instant eventTime = (Instant) event.get(event.getSchema().getField("event_time").pos());
    long reference =
        record.kafkaTimestamp() == RawRecord.NO_TIMESTAMP
            ? ExtremeRecords.NOW.toEpochMilli()
            : Math.min(record.kafkaTimestamp(), ExtremeRecords.NOW.toEpochMilli());
    assertThat(eventTime)
        .as("event_time of %s", record)
        .isAfterOrEqualTo(GATE.earliestEventTime())
        .isBeforeOrEqualTo(Instant.ofEpochMilli(reference).plus(GATE.maxFutureSkew()));
    long windowStart =
        TimeWindow.getWindowStartWithOffset(eventTime.toEpochMilli(), 0, WINDOW.toMillis());
    assertThat(Instant.ofEpochMilli(windowStart))
        .as("window_start fits ClickHouse DateTime")
        .isAfterOrEqualTo(Instant.EPOCH)
        .isBefore(DATETIME_MAX);
    for (Schema.Field field : event.getSchema().getFields()) {
      if (event.get(field.pos()) instanceof CharSequence text) {
        assertThat(Utf8Text.length(text))
            .as(field.name())
            .isLessThanOrEqualTo(GATE.maxStringBytes());
        assertThat(text.chars())
            .as(field.name())
            .noneMatch(c -> c == 0xFFFD || Character.isISOControl(c));
      }
    }
    if (event instanceof CheckoutEvent checkout) {
      assertThat(checkout.getCartValueMinor())
          .isBetween(0L, CheckoutEventValidator.MAX_CART_VALUE_MINOR);
    }
  }

  /** The decode and validate function of one schema in a harness at the job's clock. */
  private static final class Harness<T extends org.apache.avro.specific.SpecificRecord> {
    final OneInputStreamOperatorTestHarness<RawRecord, DecodedEvent<T>> harness;
    private long offset;

    Harness(EventDescriptor<T> descriptor, EventValidator<T> validator) throws Exception {
      harness =
          new OneInputStreamOperatorTestHarness<>(
              new ProcessOperator<>(new DecodeAndValidateFunction<>(descriptor, validator)),
              new HarnessMetrics().environment());
      harness.open();
      harness.setProcessingTime(ExtremeRecords.NOW.toEpochMilli());
    }

    void process(Generated record) throws Exception {
      harness.getOutput().clear();
      if (harness.getSideOutput(DeadLetterOutput.TAG) != null) {
        harness.getSideOutput(DeadLetterOutput.TAG).clear();
      }
      harness.processElement(
          new StreamRecord<>(
              new RawRecord(
                  RawRecords.TOPIC, 0, offset++, record.kafkaTimestamp(), record.value())));
    }

    List<T> accepted() {
      return harness.extractOutputValues().stream().map(DecodedEvent::getEvent).toList();
    }

    List<DeadLetter> deadLetters() {
      return harness.getSideOutput(DeadLetterOutput.TAG) == null
          ? List.of()
          : harness.getSideOutput(DeadLetterOutput.TAG).stream()
              .map(StreamRecord::getValue)
              .toList();
    }
  }
}
