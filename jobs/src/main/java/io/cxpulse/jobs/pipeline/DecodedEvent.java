package io.cxpulse.jobs.pipeline;

import java.io.Serializable;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * A decoded, valid event together with the {@link RawRecord} it was decoded from.
 *
 * <p>The raw record travels with the event through de-duplication and windowing because a record
 * rejected there ({@code DUPLICATE}, {@code TOO_LATE}) still needs its Kafka coordinates and raw
 * prefix in the dead letter. The extra bytes on the wire are the price; events are small.
 *
 * <p>A Flink POJO; because {@code T} is erased, build its type with {@link #typeInfo(Class)}.
 *
 * @param <T> the generated Avro record type
 */
public class DecodedEvent<T> implements Serializable {

  private static final long serialVersionUID = 1L;

  private T event;
  private RawRecord source;

  /** For Flink's POJO serializer. */
  public DecodedEvent() {}

  public DecodedEvent(T event, RawRecord source) {
    this.event = event;
    this.source = source;
  }

  /** The Flink type of {@code DecodedEvent<T>}: a POJO with an Avro {@code event} field. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static <T> TypeInformation<DecodedEvent<T>> typeInfo(Class<T> eventClass) {
    return (TypeInformation)
        Types.POJO(
            DecodedEvent.class,
            Map.of(
                "event",
                TypeInformation.of(eventClass),
                "source",
                TypeInformation.of(RawRecord.class)));
  }

  /** The decoded event. */
  public T getEvent() {
    return event;
  }

  public void setEvent(T event) {
    this.event = event;
  }

  /** The Kafka record the event was decoded from. */
  public RawRecord getSource() {
    return source;
  }

  public void setSource(RawRecord source) {
    this.source = source;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DecodedEvent<?> other
        && Objects.equals(event, other.event)
        && Objects.equals(source, other.source);
  }

  @Override
  public int hashCode() {
    return Objects.hash(event, source);
  }

  @Override
  public String toString() {
    return "DecodedEvent{" + event + " from " + source + "}";
  }
}
