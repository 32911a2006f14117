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
import org.apache.avro.specific.SpecificRecord;

/**
 * The gate every record passes first: decode the value, validate the event, and say what became of
 * it — a {@link DecodedEvent} to count, or a {@link DeadLetter} with its reason ({@code
 * UNDECODABLE}, {@code UNKNOWN_SCHEMA}, {@code MISSING_FIELD}, {@code OUT_OF_RANGE}, {@code
 * FUTURE_EVENT_TIME}, {@code IMPLAUSIBLE_EVENT_TIME}, {@code OVERSIZE} or {@code INVALID_TEXT}),
 * detail, Kafka coordinates and raw prefix. Bad input never throws.
 *
 * <p>One rule, two places it runs: inside the Kafka source's deserializer ({@link
 * GatingDeserializationSchema}), so that watermarks are generated per partition from admitted
 * events only, and as an operator after any other source of raw records ({@link
 * DecodeAndValidateFunction}).
 *
 * <p><b>Reference time.</b> "Too far in the future" is measured against the record's Kafka
 * timestamp, or the processing time when that is earlier. The Kafka timestamp makes a replay
 * deterministic: replayed later, the same records are rejected exactly as they were live, because
 * the processing time is then later than every timestamp. The processing time stops a producer
 * whose clock runs ahead: its Kafka create time runs ahead as well and proves nothing, and without
 * the bound a few such records would move the watermark for every other producer and hold their
 * windows back. Only a record without any Kafka timestamp uses the processing time alone.
 *
 * @param <T> the generated Avro record type
 */
public final class RecordGate<T extends SpecificRecord> {

  static {
    // Before any Avro decoding in this JVM: see AvroLimits.
    AvroLimits.install();
  }

  /** The reasons the gate decides. */
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
  private final EventDecoder<T> decoder;

  /**
   * A gate whose decoder reads the writer schemas {@code classLoader} sees ({@code schemas/} of the
   * job jar: pass the user-code class loader).
   */
  public RecordGate(
      EventDescriptor<T> descriptor, EventValidator<T> validator, ClassLoader classLoader) {
    this.descriptor = descriptor;
    this.validator = validator;
    this.decoder = descriptor.newDecoder(SchemaCatalog.loadFromClasspath(classLoader).store());
  }

  /**
   * What the gate makes of {@code raw}.
   *
   * @param now the processing time, epoch milliseconds
   */
  public GateOutcome<T> admit(RawRecord raw, long now) {
    DecodeResult<T> decoded = decoder.decode(raw.getValue());
    if (!decoded.isOk()) {
      return reject(decoded.reason(), decoded.detail(), raw, now, null);
    }
    T event = decoded.value();
    long referenceTime = raw.hasTimestamp() ? Math.min(raw.getTimestamp(), now) : now;
    ValidationResult validation = validator.validate(event, referenceTime);
    if (!validation.isOk()) {
      return reject(validation.reason(), validation.detail(), raw, now, event);
    }
    return GateOutcome.admitted(new DecodedEvent<>(event, raw));
  }

  private GateOutcome<T> reject(
      RejectReason reason, String detail, RawRecord raw, long now, T event) {
    return GateOutcome.rejected(
        DeadLetterOutput.create(
            reason,
            detail,
            raw,
            now,
            event == null ? null : descriptor.eventId(event),
            event == null ? null : descriptor.eventTime(event)));
  }
}
