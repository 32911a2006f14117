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
 * UNKNOWN_SCHEMA}, {@code MISSING_FIELD}, {@code OUT_OF_RANGE}, {@code FUTURE_EVENT_TIME}, {@code
 * IMPLAUSIBLE_EVENT_TIME}, {@code OVERSIZE} or {@code INVALID_TEXT}), detail, Kafka coordinates and
 * raw prefix. Bad input never throws.
 *
 * <p><b>Reference time.</b> "Too far in the future" is measured against the record's Kafka
 * timestamp, or the operator's processing time when that is earlier. The Kafka timestamp makes a
 * replay deterministic: replayed later, the same records are rejected exactly as they were live,
 * because the processing time is then later than every timestamp. The processing time stops a
 * producer whose clock runs ahead: its Kafka create time runs ahead as well and proves nothing, and
 * without the bound a few such records (one per partition) would move the watermark for every other
 * producer and hold their windows back. Only a record without any Kafka timestamp uses the
 * processing time alone.
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
          RejectReason.FUTURE_EVENT_TIME,
          RejectReason.IMPLAUSIBLE_EVENT_TIME,
          RejectReason.OVERSIZE,
          RejectReason.INVALID_TEXT);

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
    long now = ctx.timerService().currentProcessingTime();
    long referenceTime = raw.hasTimestamp() ? Math.min(raw.getTimestamp(), now) : now;
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
