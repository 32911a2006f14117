package io.cxpulse.jobs.pipeline;

import io.cxpulse.jobs.validation.RejectReason;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Drops repeated events and events too late for their window, keyed by event_id, and counts what it
 * lets through: the last gate before an event is counted in a metric.
 *
 * <p><b>Duplicates.</b> The first sighting of an event_id is remembered in keyed state with the
 * processing time it was seen; any further sighting less than the TTL (default 24 h) later is
 * dead-lettered as {@code DUPLICATE}. The horizon is "24 h of job time since the first sighting",
 * not 24 h of event time: a redelivery after that is counted again. Every first sighting is
 * remembered, also one then rejected as too late, so its redelivery reads as a duplicate.
 *
 * <p>Why not Flink's state TTL, which this used before: TTL keeps its bookkeeping on every record
 * (a timestamp wrapped around each value, a clock read per access, and on the heap backend an
 * incremental cleanup that walks further entries on every access). The profile put 17 % of
 * the survey graph's samples there, and the benchmark's job graph ran 60 % more events per
 * CPU-second with no expiry at all. Here the record path is one read and, for a first sighting, one
 * write of a {@code long}; expiry is a sweep that {@link DedupAndLatenessOperator} runs over all
 * keys {@value DedupAndLatenessOperator#SWEEPS_PER_TTL} times per TTL, removing every id seen a TTL
 * ago or earlier in one pass: an id is visited a few times in its life instead of on every record,
 * and stays at most 1 + 1/{@value DedupAndLatenessOperator#SWEEPS_PER_TTL} TTL in state. The read
 * still compares the exact time, so what counts as a duplicate is what it was with TTL. Run it
 * through {@link DedupAndLatenessOperator}; without it nothing expires.
 *
 * <p><b>Lateness.</b> Decided here rather than by the window operator so that the decision and the
 * dead letter happen before the event is counted. With tumbling windows of {@code window} and
 * {@code allowedLateness}, an event is too late when
 *
 * <pre>
 * windowEnd(eventTime) - 1 + allowedLateness &lt;= currentWatermark
 * </pre>
 *
 * which is the window operator's own rule ({@code window.maxTimestamp() + allowedLateness <=
 * watermark}: the window's state has been, or is being, purged). This operator's watermark is never
 * behind the downstream window operator's for an event it forwards, as long as no input was idle,
 * so the window accepts whatever passes here. An input that resumes after being idle can see the
 * downstream watermark already ahead, though; the window's late side output goes through {@link
 * LateDataDeadLetterFunction} for that case.
 *
 * <p>Counts {@value PipelineMetrics#RECORDS_COUNTED} per forwarded event and {@code
 * deadLettered_DUPLICATE} and {@code deadLettered_TOO_LATE}.
 *
 * @param <T> the generated Avro record type
 */
