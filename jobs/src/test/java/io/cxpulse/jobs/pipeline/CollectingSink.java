package io.cxpulse.jobs.pipeline;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A Sink V2 that collects everything written to it in memory, for MiniCluster tests (which run in
 * the test's JVM). Each instance has its own list, so tests can run side by side.
 *
 * @param <T> the element type
 */
public final class CollectingSink<T> implements Sink<T> {

  private static final long serialVersionUID = 1L;

  private static final Map<String, List<Object>> COLLECTED = new ConcurrentHashMap<>();

  private final String id = UUID.randomUUID().toString();

  public CollectingSink() {
    COLLECTED.put(id, new CopyOnWriteArrayList<>());
  }

  /** Everything written so far, in arrival order (per writer). */
  @SuppressWarnings("unchecked")
  public List<T> values() {
    return (List<T>) List.copyOf(COLLECTED.get(id));
  }

  /** Forgets this sink's values. */
  public void clear() {
    COLLECTED.remove(id);
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) {
    List<Object> target = COLLECTED.get(id);
    return new SinkWriter<>() {
      @Override
      public void write(T element, Context context) {
        target.add(element);
      }

      @Override
      public void flush(boolean endOfInput) {}

      @Override
      public void close() {}
    };
  }
}
