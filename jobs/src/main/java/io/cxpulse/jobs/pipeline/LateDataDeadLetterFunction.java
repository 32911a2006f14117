package io.cxpulse.jobs.pipeline;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.jobs.validation.RejectReason;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The safety net behind {@link DedupAndLatenessFunction}: turns the window operator's late-data
 * side output into {@code TOO_LATE} dead letters, so an event the window drops is still accounted
 * for.
 *
 * <p>Normally nothing arrives here, because lateness is decided upstream with the window's own
 * rule. It can happen when an idle input resumes: the window operator's watermark may then be ahead
 * of the one the event was judged against. Such an event was already counted in {@value
 * PipelineMetrics#RECORDS_COUNTED}, so this function decrements that counter (in its own operator's
 * metric group) as it increments {@code deadLettered_TOO_LATE}; the job-wide sums keep reconciling.
 * The first such event per subtask is logged as a warning; raise the idleness timeout or the
 * allowed lateness if it recurs.
 *
 * @param <T> the generated Avro record type
 */
public class LateDataDeadLetterFunction<T extends SpecificRecord>
    extends ProcessFunction<DecodedEvent<T>, DeadLetter> {

  private static final long serialVersionUID = 1L;

  private static final Logger LOG = LoggerFactory.getLogger(LateDataDeadLetterFunction.class);

  private final EventDescriptor<T> descriptor;

  private transient Counter recordsCounted;
  private transient Counter tooLate;
  private transient boolean warned;

  public LateDataDeadLetterFunction(EventDescriptor<T> descriptor) {
    this.descriptor = descriptor;
  }

  @Override
  public void open(OpenContext openContext) {
    MetricGroup metrics = getRuntimeContext().getMetricGroup();
    recordsCounted = metrics.counter(PipelineMetrics.RECORDS_COUNTED);
    tooLate = metrics.counter(PipelineMetrics.deadLettered(RejectReason.TOO_LATE));
  }

  @Override
  public void processElement(DecodedEvent<T> decoded, Context ctx, Collector<DeadLetter> out) {
    T event = decoded.getEvent();
    Instant eventTime = descriptor.eventTime(event);
    long watermark = ctx.timerService().currentWatermark();
    if (!warned) {
      warned = true;
      LOG.warn(
          "Window dropped late event {} (event_time {}) from {} after it was counted; the window"
              + " operator's watermark was ahead of the de-duplication operator's, e.g. after an"
              + " idle input resumed. Dead-lettered as TOO_LATE; further cases are not logged.",
          descriptor.eventId(event),
          eventTime,
          decoded.getSource());
    }
    recordsCounted.dec();
    tooLate.inc();
    out.collect(
        DeadLetterOutput.create(
            RejectReason.TOO_LATE,
            "event_time "
                + eventTime
                + " is in a window the window operator had already closed (watermark about "
                + Instant.ofEpochMilli(watermark)
                + "); dropped by the window after passing the lateness check",
            decoded.getSource(),
            ctx.timerService().currentProcessingTime(),
            descriptor.eventId(event),
            eventTime));
  }
}
