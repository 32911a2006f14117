package io.cxpulse.jobs.pipeline;

import static io.cxpulse.jobs.pipeline.Durations.requireNotNegative;
import static io.cxpulse.jobs.pipeline.Durations.requirePositive;

import java.io.Serializable;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * How a job reads event time: its tumbling window, its watermarks and how late an event may still
 * be. Each default is declared once, as text for the flags' annotations and parsed for code.
 *
 * <p>{@link WatermarkFlags} are the flags every job takes alike; {@code --window} and {@code
 * --allowed-lateness} are declared by each job, with the defaults here: their descriptions (and the
 * driver split job's window default) differ per job.
 *
 * @param window tumbling window size
 * @param outOfOrderness how far event times may run behind the highest seen before the watermark
 *     passes them
 * @param idleness after how long without events an input stops holding back the watermark
 * @param allowedLateness how long after its window's end a late event is still taken
 */
public record EventTimeOptions(
    Duration window, Duration outOfOrderness, Duration idleness, Duration allowedLateness)
    implements Serializable {

  public static final String DEFAULT_WINDOW_TEXT = "PT1M";
  public static final String DEFAULT_OUT_OF_ORDERNESS_TEXT = "PT5S";
  public static final String DEFAULT_IDLENESS_TEXT = "PT1M";
  public static final String DEFAULT_ALLOWED_LATENESS_TEXT = "PT1H";

  public static final Duration DEFAULT_WINDOW = Duration.parse(DEFAULT_WINDOW_TEXT);
  public static final Duration DEFAULT_OUT_OF_ORDERNESS =
      Duration.parse(DEFAULT_OUT_OF_ORDERNESS_TEXT);
  public static final Duration DEFAULT_IDLENESS = Duration.parse(DEFAULT_IDLENESS_TEXT);
  public static final Duration DEFAULT_ALLOWED_LATENESS =
      Duration.parse(DEFAULT_ALLOWED_LATENESS_TEXT);

  public static final EventTimeOptions DEFAULTS =
      new EventTimeOptions(
          DEFAULT_WINDOW, DEFAULT_OUT_OF_ORDERNESS, DEFAULT_IDLENESS, DEFAULT_ALLOWED_LATENESS);

  private static final long serialVersionUID = 1L;

  /** Checks the values; see the parameters for their meaning. */
  public EventTimeOptions {
    requirePositive("window", window);
    requireNotNegative("out-of-orderness", outOfOrderness);
    requirePositive("idleness", idleness);
    requireNotNegative("allowed lateness", allowedLateness);
  }

  /** The watermark flags every job takes, as a picocli mixin: out-of-orderness and idleness. */
  public static final class WatermarkFlags {

    @Option(
        names = "--out-of-orderness",
        defaultValue = DEFAULT_OUT_OF_ORDERNESS_TEXT,
        converter = DurationConverter.class,
        description = "Watermark out-of-orderness bound (default: ${DEFAULT-VALUE}).")
    private Duration outOfOrderness;

    @Option(
        names = "--idleness",
        defaultValue = DEFAULT_IDLENESS_TEXT,
        converter = DurationConverter.class,
        description =
            "Inputs without events for this long stop holding back the watermark"
                + " (default: ${DEFAULT-VALUE}).")
    private Duration idleness;

    /** The options of these flags and the job's own {@code --window} and lateness flags. */
    public EventTimeOptions options(Duration window, Duration allowedLateness) {
      return new EventTimeOptions(window, outOfOrderness, idleness, allowedLateness);
    }
  }
}
