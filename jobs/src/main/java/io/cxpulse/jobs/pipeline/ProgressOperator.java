package io.cxpulse.jobs.pipeline;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
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
 * <p>A record is published only once the rows it vouches for are in ClickHouse: the progress of a
 * watermark waits for the first checkpoint whose barrier follows it, and goes out when that
 * checkpoint completes. Why: the rows and the progress records go to two sinks, each flushing its
 * batch on its own timer, so a record sent at once could land before the rows of the window it says
 * is complete (measured in local mode: {@code complete_before} past a minute whose 32 rows were
 * still in the window sink's batch, inserted 0.3 s later), and a reader of {@code is_complete}
 * would take a missing or half-written minute for a done one. Every sink writes its batch before it
 * lets a checkpoint's barrier pass, so a completed checkpoint means every row emitted before its
 * barrier is in. A later checkpoint's completion also publishes what an aborted one held; the end
 * of input publishes the newest record at once (the sinks write their last batches as the job
 * ends).
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

  /** The newest watermark that completed or finalised a window since the last barrier, or null. */
  private transient Long sinceLastBarrier;

  /** By checkpoint id: the progress as of its barrier, published once that checkpoint completes. */
  private transient NavigableMap<Long, Progress> awaitingCheckpoint;

  /** What a progress record says: a watermark, and the run's first window at that time. */
  private record Progress(long watermark, Instant runFirstWindow) {}

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
    if (sinceLastBarrier != null) {
      awaitingCheckpoint.put(
          context.getCheckpointId(), new Progress(sinceLastBarrier, runFirstWindow));
      sinceLastBarrier = null;
    }
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) throws Exception {
    super.notifyCheckpointComplete(checkpointId);
    Map.Entry<Long, Progress> newest = awaitingCheckpoint.floorEntry(checkpointId);
    if (newest != null) {
      publish(newest.getValue());
      awaitingCheckpoint.headMap(checkpointId, true).clear();
    }
  }

  @Override
  public void finish() throws Exception {
    if (sinceLastBarrier != null) {
      publish(new Progress(sinceLastBarrier, runFirstWindow));
    } else if (!awaitingCheckpoint.isEmpty()) {
      publish(awaitingCheckpoint.lastEntry().getValue());
    }
    sinceLastBarrier = null;
    awaitingCheckpoint.clear();
    super.finish();
  }

  @Override
  public void open() throws Exception {
    super.open();
    lastComplete = Long.MIN_VALUE;
    lastFinal = Long.MIN_VALUE;
    awaitingCheckpoint = new TreeMap<>();
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
        sinceLastBarrier = watermark;
      }
    }
    super.processWatermark(mark);
  }

  private void publish(Progress progress) {
    output.collect(
        new StreamRecord<>(
            spec.row(
                progress.watermark(),
                getProcessingTimeService().getCurrentProcessingTime(),
                progress.runFirstWindow())));
  }
}