public class DedupAndLatenessFunction<T extends SpecificRecord>
    extends KeyedProcessFunction<String, DecodedEvent<T>, DecodedEvent<T>> {

  private static final long serialVersionUID = 1L;

  /** The reasons this function decides. */
  public static final EnumSet<RejectReason> REASONS =
      EnumSet.of(RejectReason.DUPLICATE, RejectReason.TOO_LATE);

  /**
   * Name of the keyed state holding when each event_id was first seen (processing time, epoch
   * milliseconds). Not the TTL state of earlier versions ({@code seen-event-id}): a savepoint of
   * those restores without the ids seen, see {@link DedupAndLatenessOperator}.
   */
  public static final String FIRST_SEEN_STATE = "event-id-first-seen";

  private final EventDescriptor<T> descriptor;
  private final long windowMillis;
  private final long allowedLatenessMillis;
  private final Duration dedupTtl;
  // Declared with the function, not in open(): the job graph carries them, and NoKryoTest
  // checks every state type reachable from it.
  private final ValueStateDescriptor<Long> firstSeenState;

  private transient ValueState<Long> firstSeen;
  private transient Counter recordsCounted;
  private transient Map<RejectReason, Counter> deadLettered;

  /**
   * @param window the size of the downstream tumbling event-time windows (offset 0)
   * @param allowedLateness the downstream window's allowed lateness
   * @param dedupTtl how long (processing time) an event_id is remembered
   */
  public DedupAndLatenessFunction(
      EventDescriptor<T> descriptor, Duration window, Duration allowedLateness, Duration dedupTtl) {
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window must be positive: " + window);
    }
    if (allowedLateness.isNegative()) {
      throw new IllegalArgumentException(
          "allowed lateness must not be negative: " + allowedLateness);
    }
    if (dedupTtl.isNegative() || dedupTtl.isZero()) {
      throw new IllegalArgumentException("dedup TTL must be positive: " + dedupTtl);
    }
    this.descriptor = descriptor;
    this.windowMillis = window.toMillis();
    this.allowedLatenessMillis = allowedLateness.toMillis();
    this.dedupTtl = dedupTtl;
    this.firstSeenState = new ValueStateDescriptor<>(FIRST_SEEN_STATE, Types.LONG);
  }

  /** The keyed state of first sightings, which {@link DedupAndLatenessOperator} sweeps. */
  ValueStateDescriptor<Long> firstSeenState() {
    return firstSeenState;
  }

  /** How long an event_id is remembered. */
  Duration dedupTtl() {
    return dedupTtl;
  }

  /**
   * Whether a first sighting at {@code firstSeenMillis} is forgotten at {@code nowMillis}: as
   * Flink's TTL decided it, expired once the TTL has fully passed.
   */
  boolean isForgotten(long firstSeenMillis, long nowMillis) {
    return firstSeenMillis + dedupTtl.toMillis() <= nowMillis;
  }

  /**
   * Whether an event at {@code timestamp} is too late for its tumbling window of {@code
   * windowMillis} (offset 0) with {@code allowedLatenessMillis}, at {@code watermark}: the window
   * operator's cleanup rule.
   */
  public static boolean isTooLate(
      long timestamp, long watermark, long windowMillis, long allowedLatenessMillis) {
    long windowEnd = TimeWindow.getWindowStartWithOffset(timestamp, 0, windowMillis) + windowMillis;
    long cleanupTime = windowEnd - 1 + allowedLatenessMillis;
    // As the window operator: an overflowing cleanup time means "never".
    if (cleanupTime < windowEnd - 1) {
      cleanupTime = Long.MAX_VALUE;
    }
    return cleanupTime <= watermark;
  }

  @Override
  public void open(OpenContext openContext) {
    firstSeen = getRuntimeContext().getState(firstSeenState);
    MetricGroup metrics = getRuntimeContext().getMetricGroup();
    recordsCounted = metrics.counter(PipelineMetrics.RECORDS_COUNTED);
    deadLettered = PipelineMetrics.registerDeadLetterCounters(metrics, REASONS);
  }

  @Override
  public void processElement(DecodedEvent<T> decoded, Context ctx, Collector<DecodedEvent<T>> out)
      throws Exception {
    T event = decoded.getEvent();
    long timestamp = ctx.timestamp() != null ? ctx.timestamp() : descriptor.eventTimeMillis(event);
    long now = ctx.timerService().currentProcessingTime();
    Long seenAt = firstSeen.value();
    if (seenAt != null && !isForgotten(seenAt, now)) {
      reject(
          ctx,
          decoded,
          RejectReason.DUPLICATE,
          "event_id '" + ctx.getCurrentKey() + "' was already seen within the last " + dedupTtl);
      return;
    }
    firstSeen.update(now);
    long watermark = ctx.timerService().currentWatermark();
    if (isTooLate(timestamp, watermark, windowMillis, allowedLatenessMillis)) {
      long windowStart = TimeWindow.getWindowStartWithOffset(timestamp, 0, windowMillis);
      reject(
          ctx,
          decoded,
          RejectReason.TOO_LATE,
          "event_time "
              + Instant.ofEpochMilli(timestamp)
              + " falls in window ["
              + Instant.ofEpochMilli(windowStart)
              + ", "
              + Instant.ofEpochMilli(windowStart + windowMillis)
              + ") which closed for good at watermark "
              + Instant.ofEpochMilli(watermark)
              + " (allowed lateness "
              + Duration.ofMillis(allowedLatenessMillis)
              + ")");
      return;
    }
    recordsCounted.inc();
    out.collect(decoded);
  }

  private void reject(Context ctx, DecodedEvent<T> decoded, RejectReason reason, String detail) {
    deadLettered.get(reason).inc();
    T event = decoded.getEvent();
    ctx.output(
        DeadLetterOutput.TAG,
        DeadLetterOutput.create(
            reason,
            detail,
            decoded.getSource(),
            ctx.timerService().currentProcessingTime(),
            descriptor.eventId(event),
            descriptor.eventTime(event)));
  }
}
