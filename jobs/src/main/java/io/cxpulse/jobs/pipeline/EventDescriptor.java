package io.cxpulse.jobs.pipeline;

import io.cxpulse.jobs.codec.EventDecoder;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.util.function.SerializableFunction;

/**
 * What the shared pipeline functions need to know about one event type: its class, how to build its
 * decoder, and where its event_id and event_time are.
 *
 * <p>Serializable (all parts are serializable lambdas or method references), so Flink functions
 * hold it as a field and build the non-serializable {@link EventDecoder} in {@code open()}.
 *
 * @param <T> the generated Avro record type
 */
public final class EventDescriptor<T extends SpecificRecord> implements Serializable {

  private static final long serialVersionUID = 1L;

  private final Class<T> type;
  private final SerializableFunction<SchemaStore, EventDecoder<T>> decoderFactory;
  private final SerializableFunction<T, String> eventId;
  private final SerializableFunction<T, Instant> eventTime;

  private EventDescriptor(
      Class<T> type,
      SerializableFunction<SchemaStore, EventDecoder<T>> decoderFactory,
      SerializableFunction<T, String> eventId,
      SerializableFunction<T, Instant> eventTime) {
    this.type = Objects.requireNonNull(type);
    this.decoderFactory = Objects.requireNonNull(decoderFactory);
    this.eventId = Objects.requireNonNull(eventId);
    this.eventTime = Objects.requireNonNull(eventTime);
  }

  /**
   * A descriptor, e.g. {@code EventDescriptor.of(SurveyResponse.class, EventDecoder::surveys,
   * SurveyResponse::getEventId, SurveyResponse::getEventTime)}.
   */
  public static <T extends SpecificRecord> EventDescriptor<T> of(
      Class<T> type,
      SerializableFunction<SchemaStore, EventDecoder<T>> decoderFactory,
      SerializableFunction<T, String> eventId,
      SerializableFunction<T, Instant> eventTime) {
    return new EventDescriptor<>(type, decoderFactory, eventId, eventTime);
  }

  /** The generated record class. */
  public Class<T> type() {
    return type;
  }

  /** A new decoder reading writer schemas from {@code store}. */
  public EventDecoder<T> newDecoder(SchemaStore store) {
    return decoderFactory.apply(store);
  }

  /** The event's event_id; may be null or blank on an invalid event. */
  public String eventId(T event) {
    return eventId.apply(event);
  }

  /** The event's event_time; may be null on an invalid event. */
  public Instant eventTime(T event) {
    return eventTime.apply(event);
  }

  /** The event's event_time in epoch milliseconds, the Flink record timestamp. */
  public long eventTimeMillis(T event) {
    return eventTime.apply(event).toEpochMilli();
  }
}
