package io.cxpulse.jobs.pipeline;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * Bounded out-of-orderness watermarks that advance with the data, not with the wall clock.
 *
 * <p>Flink's own {@code forBoundedOutOfOrderness} emits only on its periodic timer (200 ms by
 * default). When a backlog is read faster than that, how far the watermark lags behind the data
 * depends on processing speed, and so does whether a record counts as too late — a replay could
 * decide differently from the first run. This generator also emits from {@code onEvent} whenever
 * the watermark has advanced by at least {@code step} of event time, so a record's lateness is
 * decided by the records before it (to within {@code step}), on every run. The step bounds the
 * cost: at most one watermark per step of event-time progress.
 */
public final class EagerBoundedOutOfOrderness<T> implements WatermarkGenerator<T> {

  /** Event-time progress between two watermarks emitted from the data. */
  public static final Duration DEFAULT_STEP = Duration.ofSeconds(1);

  private final long outOfOrdernessMillis;
  private final long stepMillis;
  private long maxTimestamp;
  private long lastEmitted = Long.MIN_VALUE;

  public EagerBoundedOutOfOrderness(Duration outOfOrderness, Duration step) {
    if (outOfOrderness.isNegative() || step.isNegative() || step.isZero()) {
      throw new IllegalArgumentException(
          "out-of-orderness must be >= 0 and step > 0, got " + outOfOrderness + " and " + step);
    }
    this.outOfOrdernessMillis = outOfOrderness.toMillis();
    this.stepMillis = step.toMillis();
    // Start so that the first watermark cannot underflow.
    this.maxTimestamp = Long.MIN_VALUE + outOfOrdernessMillis + 1;
  }

  @Override
  public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
    maxTimestamp = Math.max(maxTimestamp, eventTimestamp);
    long candidate = currentWatermark();
    if (lastEmitted == Long.MIN_VALUE || candidate - lastEmitted >= stepMillis) {
      emit(candidate, output);
    }
  }

  @Override
  public void onPeriodicEmit(WatermarkOutput output) {
    long candidate = currentWatermark();
    if (candidate > lastEmitted) {
      emit(candidate, output);
    }
  }

  private long currentWatermark() {
    return maxTimestamp - outOfOrdernessMillis - 1;
  }

  private void emit(long watermark, WatermarkOutput output) {
    lastEmitted = watermark;
    output.emitWatermark(new Watermark(watermark));
  }
}
