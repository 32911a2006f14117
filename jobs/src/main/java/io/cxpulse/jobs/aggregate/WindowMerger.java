package io.cxpulse.jobs.aggregate;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Phase two of {@link WindowAggregation}: merges the partials of one window row into its total and
 * emits the row, versioned by the records it absorbed, whenever the total changed.
 *
 * <p>The row is emitted from an event-time timer at the partial's timestamp (the pre-aggregator's
 * flush time), so all partials flushed at the same watermark give one row, and the row is complete
 * for everything before that watermark. The total is kept until the window's last millisecond plus
 * the retention; the pre-aggregator sends nothing for the window after that (see its lateness
 * rule), so a partial arriving later would mean a broken invariant: it is counted and logged, not
 * turned into a row that would understate the total.
 *
 * <p>A partial without a timestamp is a correction the pre-aggregator flushed on processing time
 * because the watermark stalled (see {@link WindowAggregation#CORRECTION_TICK}): its row is emitted
 * at the next tick of processing time, or at the next watermark rise, whichever comes first, and
 * only once the merger's own watermark has closed the window.
 */
final class WindowMerger<C extends WindowComponents<C>, ROW>
    extends KeyedProcessFunction<WindowKey, Tuple2<WindowKey, C>, ROW> {

  private static final long serialVersionUID = 1L;

  private static final Logger LOG = LoggerFactory.getLogger(WindowMerger.class);

  /** Keyed state: the row's total. */
  static final String TOTAL_STATE = "window-total";

  /** Keyed state: the records count (version) of the last row emitted. */
  static final String EMITTED_VERSION_STATE = "window-emitted-version";

  /** Counter: partials that arrived after the row's retention (should stay 0). */
  static final String PARTIALS_AFTER_RETENTION = "windowPartialsAfterRetention";

  private final long windowMillis;
  private final long retentionMillis;
  private final long tickMillis = WindowAggregation.CORRECTION_TICK.toMillis();
  private final WindowAggregation.RowFactory<C, ROW> rowFactory;
  // Declared with the function, not in open(): the job graph carries them, and NoKryoTest
  // checks every state type reachable from it.
  private final ValueStateDescriptor<C> totalState;
  private final ValueStateDescriptor<Long> emittedVersionState =
      new ValueStateDescriptor<>(EMITTED_VERSION_STATE, Types.LONG);

  private transient ValueState<C> total;
  private transient ValueState<Long> emittedVersion;
  private transient Counter partialsAfterRetention;

  WindowMerger(
      long windowMillis,
      long retentionMillis,
      WindowAggregation.RowFactory<C, ROW> rowFactory,
      TypeInformation<C> componentsType) {
    this.windowMillis = windowMillis;
    this.retentionMillis = retentionMillis;
    this.rowFactory = rowFactory;
    this.totalState = new ValueStateDescriptor<>(TOTAL_STATE, componentsType);
  }

  @Override
  public void open(OpenContext openContext) {
    total = getRuntimeContext().getState(totalState);
    emittedVersion = getRuntimeContext().getState(emittedVersionState);
    partialsAfterRetention = getRuntimeContext().getMetricGroup().counter(PARTIALS_AFTER_RETENTION);
  }

  @Override
  public void processElement(Tuple2<WindowKey, C> partial, Context ctx, Collector<ROW> out)
      throws Exception {
    long cleanup = cleanupTime(ctx.getCurrentKey());
    if (cleanup <= ctx.timerService().currentWatermark()) {
      partialsAfterRetention.inc();
      LOG.warn(
          "Dropped a partial of {} ({} records) that arrived after the row's retention",
          ctx.getCurrentKey(),
          partial.f1.records());
      return;
    }
    C merged = total.value();
    if (merged == null) {
      merged = partial.f1;
      ctx.timerService().registerEventTimeTimer(cleanup);
    } else {
      merged.merge(partial.f1);
    }
    total.update(merged);
    Long flushedAt = ctx.timestamp();
    if (flushedAt != null) {
      ctx.timerService().registerEventTimeTimer(Math.min(flushedAt, cleanup));
    } else {
      long watermark = ctx.timerService().currentWatermark();
      long windowMax = WindowPreAggregator.windowMax(ctx.getCurrentKey(), windowMillis);
      ctx.timerService()
          .registerEventTimeTimer(Math.min(Math.max(windowMax, watermark + 1), cleanup));
      ctx.timerService()
          .registerProcessingTimeTimer(
              WindowPreAggregator.nextTick(ctx.timerService().currentProcessingTime(), tickMillis));
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<ROW> out) throws Exception {
    boolean processingTime = ctx.timeDomain() == TimeDomain.PROCESSING_TIME;
    if (processingTime
        && WindowPreAggregator.windowMax(ctx.getCurrentKey(), windowMillis)
            > ctx.timerService().currentWatermark()) {
      // The window is still open here (another pre-aggregator is behind): its own timer emits it.
      return;
    }
    C merged = total.value();
    if (merged == null) {
      return;
    }
    Long emitted = emittedVersion.value();
    if (emitted == null || emitted != merged.records()) {
      WindowKey key = ctx.getCurrentKey();
      out.collect(rowFactory.toRow(key, key.getWindowStart() + windowMillis, merged));
      emittedVersion.update(merged.records());
    }
    if (!processingTime && timestamp >= cleanupTime(ctx.getCurrentKey())) {
      total.clear();
      emittedVersion.clear();
    }
  }

  private long cleanupTime(WindowKey key) {
    return WindowPreAggregator.saturatedAdd(
        WindowPreAggregator.windowMax(key, windowMillis), retentionMillis);
  }
}
