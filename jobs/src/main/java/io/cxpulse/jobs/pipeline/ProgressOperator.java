package io.cxpulse.jobs.pipeline;

import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Turns the watermark into {@link JobProgress.Row}s: one each time another window becomes complete
 * or final, none for the end-of-input watermark (it says nothing about event time). Of the elements
 * (window rows) only the earliest window is kept, as the run's first window (operator state, so a
 * restore keeps it); the watermark is forwarded.
 *
 * <p>An operator rather than a function: only an operator sees watermarks that arrive without an
 * element, which is exactly when a quiet stream's windows complete.
 *
 * @param <T> the type of the rows whose watermark it follows
 */
final class ProgressOperator<T> extends AbstractStreamOperator<JobProgress.Row>
    implements OneInputStreamOperator<T, JobProgress.Row> {

  private static final long serialVersionUID = 1L;

  /** Operator state: the start of the run's first window, epoch ms (empty before its first row). */
  static final String RUN_FIRST_WINDOW_STATE = "run-first-window";

  private final JobProgress.Spec spec;
  private final JobProgress.WindowStart<T> windowStart;
  // Declared with the function, not in open(): the job graph carries them, and NoKryoTest
  // checks every state type reachable from it.
  private final ListStateDescriptor<Long> runFirstWindowDescriptor =
      new ListStateDescriptor<>(RUN_FIRST_WINDOW_STATE, Types.LONG);
  private transient long lastComplete;
  private transient long lastFinal;
  private transient Instant runFirstWindow;
  private transient ListState<Long> runFirstWindowState;

  ProgressOperator(JobProgress.Spec spec, JobProgress.WindowStart<T> windowStart) {
    this.spec = spec;
    this.windowStart = windowStart;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    runFirstWindowState = context.getOperatorStateStore().getListState(runFirstWindowDescriptor);
    for (Long restored : runFirstWindowState.get()) {
      runFirstWindow = Instant.ofEpochMilli(restored);
    }
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    runFirstWindowState.update(
        runFirstWindow == null ? List.of() : List.of(runFirstWindow.toEpochMilli()));
  }

  @Override
  public void open() throws Exception {
    super.open();
    lastComplete = Long.MIN_VALUE;
    lastFinal = Long.MIN_VALUE;
  }

  @Override
  public void processElement(StreamRecord<T> element) {
    // The earliest, not the first to arrive: rows of the merger's subtasks interleave, and late
    // data can re-write a window earlier than any this run wrote (with only this run's part).
    Instant window = windowStart.of(element.getValue());
    if (runFirstWindow == null || window.isBefore(runFirstWindow)) {
      runFirstWindow = window;
    }
  }

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    long watermark = mark.getTimestamp();
    if (watermark != Long.MAX_VALUE && watermark > Long.MIN_VALUE / 2) {
      long complete = spec.completeBefore(watermark);
      long fin = spec.finalBefore(watermark);
      if (complete > lastComplete || fin > lastFinal) {
        lastComplete = complete;
        lastFinal = fin;
        output.collect(
            new StreamRecord<>(
                spec.row(
                    watermark,
                    getProcessingTimeService().getCurrentProcessingTime(),
                    runFirstWindow)));
      }
    }
    super.processWatermark(mark);
  }
}
