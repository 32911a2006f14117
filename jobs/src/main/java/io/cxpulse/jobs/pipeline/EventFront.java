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
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The front every job puts before its own logic: the source, decode + validate ({@link
 * RecordGate}), event-time watermarks (from admitted events only, so garbage never moves event
 * time; per Kafka partition), de-duplication by event id and the lateness gate. One definition, so
 * that every job applies the same rules with the same counters, names and uids ({@code
 * <prefix>-source}, {@code <prefix>-decode-validate}, {@code <prefix>-watermarks} when not reading
 * Kafka, {@code <prefix>-dedup-lateness}).
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
   * Operator names and uids.
   *
   * @param uidPrefix e.g. {@code ticket}: uids {@code ticket-decode-validate}, …
   * @param singular e.g. {@code ticket}: "ticket event-time watermarks"
   * @param plural e.g. {@code ticket events}: "decode and validate ticket events"
   */
  public record Naming(String uidPrefix, String singular, String plural) {}

  /**
   * Whether the stages after the front learn that every input of the stream is idle.
   *
   * <p>Why it matters: when every partition pauses (a quiet night, a broker restart), Flink marks
   * each keyed channel after the front idle; when traffic resumes, each channel turns active on its
   * own, and a stage that sees one channel's watermark before the other channel is active takes
   * that watermark alone. The other channel's records, read from the same partitions in the same
   * moment, are then behind the stage's watermark: late, or refused from windows already closed
   * (after a broker restart the ticket windows refused facts whose watermark had run an hour ahead
   * through the backlog). A stage whose channels never go idle takes the minimum across them and
   * stays aligned. The front's own watermark still goes on when everything pauses (Flink flushes
   * the highest watermark of its inputs when they all go idle), so nothing after it waits for
   * traffic.
   */
  public enum DownstreamIdleness {
    /**
     * The stream is its job's only input: no stage after the front ever sees an idle input, so they
     * all resume aligned.
     */
    HIDDEN,
    /**
     * The stream meets another stream (a join): the join must follow the other stream while this
     * one has no traffic at all, at the price of the misalignment above on resume.
     */
    ANNOUNCED
  }

  public EventFront {
    Objects.requireNonNull(decoded, "decoded");
    Objects.requireNonNull(counted, "counted");
  }

  /**
   * Adds a source reading {@code input} and the front after it. The source's uid is {@code
   * <uidPrefix>-source}, its name {@code "<plural> source"}.
   *
   * <p>From {@link EventInput.Kafka} the gate runs inside the Kafka source and watermarks are
   * generated per partition (Flink's per-split watermarks) from admitted events only: a partition
   * far behind the others (a backfill) holds the watermark back instead of having its records
   * dropped as too late, and a source subtask without partitions is idle, not holding back. From
   * {@link EventInput.Raw} the gate runs as an operator and watermarks follow it, per subtask.
   *
   * @param eventTime the watermarks' bound and idleness; the window and allowed lateness the
   *     lateness gate measures against
   * @param dedupTtl how long (processing time) an event id is remembered
   * @param idleness whether the stages after the front learn that every input is idle
   */
  public static <T extends SpecificRecord> EventFront<T> apply(
      StreamExecutionEnvironment env,
      EventInput input,
      EventDescriptor<T> descriptor,
      EventValidator<T> validator,
      EventTimeOptions eventTime,
      Duration dedupTtl,
      DownstreamIdleness idleness,
      Naming naming) {
    String sourceName = naming.plural() + " source";
    String sourceUid = naming.uidPrefix() + "-source";
    if (input instanceof EventInput.Raw raw) {
      return apply(
          env.fromSource(
                  raw.source(),
                  WatermarkStrategy.noWatermarks(),
                  sourceName,
                  TypeInformation.of(RawRecord.class))
              .uid(sourceUid),
          descriptor,
          validator,
          eventTime,
          dedupTtl,
          idleness,
          naming);
    }
    EventInput.Kafka kafka = (EventInput.Kafka) input;
    // Shipped to the task managers: capture the bound and the descriptor, not this record.
    Duration outOfOrderness = eventTime.outOfOrderness();
    WatermarkStrategy<GateOutcome<T>> perPartition =
        WatermarkStrategy.<GateOutcome<T>>forGenerator(
                context ->
                    new AdmittedOnlyWatermarks<>(
                        new EagerBoundedOutOfOrderness<>(
                            outOfOrderness, EagerBoundedOutOfOrderness.DEFAULT_STEP)))
            .withTimestampAssigner(
                (outcome, kafkaTimestamp) ->
                    outcome.isAdmitted()
                        ? descriptor.eventTimeMillis(outcome.getAdmitted().getEvent())
                        // Never read: a rejected record goes to the dead letters only.
                        : kafkaTimestamp)
            .withIdleness(eventTime.idleness());
    SingleOutputStreamOperator<DecodedEvent<T>> decoded =
        env.fromSource(
                KafkaConnectors.gatedSource(kafka, descriptor, validator),
                perPartition,
                sourceName,
                GateOutcome.typeInfo(descriptor.type()))
            .uid(sourceUid)
            .process(new RouteGateOutcomes<T>(), DecodedEvent.typeInfo(descriptor.type()))
            .name("route " + naming.plural() + " the gate rejected to dead letters")
            .uid(naming.uidPrefix() + "-decode-validate");
    return new EventFront<>(
        decoded, deduplicate(decoded, descriptor, eventTime, dedupTtl, idleness, naming));
  }

  /**
   * Adds the front after {@code raw}: the gate as an operator, then watermarks per subtask. For
   * sources other than Kafka; see {@link #apply(StreamExecutionEnvironment, EventInput,
   * EventDescriptor, EventValidator, EventTimeOptions, Duration, DownstreamIdleness, Naming)}.
   */
  public static <T extends SpecificRecord> EventFront<T> apply(
      DataStream<RawRecord> raw,
      EventDescriptor<T> descriptor,
      EventValidator<T> validator,
      EventTimeOptions eventTime,
      Duration dedupTtl,
      DownstreamIdleness idleness,
      Naming naming) {
    TypeInformation<DecodedEvent<T>> type = DecodedEvent.typeInfo(descriptor.type());
    // The watermark generator is shipped to the task managers: capture the bound, not the record.
    Duration outOfOrderness = eventTime.outOfOrderness();
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
                    .withIdleness(eventTime.idleness()))
            .name(naming.singular() + " event-time watermarks")
            .uid(naming.uidPrefix() + "-watermarks");
    return new EventFront<>(
        decoded, deduplicate(timestamped, descriptor, eventTime, dedupTtl, idleness, naming));
  }

  private static <T extends SpecificRecord> SingleOutputStreamOperator<DecodedEvent<T>> deduplicate(
      DataStream<DecodedEvent<T>> timestamped,
      EventDescriptor<T> descriptor,
      EventTimeOptions eventTime,
      Duration dedupTtl,
      DownstreamIdleness idleness,
      Naming naming) {
    return timestamped
        .keyBy(new EventIdKeySelector<>(descriptor), Types.STRING)
        .transform(
            "de-duplicate and drop too-late " + naming.plural(),
            DecodedEvent.typeInfo(descriptor.type()),
            new DedupAndLatenessOperator<>(
                new DedupAndLatenessFunction<>(
                    descriptor, eventTime.window(), eventTime.allowedLateness(), dedupTtl),
                idleness))
        .uid(naming.uidPrefix() + "-dedup-lateness");
  }

  /** Admitted events on, rejected records to {@link DeadLetterOutput#TAG}. */
  private static final class RouteGateOutcomes<T>
      extends ProcessFunction<GateOutcome<T>, DecodedEvent<T>> {

    private static final long serialVersionUID = 1L;

    @Override
    public void processElement(
        GateOutcome<T> outcome, Context ctx, Collector<DecodedEvent<T>> out) {
      if (outcome.isAdmitted()) {
        out.collect(outcome.getAdmitted());
      } else {
        ctx.output(DeadLetterOutput.TAG, outcome.getRejected());
      }
    }
  }

  /** Every record the front rejected, as dead letters. */
  public DataStream<DeadLetter> deadLetters() {
    return decoded
        .getSideOutput(DeadLetterOutput.TAG)
        .union(counted.getSideOutput(DeadLetterOutput.TAG));
  }
}
