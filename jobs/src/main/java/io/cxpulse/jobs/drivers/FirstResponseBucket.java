package io.cxpulse.jobs.drivers;

import java.time.Duration;
import java.util.Objects;

/**
 * The first-response-time buckets of the driver split: a small fixed set, so that every bucket of
 * every channel × segment collects enough responses to compare, and so that dashboards can list
 * them in order. Lower bounds are inclusive, upper bounds exclusive.
 *
 * <p>First-response time is that of the ticket views (opened → first agent reply, bot and customer
 * replies never count), as {@code TicketLifecycle} computes it.
 */
public enum FirstResponseBucket {
  /** Under 5 minutes. */
  UNDER_5M("lt_5m", Duration.ZERO),
  /** 5 to 30 minutes. */
  FROM_5M_TO_30M("5m_30m", Duration.ofMinutes(5)),
  /** 30 minutes to 2 hours. */
  FROM_30M_TO_2H("30m_2h", Duration.ofMinutes(30)),
  /** 2 to 8 hours. */
  FROM_2H_TO_8H("2h_8h", Duration.ofHours(2)),
  /** 8 hours or more. */
  FROM_8H("ge_8h", Duration.ofHours(8)),
  /**
   * No agent reply yet when the ticket's outcome was decided: the SLA was breached at the deadline
   * and nobody had answered by the time the join decided (see {@link DriverOutcome}).
   */
  NO_REPLY("no_reply", null);

  private final String label;
  private final Duration lowerBound;

  FirstResponseBucket(String label, Duration lowerBound) {
    this.label = label;
    this.lowerBound = lowerBound;
  }

  /** The value stored in {@code cx_driver_window.frt_bucket}, e.g. {@code 30m_2h}. */
  public String label() {
    return label;
  }

  /** The bucket of a first-response time. */
  public static FirstResponseBucket of(Duration firstResponseTime) {
    Objects.requireNonNull(firstResponseTime, "firstResponseTime");
    if (firstResponseTime.isNegative()) {
      throw new IllegalArgumentException("negative first-response time: " + firstResponseTime);
    }
    FirstResponseBucket bucket = UNDER_5M;
    for (FirstResponseBucket candidate : values()) {
      if (candidate.lowerBound != null && firstResponseTime.compareTo(candidate.lowerBound) >= 0) {
        bucket = candidate;
      }
    }
    return bucket;
  }
}
