package io.cxpulse.jobs.validation;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The plausibility bounds every event must meet before it is counted, whatever its type: how far
 * its event_time may run ahead of the reference time, the earliest event_time taken as real, and
 * the longest string field.
 *
 * <p>Each default is declared once here, as text so that the command-line flags ({@code
 * EventGateOptions.Flags}) can name it in their annotations, and as the parsed {@link #DEFAULT}.
 *
 * <p>Why these bounds: an event_time before {@link #earliestEventTime} is a unit or clock bug (0,
 * negative, seconds read as milliseconds) and would land in windows ClickHouse's {@code DateTime}
 * cannot hold (1969 wraps to 2106); one beyond the future skew would move the watermark for every
 * other event. Together they keep every time the jobs compute from an event (windows, timers, SLA
 * deadlines, inactivity timeouts, retention) far inside {@code long} milliseconds, so no such
 * computation can overflow. Every string field of the three event schemas is an id, a dimension or
 * a short code; 256 bytes fits any real one and bounds the state, the window keys and the rows that
 * carry them.
 *
 * @param maxFutureSkew how far event_time may run ahead of the reference time
 * @param earliestEventTime the earliest event_time accepted
 * @param maxStringBytes the longest string field accepted, in UTF-8 bytes
 */
public record EventGate(Duration maxFutureSkew, Instant earliestEventTime, int maxStringBytes)
    implements Serializable {

  /** Default of {@link #maxFutureSkew}, as ISO-8601 text. */
  public static final String DEFAULT_MAX_FUTURE_SKEW = "PT5M";

  /** Default of {@link #earliestEventTime}, as ISO-8601 text. */
  public static final String DEFAULT_EARLIEST_EVENT_TIME = "2000-01-01T00:00:00Z";

  /** Default of {@link #maxStringBytes}. */
  public static final int DEFAULT_MAX_STRING_BYTES = 256;

  /**
   * The earliest instant {@link #earliestEventTime} may be set to (declared before {@link
   * #DEFAULT}, which the constructor checks against it): before it, ClickHouse's {@code DateTime}
   * columns (seconds since 1970, unsigned) cannot hold a window start.
   */
  public static final Instant EARLIEST_SUPPORTED = Instant.EPOCH;

  /** The bounds with every default. */
  public static final EventGate DEFAULT =
      new EventGate(
          Duration.parse(DEFAULT_MAX_FUTURE_SKEW),
          Instant.parse(DEFAULT_EARLIEST_EVENT_TIME),
          DEFAULT_MAX_STRING_BYTES);

  public EventGate {
    Objects.requireNonNull(maxFutureSkew, "maxFutureSkew");
    Objects.requireNonNull(earliestEventTime, "earliestEventTime");
    if (maxFutureSkew.isNegative()) {
      throw new IllegalArgumentException("max future skew must not be negative: " + maxFutureSkew);
    }
    if (earliestEventTime.isBefore(EARLIEST_SUPPORTED)) {
      throw new IllegalArgumentException(
          "earliest event time "
              + earliestEventTime
              + " is before "
              + EARLIEST_SUPPORTED
              + ", which ClickHouse's DateTime cannot hold");
    }
    if (maxStringBytes < 1) {
      throw new IllegalArgumentException("max string bytes must be positive: " + maxStringBytes);
    }
  }

  /** These bounds with another future skew. */
  public EventGate withMaxFutureSkew(Duration value) {
    return new EventGate(value, earliestEventTime, maxStringBytes);
  }

  /** These bounds with another earliest event time. */
  public EventGate withEarliestEventTime(Instant value) {
    return new EventGate(maxFutureSkew, value, maxStringBytes);
  }

  /** These bounds with another longest string. */
  public EventGate withMaxStringBytes(int value) {
    return new EventGate(maxFutureSkew, earliestEventTime, value);
  }
}
