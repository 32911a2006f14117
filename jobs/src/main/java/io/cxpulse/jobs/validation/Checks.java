package io.cxpulse.jobs.validation;

import io.cxpulse.jobs.codec.Utf8Text;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * The checks every event type shares: required fields, the {@link EventGate} bounds on text and
 * event time.
 *
 * <p>Each returns {@code null} when the check passes so validators can chain them without
 * allocating a result per passing check.
 */
final class Checks implements Serializable {

  private static final long serialVersionUID = 2L;

  private static final long MILLIS_PER_SECOND = 1000;

  private final EventGate gate;
  private final long maxFutureSkewMillis;
  private final long earliestMillis;

  Checks(EventGate gate) {
    this.gate = gate;
    this.maxFutureSkewMillis = saturatedMillis(gate.maxFutureSkew());
    this.earliestMillis = gate.earliestEventTime().toEpochMilli();
  }

  EventGate gate() {
    return gate;
  }

  static ValidationResult requireText(String field, String value) {
    if (value == null || value.isBlank()) {
      return ValidationResult.reject(
          RejectReason.MISSING_FIELD, field + " is " + (value == null ? "missing" : "blank"));
    }
    return null;
  }

  /** A segment: not blank, and not the {@link Rollup#ALL} marker of the views. */
  static ValidationResult requireSegment(String value) {
    ValidationResult text = requireText("segment", value);
    if (text != null) {
      return text;
    }
    return value.equals(Rollup.ALL)
        ? ValidationResult.reject(
            RejectReason.OUT_OF_RANGE,
            "segment '"
                + Rollup.ALL
                + "' is reserved: the views use it for the rollup of every segment")
        : null;
  }

  static ValidationResult requirePresent(String field, Object value) {
    return value == null
        ? ValidationResult.reject(RejectReason.MISSING_FIELD, field + " is missing")
        : null;
  }

  /**
   * Checks every string field of {@code event}: at most {@link EventGate#maxStringBytes} UTF-8
   * bytes ({@link RejectReason#OVERSIZE}), and no replacement character, control character or
   * unpaired surrogate ({@link RejectReason#INVALID_TEXT}).
   *
   * <p>Generic over the record's schema, so a string field added to a schema is bounded without
   * anyone remembering to. The replacement character U+FFFD stands for invalid UTF-8: Avro decodes
   * a string with {@code new String(bytes, UTF_8)}, which replaces every malformed sequence by it
   * instead of failing, so after decoding it is the only trace of a producer's encoding bug. A
   * producer that really sends U+FFFD in an id or a segment is rejected too; no real id, dimension
   * or code contains it, nor a control character (which would also break every CSV export of a
   * dashboard).
   */
  ValidationResult checkText(SpecificRecord event) {
    for (Schema.Field field : event.getSchema().getFields()) {
      if (event.get(field.pos()) instanceof CharSequence text) {
        ValidationResult failure = checkText(field.name(), text);
        if (failure != null) {
          return failure;
        }
      }
    }
    return null;
  }

  private ValidationResult checkText(String field, CharSequence text) {
    int max = gate.maxStringBytes();
    // Every char is at least one UTF-8 byte: a 1 MiB string is refused before it is scanned.
    if (text.length() > max) {
      return oversize(field, text);
    }
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\uFFFD') {
        return invalid(field, i, "invalid UTF-8 (decoded as U+FFFD)");
      }
      if (Character.isISOControl(c)) {
        return invalid(field, i, String.format("control character U+%04X", (int) c));
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
          return invalid(field, i, "an unpaired surrogate");
        }
        bytes += 4;
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return invalid(field, i, "an unpaired surrogate");
      } else {
        bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
      }
    }
    return bytes > max ? oversize(field, text) : null;
  }

  private ValidationResult oversize(String field, CharSequence text) {
    return ValidationResult.reject(
        RejectReason.OVERSIZE,
        field
            + " is "
            + Utf8Text.length(text)
            + " bytes, more than the allowed "
            + gate.maxStringBytes());
  }

  private static ValidationResult invalid(String field, int index, String what) {
    return ValidationResult.reject(
        RejectReason.INVALID_TEXT, field + " has " + what + " at character " + index);
  }

  /**
   * Rejects an event_time before the earliest accepted instant ({@link
   * RejectReason#IMPLAUSIBLE_EVENT_TIME}) or more than the allowed skew ahead of the reference time
   * ({@link RejectReason#FUTURE_EVENT_TIME}); an event_time exactly at either bound passes. Both
   * are producer clock or unit errors: counted, the first would land in windows no dashboard can
   * show, the second would advance the watermark and make every correct event look late.
   *
   * <p>Overflow-safe for any {@code long} on either side: the bound saturates, and the distances in
   * the details are {@link Duration}s, which hold any difference of two epoch-millisecond values.
   */
  ValidationResult checkEventTime(Instant eventTime, long referenceTimeMillis) {
    long eventMillis = eventTime.toEpochMilli();
    if (eventMillis < earliestMillis) {
      return ValidationResult.reject(
          RejectReason.IMPLAUSIBLE_EVENT_TIME,
          "event_time "
              + eventTime
              + " is before the earliest accepted "
              + gate.earliestEventTime()
              + unitHint(eventMillis, referenceTimeMillis));
    }
    long limit = saturatedAdd(referenceTimeMillis, maxFutureSkewMillis);
    if (eventMillis > limit) {
      Instant reference = Instant.ofEpochMilli(referenceTimeMillis);
      return ValidationResult.reject(
          RejectReason.FUTURE_EVENT_TIME,
          "event_time "
              + eventTime
              + " is "
              + Duration.between(reference, eventTime)
              + " ahead of reference time "
              + reference
              + ", more than the allowed "
              + gate.maxFutureSkew()
              + unitHint(eventMillis, referenceTimeMillis));
    }
    return null;
  }

  /**
   * A hint when {@code eventMillis} would be plausible in another unit: seconds and microseconds
   * for milliseconds are the common producer bugs, and naming them saves the reader of a dead
   * letter the arithmetic.
   */
  private String unitHint(long eventMillis, long referenceTimeMillis) {
    long limit = saturatedAdd(referenceTimeMillis, maxFutureSkewMillis);
    long fromSeconds = saturatedMultiply(eventMillis, MILLIS_PER_SECOND);
    if (fromSeconds >= earliestMillis && fromSeconds <= limit) {
      return " (event_time in seconds instead of milliseconds?)";
    }
    long fromMicros = eventMillis / MILLIS_PER_SECOND;
    if (fromMicros >= earliestMillis && fromMicros <= limit) {
      return " (event_time in microseconds instead of milliseconds?)";
    }
    return "";
  }

  private static long saturatedMillis(Duration duration) {
    try {
      return duration.toMillis();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }

  private static long saturatedMultiply(long a, long b) {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException overflow) {
      return (a < 0) == (b < 0) ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
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
