package io.cxpulse.jobs.pipeline;

import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The watermark flags every job takes, as a picocli mixin: out-of-orderness bound and idleness.
 *
 * <p>The window and the allowed lateness stay in the jobs: their descriptions (and the driver job's
 * window default) differ per job.
 */
public final class WatermarkFlags {

  @Option(
      names = "--out-of-orderness",
      defaultValue = "PT5S",
      converter = DurationConverter.class,
      description = "Watermark out-of-orderness bound (default: ${DEFAULT-VALUE}).")
  private Duration outOfOrderness;

  @Option(
      names = "--idleness",
      defaultValue = "PT1M",
      converter = DurationConverter.class,
      description =
          "Inputs without events for this long stop holding back the watermark"
              + " (default: ${DEFAULT-VALUE}).")
  private Duration idleness;

  /** The watermark out-of-orderness bound. */
  public Duration outOfOrderness() {
    return outOfOrderness;
  }

  /** How long an input may go without events before it stops holding back the watermark. */
  public Duration idleness() {
    return idleness;
  }
}
