package io.cxpulse.jobs.pipeline;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.jobs.codec.AvroLimits;
import io.cxpulse.jobs.codec.DecodeResult;
import io.cxpulse.jobs.codec.EventDecoder;
import io.cxpulse.jobs.codec.SchemaCatalog;
import io.cxpulse.jobs.validation.EventValidator;
import io.cxpulse.jobs.validation.RejectReason;
import io.cxpulse.jobs.validation.ValidationResult;
import java.util.EnumSet;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes and validates each {@link RawRecord}: valid events go on as {@link DecodedEvent}s, every
 * other record goes to {@link DeadLetterOutput#TAG} with its reason ({@code UNDECODABLE}, {@code
 * UNKNOWN_SCHEMA}, {@code MISSING_FIELD}, {@code OUT_OF_RANGE} or {@code FUTURE_EVENT_TIME}),
 * detail, Kafka coordinates and raw prefix. Bad input never throws.
 *
 * <p><b>Reference time.</b> "Too far in the future" is measured against the record's Kafka
 * timestamp, not the wall clock, so a replay of the same records rejects exactly the same ones
 * however long after the fact it runs (with wall-clock time, a replay would accept events that were
 * rejected live, and the other way round). The Kafka timestamp is the producer's create time unless
 * the topic uses {@code message.timestamp.type=LogAppendTime}; a producer whose clock runs ahead
 * therefore also writes a future create time and passes. Brokers bound that with {@code
 * log.message.timestamp.after.max.ms}, or use log-append time on the topic for a broker-clock
 * reference. Only a record without any Kafka timestamp falls back to the operator's processing
 * time.
 *
 * <p>Counts {@value PipelineMetrics#RECORDS_IN} and one {@code deadLettered_<REASON>} counter per
 * reason it can decide (see {@link PipelineMetrics}).
 *
 * @param <T> the generated Avro record type
 */
public class DecodeAndValidateFunction<T extends SpecificRecord>
    extends ProcessFunction<RawRecord, DecodedEvent<T>> {

  private static final long serialVersionUID = 1L;

  static {
    // Before any Avro decoding in this task's JVM: see AvroLimits.
    AvroLimits.install();
  }

  /** The reasons this function decides. */
  public static final EnumSet<RejectReason> REASONS =
      EnumSet.of(
          RejectReason.UNDECODABLE,
          RejectReason.UNKNOWN_SCHEMA,
          RejectReason.MISSING_FIELD,
          RejectReason.OUT_OF_RANGE,
          RejectReason.FUTURE_EVENT_TIME);

  private final EventDescriptor<T> descriptor;
  private final EventValidator<T> validator;

  private transient EventDecoder<T> decoder;
  private transient Counter recordsIn;
  private transient Map<RejectReason, Counter> deadLettered;

  public DecodeAndValidateFunction(EventDescriptor<T> descriptor, EventValidator<T> validator) {
    this.descriptor = descriptor;
    this.validator = validator;
  }

  @Override
  public void open(OpenContext openContext) {
    // This class's loader is the user-code class loader, which sees the schemas/ resources of the
    // job jar.
    decoder =
        descriptor.newDecoder(SchemaCatalog.loadFromClasspath(getClass().getClassLoader()).store());
    MetricGroup metrics = getRuntimeContext().getMetricGroup();
    recordsIn = metrics.counter(PipelineMetrics.RECORDS_IN);
    deadLettered = PipelineMetrics.registerDeadLetterCounters(metrics, REASONS);
  }

  @Override
  public void processElement(RawRecord raw, Context ctx, Collector<DecodedEvent<T>> out) {
    recordsIn.inc();
    DecodeResult<T> decoded = decoder.decode(raw.getValue());
    if (!decoded.isOk()) {
      reject(ctx, decoded.reason(), decoded.detail(), raw, null);
      return;
    }
    T event = decoded.value();
    long referenceTime =
        raw.hasTimestamp() ? raw.getTimestamp() : ctx.timerService().currentProcessingTime();
    ValidationResult validation = validator.validate(event, referenceTime);
    if (!validation.isOk()) {
      reject(ctx, validation.reason(), validation.detail(), raw, event);
      return;
    }
    out.collect(new DecodedEvent<>(event, raw));
  }

  private void reject(Context ctx, RejectReason reason, String detail, RawRecord raw, T event) {
    // A reason outside REASONS would be a validator bug; count it anyway rather than lose it.
    deadLettered
        .computeIfAbsent(
            reason,
            r -> getRuntimeContext().getMetricGroup().counter(PipelineMetrics.deadLettered(r)))
        .inc();
    DeadLetter deadLetter =
        DeadLetterOutput.create(
            reason,
            detail,
            raw,
            ctx.timerService().currentProcessingTime(),
            event == null ? null : descriptor.eventId(event),
            event == null ? null : descriptor.eventTime(event));
    ctx.output(DeadLetterOutput.TAG, deadLetter);
  }
}
