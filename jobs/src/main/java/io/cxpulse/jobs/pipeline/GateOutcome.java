package io.cxpulse.jobs.pipeline;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.jobs.validation.RejectReason;
import java.io.Serializable;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * What {@link RecordGate} made of one record: either the admitted event or the dead letter of a
 * rejected one, never both. The Kafka source emits these, so that a rejected record still travels
 * in the stream (to its dead-letter sinks) without ever moving event time.
 *
 * <p>A Flink POJO of a POJO and an Avro record (no Kryo); because {@code T} is erased, build its
 * type with {@link #typeInfo(Class)}.
 *
 * @param <T> the generated Avro record type
 */
public class GateOutcome<T> implements Serializable {

  private static final long serialVersionUID = 1L;

  private DecodedEvent<T> admitted;
  private DeadLetter rejected;

  /** For Flink's POJO serializer. */
  public GateOutcome() {}

  /** An admitted event. */
  public static <T> GateOutcome<T> admitted(DecodedEvent<T> event) {
    GateOutcome<T> outcome = new GateOutcome<>();
    outcome.admitted = Objects.requireNonNull(event, "event");
    return outcome;
  }

  /** A rejected record, as its dead letter. */
  public static <T> GateOutcome<T> rejected(DeadLetter deadLetter) {
    GateOutcome<T> outcome = new GateOutcome<>();
    outcome.rejected = Objects.requireNonNull(deadLetter, "deadLetter");
    return outcome;
  }

  /** The Flink type of {@code GateOutcome<T>}. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static <T> TypeInformation<GateOutcome<T>> typeInfo(Class<T> eventClass) {
    return (TypeInformation)
        Types.POJO(
            GateOutcome.class,
            Map.of(
                "admitted",
                DecodedEvent.typeInfo(eventClass),
                "rejected",
                TypeInformation.of(DeadLetter.class)));
  }

  public boolean isAdmitted() {
    return admitted != null;
  }

  /** The reason of a rejected record. */
  public RejectReason rejectReason() {
    return RejectReason.valueOf(rejected.getReason().name());
  }

  public DecodedEvent<T> getAdmitted() {
    return admitted;
  }

  public void setAdmitted(DecodedEvent<T> admitted) {
    this.admitted = admitted;
  }

  public DeadLetter getRejected() {
    return rejected;
  }

  public void setRejected(DeadLetter rejected) {
    this.rejected = rejected;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GateOutcome<?> other
        && Objects.equals(admitted, other.admitted)
        && Objects.equals(rejected, other.rejected);
  }

  @Override
  public int hashCode() {
    return Objects.hash(admitted, rejected);
  }

  @Override
  public String toString() {
    return isAdmitted() ? "admitted " + admitted : "rejected " + rejected;
  }
}
