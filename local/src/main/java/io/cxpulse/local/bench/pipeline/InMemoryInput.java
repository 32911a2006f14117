package io.cxpulse.local.bench.pipeline;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;

/**
 * Pre-generated records as a bounded FLIP-27 source for a MiniCluster in this JVM.
 *
 * <p>The records stay in this JVM and the source ships only their registry key: a list of millions
 * of records captured in the source's generator function would be serialised into every job graph.
 * Flink's {@link DataGeneratorSource} splits the index range into one contiguous part per subtask,
 * so each subtask reads a stretch of the input in its order (the jobs generate watermarks per
 * subtask from a non-Kafka source, see {@code EventInput.Raw}).
 *
 * @param <T> the record type
 */
public final class InMemoryInput<T> implements AutoCloseable {

  private static final Map<String, List<?>> REGISTERED = new ConcurrentHashMap<>();

  private final String key = UUID.randomUUID().toString();
  private final int size;
  private final TypeInformation<T> type;

  public InMemoryInput(List<T> records, TypeInformation<T> type) {
    REGISTERED.put(key, List.copyOf(records));
    this.size = records.size();
    this.type = type;
  }

  /** The records, in order. */
  @SuppressWarnings("unchecked")
  public List<T> records() {
    return (List<T>) REGISTERED.get(key);
  }

  /** How many records the source emits. */
  public int size() {
    return size;
  }

  /** A new bounded source of every record, in order. */
  public DataGeneratorSource<T> source() {
    String registered = key;
    return new DataGeneratorSource<>(index -> get(registered, index), size, type);
  }

  @SuppressWarnings("unchecked")
  private static <T> T get(String key, long index) {
    return (T) REGISTERED.get(key).get((int) index);
  }

  @Override
  public void close() {
    REGISTERED.remove(key);
  }
}
