package io.cxpulse.jobs.validation;

import java.io.Serializable;
import java.time.Clock;

/**
 * Checks one decoded event against the rules a schema cannot express (non-blank ids, score scales,
 * plausible event time) before it may be counted.
 *
 * <p>The reference time is passed in, never read from the wall clock, so a validator gives the same
 * answer in a replay and in a test. Implementations are immutable and {@link Serializable}, so a
 * Flink function can hold one as a field.
 *
 * @param <T> the event type
 */
public interface EventValidator<T> extends Serializable {

  /**
   * Validates {@code event}.
   *
   * @param referenceTimeMillis the "now" that event_time may not run ahead of by more than the
   *     allowed skew, in epoch milliseconds; in a job, the operator's processing time
   */
  ValidationResult validate(T event, long referenceTimeMillis);

  /** Validates {@code event} against the current time of {@code clock}. */
  default ValidationResult validate(T event, Clock clock) {
    return validate(event, clock.millis());
  }
}
