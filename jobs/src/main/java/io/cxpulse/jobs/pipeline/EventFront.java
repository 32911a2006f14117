package io.cxpulse.jobs.pipeline;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.jobs.validation.EventValidator;
import java.time.Duration;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The front every job puts before its own logic: decode + validate, event-time watermarks (after
 * validation, so garbage never moves event time), de-duplication by event id and the lateness gate.
 * One definition, so that every job applies the same rules with the same counters, names and uids
 * ({@code <prefix>-decode-validate}, {@code <prefix>-watermarks}, {@code <prefix>-dedup-lateness}).
 *
 * @param decoded the decoded, valid events; its side output {@link DeadLetterOutput#TAG} holds the
 *     undecodable and invalid records
 * @param counted the events past de-duplication and the lateness gate, with event-time timestamps;
 *     its side output holds the duplicates and the too-late ones
 * @param <T> the event type
 */
public record EventFront<T extends SpecificRecord>(
    SingleOutputStreamOperator<DecodedEvent<T>> decoded,
    SingleOutputStreamOperator<DecodedEvent<T>> counted) {

  /**
   * The timing of the front.
   *
   * @param window the tumbling window size the lateness gate measures against
   * @param outOfOrderness the watermark's out-of-orderness bound
   * @param idleness after how long without events an input stops holding back the watermark
   * @param allowedLateness how long after its window's end an event still passes
   * @param dedupTtl how long (processing time) an event id is remembered
   */
  public record Timing(
      Duration window,
      Duration outOfOrderness,
      Duration idleness,
      Duration allowedLateness,
      Duration dedupTtl) {}

  /**
   * Operator names and uids.
   *
   * @param uidPrefix e.g. {@code ticket}: uids {@code ticket-decode-validate}, …
   * @param singular e.g. {@code ticket}: "ticket event-time watermarks"
   * @param plural e.g. {@code ticket events}: "decode and validate ticket events"
   */
  public record Naming(String uidPrefix, String singular, String plural) {}

  public EventFront {
    Objects.requireNonNull(decoded, "decoded");
    Objects.requireNonNull(counted, "counted");
  }

  /** Adds the front after {@code raw}. */
  public static <T extends SpecificRecord> EventFront<T> apply(
      DataStream<RawRecord> raw,
      EventDescriptor<T> descriptor,
      EventValidator<T> validator,
      Timing timing,
      Naming naming) {
    TypeInformation<DecodedEvent<T>> type = DecodedEvent.typeInfo(descriptor.type());
    // The watermark generator is shipped to the task managers: capture the bound, not the record.
    Duration outOfOrderness = timing.outOfOrderness();
    SingleOutputStreamOperator<DecodedEvent<T>> decoded =
        raw.process(new DecodeAndValidateFunction<>(descriptor, validator), type)
            .name("decode and validate " + naming.plural())
            .uid(naming.uidPrefix() + "-decode-validate");

    DataStream<DecodedEvent<T>> timestamped =
        decoded
            .assignTimestampsAndWatermarks(
                WatermarkStrategy.<DecodedEvent<T>>forGenerator(
                        context ->
                            new EagerBoundedOutOfOrderness<>(
                                outOfOrderness, EagerBoundedOutOfOrderness.DEFAULT_STEP))
                    .withTimestampAssigner(
                        (event, kafkaTimestamp) -> descriptor.eventTimeMillis(event.getEvent()))
                    .withIdleness(timing.idleness()))
            .name(naming.singular() + " event-time watermarks")
            .uid(naming.uidPrefix() + "-watermarks");

    SingleOutputStreamOperator<DecodedEvent<T>> counted =
        timestamped
            .keyBy(new EventIdKeySelector<>(descriptor), Types.STRING)
            .process(
                new DedupAndLatenessFunction<>(
                    descriptor, timing.window(), timing.allowedLateness(), timing.dedupTtl()),
                type)
            .name("de-duplicate and drop too-late " + naming.plural())
            .uid(naming.uidPrefix() + "-dedup-lateness");
    return new EventFront<>(decoded, counted);
  }

  /** Every record the front rejected, as dead letters. */
  public DataStream<DeadLetter> deadLetters() {
    return decoded
        .getSideOutput(DeadLetterOutput.TAG)
        .union(counted.getSideOutput(DeadLetterOutput.TAG));
  }
}
