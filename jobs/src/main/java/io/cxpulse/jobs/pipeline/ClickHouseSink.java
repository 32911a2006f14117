package io.cxpulse.jobs.pipeline;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.connector.jdbc.core.datastream.sink.committer.JdbcCommitable;
import org.apache.flink.connector.jdbc.core.datastream.sink.writer.JdbcWriter;
import org.apache.flink.connector.jdbc.core.datastream.sink.writer.JdbcWriterState;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flink's {@link JdbcSink} into ClickHouse, with one thing changed: its writer's {@code close()}
 * never throws.
 *
 * <p>Why: once a batch has failed (a table renamed away, ClickHouse down for longer than the
 * retries), {@code JdbcOutputFormat.close()} flushes again and throws the stored failure. Flink
 * calls {@code close()} while it is already handling the task's failure, and an exception there is
 * "FATAL - exception in exception handler": the task manager shuts itself down. On a cluster a new
 * one may come; in local mode's MiniCluster none does, and every pipeline stopped until restart
 * (measured: a table renamed away for 20 s). Swallowing it loses nothing: the rows still in the
 * batch are not part of any completed checkpoint, so the restart replays them. A bounded job's last
 * rows are flushed by {@code flush(true)} before {@code close()}, and a failure there still fails
 * the job as it should. Each swallowed failure is logged and counted ({@value #CLOSE_FAILURES}).
 *
 * <p>Every other call goes to the JDBC sink and its writer unchanged (same writer state, same
 * committer), so delivery is the JDBC sink's: at least once, made idempotent by the tables.
 *
 * @param <T> the row type
 */
public final class ClickHouseSink<T>
    implements Sink<T>, SupportsWriterState<T, JdbcWriterState>, SupportsCommitter<JdbcCommitable> {

  private static final long serialVersionUID = 1L;

  /** The counter of writer closes whose failure was logged instead of thrown. */
  public static final String CLOSE_FAILURES = "clickHouseCloseFailures";

  private static final Logger LOG = LoggerFactory.getLogger(ClickHouseSink.class);

  private final JdbcSink<T> delegate;

  public ClickHouseSink(JdbcSink<T> delegate) {
    this.delegate = delegate;
  }

  @Override
  public Writer<T> createWriter(WriterInitContext context) throws IOException {
    return new Writer<>(delegate.createWriter(context), context);
  }

  @Override
  public Writer<T> restoreWriter(
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

  /** The JDBC writer, closing without throwing. */
  public static final class Writer<T>
      implements StatefulSinkWriter<T, JdbcWriterState>, CommittingSinkWriter<T, JdbcCommitable> {

    private final JdbcWriter<T> delegate;
    private final Counter closeFailures;
    private final String subtask;

    Writer(JdbcWriter<T> delegate, WriterInitContext context) {
      this.delegate = delegate;
      this.closeFailures = context.metricGroup().counter(CLOSE_FAILURES);
      this.subtask =
          context.getTaskInfo().getTaskName()
              + " ("
              + (context.getTaskInfo().getIndexOfThisSubtask() + 1)
              + "/"
              + context.getTaskInfo().getNumberOfParallelSubtasks()
              + ")";
    }

    @Override
    public void write(T element, Context context) throws IOException, InterruptedException {
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
    public void close() {
      try {
        delegate.close();
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        closeFailures.inc();
        LOG.warn(
            "ClickHouse writer of {} closed after a failed write; the rows it still held are not"
                + " in a completed checkpoint and will be written again after the restart",
            subtask,
            e);
      }
    }
  }
}
