package io.cxpulse.jobs.pipeline;

import io.cxpulse.jobs.validation.EventGate;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import picocli.CommandLine.Option;

/**
 * The gate every job puts in front of its logic ({@link EventFront}): how long an event_id is
 * remembered for de-duplication, and the plausibility bounds of {@link EventGate} (whose defaults
 * its annotations name, so each is declared once). {@link Flags} are its command-line flags.
 *
 * @param dedupTtl how long (processing time) an event_id is remembered for de-duplication
 * @param bounds the plausibility bounds (future skew, earliest event time, longest string)
 */
public record EventGateOptions(Duration dedupTtl, EventGate bounds) implements Serializable {

  public static final String DEFAULT_DEDUP_TTL_TEXT = "PT24H";
  public static final Duration DEFAULT_DEDUP_TTL = Duration.parse(DEFAULT_DEDUP_TTL_TEXT);

  public static final EventGateOptions DEFAULTS =
      new EventGateOptions(DEFAULT_DEDUP_TTL, EventGate.DEFAULT);

  private static final long serialVersionUID = 1L;

  /** Checks the values; see the parameters for their meaning. */
  public EventGateOptions {
    Durations.requirePositive("dedup TTL", dedupTtl);
    Objects.requireNonNull(bounds, "gate");
  }

  /** The gate's flags every job takes, as a picocli mixin. */
  public static final class Flags {

    @Option(
        names = "--dedup-ttl",
        defaultValue = DEFAULT_DEDUP_TTL_TEXT,
        converter = DurationConverter.class,
        description =
            "How long an event_id is remembered for de-duplication, processing time"
                + " (default: ${DEFAULT-VALUE}).")
    private Duration dedupTtl;

    @Option(
        names = "--max-future-skew",
        defaultValue = EventGate.DEFAULT_MAX_FUTURE_SKEW,
        converter = DurationConverter.class,
        description =
            "How far event_time may run ahead of the Kafka record timestamp, or of the job's"
                + " clock when that is earlier (default: ${DEFAULT-VALUE}).")
    private Duration maxFutureSkew;

    @Option(
        names = "--earliest-event-time",
        defaultValue = EventGate.DEFAULT_EARLIEST_EVENT_TIME,
        description =
            "Events with an earlier event_time are dead-lettered as IMPLAUSIBLE_EVENT_TIME, an"
                + " ISO-8601 instant no earlier than 1970 (default: ${DEFAULT-VALUE}).")
    private Instant earliestEventTime;

    @Option(
        names = "--max-string-bytes",
        defaultValue = "" + EventGate.DEFAULT_MAX_STRING_BYTES,
        description =
            "Longest string field (ids, segment, codes) in UTF-8 bytes; longer ones are"
                + " dead-lettered as OVERSIZE (default: ${DEFAULT-VALUE}).")
    private int maxStringBytes;

    /** The options these flags give. */
    public EventGateOptions options() {
      return new EventGateOptions(
          dedupTtl, new EventGate(maxFutureSkew, earliestEventTime, maxStringBytes));
    }
  }
}
