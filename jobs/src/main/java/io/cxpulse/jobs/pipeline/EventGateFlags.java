package io.cxpulse.jobs.pipeline;

import io.cxpulse.jobs.validation.EventGate;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Option;

/**
 * The flags of the gate every job puts in front of its logic ({@link EventFront}), as a picocli
 * mixin: how long an event_id is remembered for de-duplication, and the plausibility bounds of
 * {@link EventGate} (whose defaults the annotations name, so each is declared once).
 */
public final class EventGateFlags {

  @Option(
      names = "--dedup-ttl",
      defaultValue = "PT24H",
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
          "How far event_time may run ahead of the Kafka record timestamp, or of the job's clock"
              + " when that is earlier (default: ${DEFAULT-VALUE}).")
  private Duration maxFutureSkew;

  @Option(
      names = "--earliest-event-time",
      defaultValue = EventGate.DEFAULT_EARLIEST_EVENT_TIME,
      description =
          "Events with an earlier event_time are dead-lettered as IMPLAUSIBLE_EVENT_TIME, an ISO-8601"
              + " instant no earlier than 1970 (default: ${DEFAULT-VALUE}).")
  private Instant earliestEventTime;

  @Option(
      names = "--max-string-bytes",
      defaultValue = "" + EventGate.DEFAULT_MAX_STRING_BYTES,
      description =
          "Longest string field (ids, segment, codes) in UTF-8 bytes; longer ones are"
              + " dead-lettered as OVERSIZE (default: ${DEFAULT-VALUE}).")
  private int maxStringBytes;

  /** How long an event_id is remembered for de-duplication, in processing time. */
  public Duration dedupTtl() {
    return dedupTtl;
  }

  /** The plausibility bounds these flags set. */
  public EventGate eventGate() {
    return new EventGate(maxFutureSkew, earliestEventTime, maxStringBytes);
  }
}
