package io.cxpulse.jobs.validation;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;

/**
 * The checks every event type shares: required fields and the future event-time bound.
 *
 * <p>Each returns {@code null} when the check passes so validators can chain them without
 * allocating a result per passing check.
 */
final class Checks implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The default bound on how far event_time may run ahead of the reference time. */
  static final Duration DEFAULT_MAX_FUTURE_SKEW = Duration.ofHours(1);

  private final Duration maxFutureSkew;
  private final long maxFutureSkewMillis;

  Checks(Duration maxFutureSkew) {
    if (maxFutureSkew.isNegative()) {
      throw new IllegalArgumentException("max future skew must not be negative: " + maxFutureSkew);
    }
    this.maxFutureSkew = maxFutureSkew;
    this.maxFutureSkewMillis = maxFutureSkew.toMillis();
  }

  Duration maxFutureSkew() {
    return maxFutureSkew;
  }

  static ValidationResult requireText(String field, String value) {
    if (value == null || value.isBlank()) {
      return ValidationResult.reject(
          RejectReason.MISSING_FIELD, field + " is " + (value == null ? "missing" : "blank"));
    }
    return null;
  }

  static ValidationResult requirePresent(String field, Object value) {
    return value == null
        ? ValidationResult.reject(RejectReason.MISSING_FIELD, field + " is missing")
        : null;
  }

  /**
   * Rejects an event_time more than the allowed skew ahead of the reference time; an event_time
   * exactly at the bound passes. Such events are producer clock errors, and letting them in would
   * advance the watermark and make every correct event look late.
   */
  ValidationResult checkNotInFuture(Instant eventTime, long referenceTimeMillis) {
    long eventMillis = eventTime.toEpochMilli();
    long limit = saturatedAdd(referenceTimeMillis, maxFutureSkewMillis);
    if (eventMillis > limit) {
      return ValidationResult.reject(
          RejectReason.FUTURE_EVENT_TIME,
          "event_time "
              + eventTime
              + " is "
              + Duration.ofMillis(eventMillis - referenceTimeMillis)
              + " ahead of reference time "
              + Instant.ofEpochMilli(referenceTimeMillis)
              + ", more than the allowed "
              + maxFutureSkew);
    }
    return null;
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    // Overflow only when both operands have the sign the sum lacks.
    if (((a ^ sum) & (b ^ sum)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return sum;
  }
}
