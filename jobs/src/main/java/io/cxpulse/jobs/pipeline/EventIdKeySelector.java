package io.cxpulse.jobs.pipeline;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * Keys decoded events by event_id, the partitioning {@link DedupAndLatenessFunction} needs.
 *
 * @param <T> the generated Avro record type
 */
public final class EventIdKeySelector<T extends SpecificRecord>
    implements KeySelector<DecodedEvent<T>, String> {

  private static final long serialVersionUID = 1L;

  private final EventDescriptor<T> descriptor;

  public EventIdKeySelector(EventDescriptor<T> descriptor) {
    this.descriptor = descriptor;
  }

  @Override
  public String getKey(DecodedEvent<T> event) {
    return descriptor.eventId(event.getEvent());
  }
}
