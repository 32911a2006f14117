package io.cxpulse.local.bench.pipeline;

import java.io.Serializable;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A Sink V2 that keeps, per window row key, the latest emission reduced to a {@link WindowResult}
 * (for a MiniCluster in this JVM), at the cost of one map update per row instead of an insert. The
 * latest is the one with the highest version, what {@code ReplacingMergeTree(version)} would keep;
 * or, for a Flink SQL changelog whose rows carry no version, the last written ({@link
 * #lastWritten}): a changelog emits every update of a key from one subtask, in order, and the sink
 * reads it forward from there.
 *
 * @param <T> the row type
 */
public final class LatestRowsSink<T> implements Sink<T> {

  private static final long serialVersionUID = 1L;

  /** Reduces a row to what is checked. */
  @FunctionalInterface
  public interface Reduction<T> extends Serializable {
    WindowResult of(T row);
  }

  private static final Map<String, Map<String, WindowResult>> LATEST = new ConcurrentHashMap<>();

  private final String id = UUID.randomUUID().toString();
  private final Reduction<T> reduction;
  private final boolean lastWritten;

  /** Keeps the emission with the highest version. */
  public LatestRowsSink(Reduction<T> reduction) {
    this(reduction, false);
  }

  private LatestRowsSink(Reduction<T> reduction, boolean lastWritten) {
    this.reduction = reduction;
    this.lastWritten = lastWritten;
    LATEST.put(id, new ConcurrentHashMap<>());
  }

  /** Keeps the emission written last, whatever its version. */
  public static <T> LatestRowsSink<T> lastWritten(Reduction<T> reduction) {
    return new LatestRowsSink<>(reduction, true);
  }

  /** The latest result per key; forgets them. */
  public Map<String, WindowResult> release() {
    return LATEST.remove(id);
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) {
    Map<String, WindowResult> latest = LATEST.get(id);
    return new SinkWriter<>() {
      @Override
      public void write(T row, Context context) {
        WindowResult result = reduction.of(row);
        if (lastWritten) {
          latest.put(result.key(), result);
        } else {
          latest.merge(result.key(), result, (a, b) -> a.version() >= b.version() ? a : b);
        }
      }

      @Override
      public void flush(boolean endOfInput) {}

      @Override
      public void close() {}
    };
  }
}
