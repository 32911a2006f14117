package io.cxpulse.jobs.pipeline;

import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The flags of the gate every job puts in front of its logic ({@link EventFront}), as a picocli
 * mixin: how long an event_id is remembered for de-duplication and how far event_time may run ahead
 * of the Kafka record timestamp.
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
      defaultValue = "PT1H",
      converter = DurationConverter.class,
      description =
          "How far event_time may run ahead of the Kafka record timestamp"
              + " (default: ${DEFAULT-VALUE}).")
  private Duration maxFutureSkew;

  /** How long an event_id is remembered for de-duplication, in processing time. */
  public Duration dedupTtl() {
    return dedupTtl;
  }

  /** How far event_time may run ahead of the Kafka record timestamp. */
  public Duration maxFutureSkew() {
    return maxFutureSkew;
  }
}
