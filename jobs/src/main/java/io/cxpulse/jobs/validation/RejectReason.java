package io.cxpulse.jobs.validation;

import io.cxpulse.events.DeadLetterReason;

/**
 * Why an input record is not counted in any metric.
 *
 * <p>One code per dead-letter reason of the {@code DeadLetter} schema, so that every rejection,
 * whether found by the decoder, a validator or (for {@link #DUPLICATE} and {@link #TOO_LATE}) Flink
 * state, lands in the dead letters under a stable, groupable code. The Avro enum has one more
 * symbol, {@code UNKNOWN}, which only readers older than a new code ever see.
 */
public enum RejectReason {
  /** Not Avro single-object encoding, or a corrupt or truncated body. */
  UNDECODABLE,
  /** The writer schema's fingerprint is unknown or cannot be read as the topic's record type. */
  UNKNOWN_SCHEMA,
  /** A required id or dimension is missing or blank. */
  MISSING_FIELD,
  /** A value outside its domain, such as a score outside its survey scale. */
  OUT_OF_RANGE,
  /**
   * event_time is further ahead of the reference time (the Kafka timestamp, or the job's clock when
   * that is earlier) than the allowed clock skew.
   */
  FUTURE_EVENT_TIME,
  /** The event_id was seen before; decided by Flink state. */
  DUPLICATE,
  /** Arrived after its window's allowed lateness; decided by Flink state. */
  TOO_LATE,
  /** event_time is before the earliest accepted instant: a unit or clock error. */
  IMPLAUSIBLE_EVENT_TIME,
  /** A string field is longer than the allowed number of UTF-8 bytes. */
  OVERSIZE,
  /** A string field holds invalid UTF-8, a control character or an unpaired surrogate. */
  INVALID_TEXT;

  /** The dead-letter record's code for this reason. */
  public DeadLetterReason toDeadLetterReason() {
    return DeadLetterReason.valueOf(name());
  }
}
