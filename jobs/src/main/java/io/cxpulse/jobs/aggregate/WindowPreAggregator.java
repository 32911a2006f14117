package io.cxpulse.jobs.aggregate;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Phase one of {@link WindowAggregation}: adds the records of one salted window key into a partial
 * and flushes it to the merger on event time.
 *
 * <p>The partial holds only what arrived since the last flush and is cleared by it, so this
 * operator's state is one small delta per salted key with unflushed records, whatever the
 * retention. Exactly one event-time timer is pending while the partial is non-empty: at the
 * window's last millisecond for a window still open, else at the next watermark. A partial of a
 * window the watermark has closed (a correction) also has a processing-time timer at the next
 * {@link WindowAggregation#CORRECTION_TICK}, in case no watermark rise comes (see there); it
 * flushes only closed windows, and emits without a timestamp, which tells the merger so.
 *
 * <p>A record is too late when the watermark has reached its window's last millisecond plus the
 * retention, the rule of Flink's window operator with allowed lateness; it goes to the side output.
 */
final class WindowPreAggregator<IN, C extends WindowComponents<C>>
    extends KeyedProcessFunction<WindowKey, IN, Tuple2<WindowKey, C>> {

  private static final long serialVersionUID = 1L;

  /** Keyed state: the partial not yet flushed. */
  static final String PARTIAL_STATE = "window-partial";

  /** Counter: records sent to the too-late side output. */
  static final String TOO_LATE = "windowRecordsTooLate";

  private final long windowMillis;
  private final long retentionMillis;
  private final long tickMillis = WindowAggregation.CORRECTION_TICK.toMillis();
  private final WindowAggregation.ComponentsFactory<C> componentsFactory;
  private final WindowAggregation.Adder<IN, C> adder;
  // Declared with the function, not in open(): the job graph carries them, and NoKryoTest
  // checks every state type reachable from it.
  private final ValueStateDescriptor<C> partialState;
  private final OutputTag<IN> tooLate;

  private transient ValueState<C> partial;
  private transient Counter tooLateRecords;

  WindowPreAggregator(
      long windowMillis,
      long retentionMillis,
      WindowAggregation.ComponentsFactory<C> componentsFactory,
      WindowAggregation.Adder<IN, C> adder,
      TypeInformation<C> componentsType,
      OutputTag<IN> tooLate) {
    this.windowMillis = windowMillis;
    this.retentionMillis = retentionMillis;
    this.componentsFactory = componentsFactory;
    this.adder = adder;
    this.partialState = new ValueStateDescriptor<>(PARTIAL_STATE, componentsType);
    this.tooLate = tooLate;
  }

  @Override
  public void open(OpenContext openContext) {
    partial = getRuntimeContext().getState(partialState);
    tooLateRecords = getRuntimeContext().getMetricGroup().counter(TOO_LATE);
  }

  @Override
  public void processElement(IN record, Context ctx, Collector<Tuple2<WindowKey, C>> out)
      throws Exception {
    long windowMax = windowMax(ctx.getCurrentKey(), windowMillis);
    long watermark = ctx.timerService().currentWatermark();
    if (saturatedAdd(windowMax, retentionMillis) <= watermark) {
      tooLateRecords.inc();
      ctx.output(tooLate, record);
      return;
    }
    C components = partial.value();
    if (components == null) {
      components = componentsFactory.create();
      // The first record since the last flush: the one timer, at the window's end or, when that
      // has passed, at the next watermark (an event-time timer in the past fires on the next one).
      ctx.timerService().registerEventTimeTimer(Math.max(windowMax, watermark + 1));
      if (windowMax <= watermark) {
        ctx.timerService()
            .registerProcessingTimeTimer(
                nextTick(ctx.timerService().currentProcessingTime(), tickMillis));
      }
    }
    adder.add(components, record);
    partial.update(components);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Tuple2<WindowKey, C>> out)
      throws Exception {
    if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME
        && windowMax(ctx.getCurrentKey(), windowMillis) > ctx.timerService().currentWatermark()) {
      // Not a correction: after a restore the watermark starts over, and the window's own
      // event-time timer flushes the partial when the window closes.
      return;
    }
    C components = partial.value();
    if (components != null) {
      out.collect(Tuple2.of(ctx.getCurrentKey().unsalted(), components));
      partial.clear();
    }
  }

  /** The first multiple of {@code tickMillis} after {@code now}: ticks shared by all keys. */
  static long nextTick(long now, long tickMillis) {
    return (now / tickMillis + 1) * tickMillis;
  }

  /** The window's last millisecond: the watermark has closed the window once it reaches this. */
  static long windowMax(WindowKey key, long windowMillis) {
    return key.getWindowStart() + windowMillis - 1;
  }

  static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return sum < a ? Long.MAX_VALUE : sum;
  }
}
