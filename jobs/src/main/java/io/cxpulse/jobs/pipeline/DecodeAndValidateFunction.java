package io.cxpulse.jobs.pipeline;

import io.cxpulse.jobs.validation.EventValidator;
import io.cxpulse.jobs.validation.RejectReason;
import java.util.EnumSet;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The {@link RecordGate} as an operator, for a stream of {@link RawRecord}s from any source but
 * Kafka (Kafka's source runs the gate itself, see {@link GatingDeserializationSchema}): admitted
 * events go on as {@link DecodedEvent}s, every rejected record goes to {@link
 * DeadLetterOutput#TAG}.
 *
 * <p>Counts {@value PipelineMetrics#RECORDS_IN} and one {@code deadLettered_<REASON>} counter per
 * reason of {@link RecordGate#REASONS} (see {@link PipelineMetrics}).
 *
 * @param <T> the generated Avro record type
 */
public class DecodeAndValidateFunction<T extends SpecificRecord>
    extends ProcessFunction<RawRecord, DecodedEvent<T>> {

  private static final long serialVersionUID = 2L;

  /** The reasons this function decides: the gate's. */
  public static final EnumSet<RejectReason> REASONS = RecordGate.REASONS;

  private final EventDescriptor<T> descriptor;
  private final EventValidator<T> validator;

  private transient RecordGate<T> gate;
  private transient GateMetrics metrics;

  public DecodeAndValidateFunction(EventDescriptor<T> descriptor, EventValidator<T> validator) {
    this.descriptor = descriptor;
    this.validator = validator;
  }

  @Override
  public void open(OpenContext openContext) {
    // This class's loader is the user-code class loader, which sees the schemas/ resources of the
    // job jar.
    gate = new RecordGate<>(descriptor, validator, getClass().getClassLoader());
    metrics = new GateMetrics(getRuntimeContext().getMetricGroup());
  }

  @Override
  public void processElement(RawRecord raw, Context ctx, Collector<DecodedEvent<T>> out) {
    GateOutcome<T> outcome = gate.admit(raw, ctx.timerService().currentProcessingTime());
    metrics.count(outcome);
    if (outcome.isAdmitted()) {
      out.collect(outcome.getAdmitted());
    } else {
      ctx.output(DeadLetterOutput.TAG, outcome.getRejected());
    }
  }
}
