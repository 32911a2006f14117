package io.cxpulse.local.bench.pipeline;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A Sink V2 that keeps nothing but a count per category (for a MiniCluster in this JVM): a
 * discarding sink whose output can still be checked, e.g. dead letters per reason.
 *
 * @param <T> the element type
 */
public final class TallySink<T> implements Sink<T> {

  private static final long serialVersionUID = 1L;

  /** The category of an element. */
  @FunctionalInterface
  public interface Category<T> extends Serializable {
    String of(T element);
  }

  private static final Map<String, Map<String, LongAdder>> TALLIES = new ConcurrentHashMap<>();

  private final String key = UUID.randomUUID().toString();
  private final Category<T> category;

  public TallySink(Category<T> category) {
    this.category = category;
    TALLIES.put(key, new ConcurrentHashMap<>());
  }

  /** Counts every element as {@code name}. */
  public static <T> TallySink<T> counting(String name) {
    return new TallySink<>(element -> name);
  }

  /** The count per category so far, sorted by category; forgets them when {@code release}. */
  public Map<String, Long> counts() {
    Map<String, Long> counts = new TreeMap<>();
    TALLIES.get(key).forEach((name, adder) -> counts.put(name, adder.sum()));
    return counts;
  }

  /** Forgets the counts. */
  public void release() {
    TALLIES.remove(key);
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) {
    Map<String, LongAdder> tally = TALLIES.get(key);
    return new SinkWriter<>() {
      @Override
      public void write(T element, Context context) {
        tally.computeIfAbsent(category.of(element), name -> new LongAdder()).increment();
      }

      @Override
      public void flush(boolean endOfInput) {}

      @Override
      public void close() {}
    };
  }
}
