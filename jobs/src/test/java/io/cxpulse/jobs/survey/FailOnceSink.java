package io.cxpulse.jobs.survey;

import io.cxpulse.jobs.pipeline.ClickHouseSink;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.jdbc.core.datastream.sink.committer.JdbcCommitable;
import org.apache.flink.connector.jdbc.core.datastream.sink.writer.JdbcWriterState;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A production {@link ClickHouseSink} (Flink's JDBC sink) with one failure injected: every call
 * goes to the real sink and its real writer (same writer state, same committer, so the job graph is
 * the production one), except that one {@code write} throws, once per JVM until {@link #reset},
 * when both
 *
 * <ul>
 *   <li>more than {@code failAfterRows} rows have been written (all subtasks together), and
 *   <li>the test has seen at least one completed checkpoint ({@link #checkpointCompleted()}).
 * </ul>
 *
 * <p>The MiniCluster runs in the test's JVM, so the switches are static fields. Until a checkpoint
 * has completed, each row is held back a little, so that a small, fast run cannot end before the
 * failure can be injected. Each writer records the checkpoint it was restored from ({@link
 * WriterInitContext#getRestoredCheckpointId()}), so the test can tell a restore from a checkpoint
 * from a restart from scratch.
 */
final class FailOnceSink<T>
    implements Sink<T>, SupportsWriterState<T, JdbcWriterState>, SupportsCommitter<JdbcCommitable> {

  private static final long serialVersionUID = 1L;

  /** How long a row waits while no checkpoint has completed. */
  private static final long HOLD_BACK_MILLIS = 2;

  private static final AtomicBoolean CHECKPOINT_COMPLETED = new AtomicBoolean();
  private static final AtomicBoolean FAILED = new AtomicBoolean();
  private static final AtomicLong ROWS_WRITTEN = new AtomicLong();
  private static final AtomicLong FAILED_AT_ROW = new AtomicLong(-1);
  private static final ConcurrentLinkedQueue<WriterStart> WRITER_STARTS =
      new ConcurrentLinkedQueue<>();
  private static volatile long failAfterRows = Long.MAX_VALUE;

  /**
   * How a writer started.
   *
   * @param subtask its subtask index
   * @param attempt its attempt number: 0 for the first run, more after restarts
   * @param restoredCheckpointId the checkpoint it was restored from, empty for a fresh start
   */
  record WriterStart(int subtask, int attempt, OptionalLong restoredCheckpointId) {}

  private final ClickHouseSink<T> delegate;

  FailOnceSink(ClickHouseSink<T> delegate) {
    this.delegate = delegate;
  }

  /** Wraps {@code sink}, which must be a {@link ClickHouseSink} (as the production sinks are). */
  @SuppressWarnings("unchecked")
  static <T> FailOnceSink<T> wrap(Sink<T> sink) {
    if (!(sink instanceof ClickHouseSink<?>)) {
      throw new IllegalArgumentException("not a ClickHouseSink: " + sink.getClass());
    }
    return new FailOnceSink<>((ClickHouseSink<T>) sink);
  }

  /** Arms the failure for the next job: after {@code rows} rows and a completed checkpoint. */
  static void reset(long rows) {
    failAfterRows = rows;
    CHECKPOINT_COMPLETED.set(false);
    FAILED.set(false);
    ROWS_WRITTEN.set(0);
    FAILED_AT_ROW.set(-1);
    WRITER_STARTS.clear();
  }

  /** Disarms the failure (and the hold-back), e.g. after the test. */
  static void disarm() {
    failAfterRows = Long.MAX_VALUE;
  }

  /** Tells the writers that a checkpoint of the job has completed. */
  static void checkpointCompleted() {
    CHECKPOINT_COMPLETED.set(true);
  }

  static boolean isCheckpointCompleted() {
    return CHECKPOINT_COMPLETED.get();
  }

  /** Whether the failure was injected. */
  static boolean failed() {
    return FAILED.get();
  }

  /** The number of the row whose write threw, counted over all attempts; -1 if none did. */
  static long failedAtRow() {
    return FAILED_AT_ROW.get();
  }

  /** Rows written over all attempts, including replays. */
  static long rowsWritten() {
    return ROWS_WRITTEN.get();
  }

  static List<WriterStart> writerStarts() {
    return List.copyOf(WRITER_STARTS);
  }

  @Override
  public StatefulSinkWriter<T, JdbcWriterState> createWriter(WriterInitContext context)
      throws IOException {
    return new Writer<>(delegate.createWriter(context), context);
  }

  @Override
  public StatefulSinkWriter<T, JdbcWriterState> restoreWriter(
      WriterInitContext context, Collection<JdbcWriterState> recoveredState) throws IOException {
    return new Writer<>(delegate.restoreWriter(context, recoveredState), context);
  }

  @Override
  public SimpleVersionedSerializer<JdbcWriterState> getWriterStateSerializer() {
    return delegate.getWriterStateSerializer();
  }

  @Override
  public Committer<JdbcCommitable> createCommitter(CommitterInitContext context)
      throws IOException {
    return delegate.createCommitter(context);
  }

  @Override
  public SimpleVersionedSerializer<JdbcCommitable> getCommittableSerializer() {
    return delegate.getCommittableSerializer();
  }

  private static final class Writer<T>
      implements StatefulSinkWriter<T, JdbcWriterState>, CommittingSinkWriter<T, JdbcCommitable> {

    private final ClickHouseSink.Writer<T> delegate;

    Writer(ClickHouseSink.Writer<T> delegate, WriterInitContext context) {
      this.delegate = delegate;
      WRITER_STARTS.add(
          new WriterStart(
              context.getTaskInfo().getIndexOfThisSubtask(),
              context.getTaskInfo().getAttemptNumber(),
              context.getRestoredCheckpointId()));
    }

    @Override
    public void write(T element, Context context) throws IOException, InterruptedException {
      long row = ROWS_WRITTEN.incrementAndGet();
      if (!FAILED.get()) {
        if (CHECKPOINT_COMPLETED.get()) {
          if (row > failAfterRows && FAILED.compareAndSet(false, true)) {
            FAILED_AT_ROW.set(row);
            throw new IOException("injected failure at window row " + row);
          }
        } else if (failAfterRows != Long.MAX_VALUE) {
          Thread.sleep(HOLD_BACK_MILLIS);
        }
      }
      delegate.write(element, context);
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
      delegate.flush(endOfInput);
    }

    @Override
    public void writeWatermark(Watermark watermark) throws IOException, InterruptedException {
      delegate.writeWatermark(watermark);
    }

    @Override
    public List<JdbcWriterState> snapshotState(long checkpointId) throws IOException {
      return delegate.snapshotState(checkpointId);
    }

    @Override
    public Collection<JdbcCommitable> prepareCommit() throws IOException, InterruptedException {
      return delegate.prepareCommit();
    }

    @Override
    public void close() throws Exception {
      delegate.close();
    }
  }
}
