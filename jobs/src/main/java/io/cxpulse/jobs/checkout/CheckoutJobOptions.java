package io.cxpulse.jobs.checkout;

import static io.cxpulse.jobs.pipeline.Durations.requirePositive;

import io.cxpulse.jobs.MetricJobOptions;
import io.cxpulse.jobs.aggregate.WindowAggregation;
import io.cxpulse.jobs.pipeline.ClickHouseOptions;
import io.cxpulse.jobs.pipeline.EventGateOptions;
import io.cxpulse.jobs.pipeline.EventTimeOptions;
import io.cxpulse.jobs.pipeline.KafkaOptions;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import java.time.Duration;
import java.util.Objects;

/**
 * Configuration of the checkout job: the option groups every job shares and its own topics,
 * consumer group, session timeouts and salts. Parsed from the command line by {@link
 * CheckoutJob#main}; tests and the local mode construct it.
 *
 * @param kafka the Kafka it reads and writes
 * @param topic the checkout event topic
 * @param deadLetterTopic the dead-letter topic
 * @param groupId Kafka consumer group, also the client id prefix
 * @param clickHouse the ClickHouse it writes to
 * @param eventTime window (of checkout start), watermarks and allowed lateness (how long after its
 *     window's end a late event is still taken, and how long after its decision a checkout can
 *     still be corrected)
 * @param inactivityTimeout event time after a checkout's last step without an order until it is
 *     abandoned
 * @param maxCheckoutDuration the longest a checkout may take from its first event to its decision
 *     (order, or last step + inactivity timeout) and still be counted; see {@link #retention()}
 * @param gate de-duplication and plausibility bounds of the event gate
 * @param runtime checkpoints, parallelism, bounded input, JDBC batching
 * @param salts pre-aggregation keys per window row (see {@link WindowAggregation})
 */
public record CheckoutJobOptions(
    KafkaOptions kafka,
    String topic,
    String deadLetterTopic,
    String groupId,
    ClickHouseOptions clickHouse,
    EventTimeOptions eventTime,
    Duration inactivityTimeout,
    Duration maxCheckoutDuration,
    EventGateOptions gate,
    RuntimeOptions runtime,
    int salts)
    implements MetricJobOptions {

  /** The checkout topic, as schemas/README.md and DESIGN.md name it. */
  public static final String DEFAULT_TOPIC = "cx.checkout";

  public static final String DEFAULT_GROUP_ID = "cx-pulse-checkout";

  /** The inactivity timeout of the DESIGN: 30 minutes of event time. */
  public static final String DEFAULT_INACTIVITY_TIMEOUT_TEXT = "PT30M";

  public static final Duration DEFAULT_INACTIVITY_TIMEOUT =
      Duration.parse(DEFAULT_INACTIVITY_TIMEOUT_TEXT);

  /**
   * Six hours from first event to decision: far beyond a real checkout (minutes) even with the
   * 30-minute inactivity timeout after a slow last step, and short enough that a window row's total
   * is not kept in state for long.
   */
  public static final String DEFAULT_MAX_CHECKOUT_DURATION_TEXT = "PT6H";

  public static final Duration DEFAULT_MAX_CHECKOUT_DURATION =
      Duration.parse(DEFAULT_MAX_CHECKOUT_DURATION_TEXT);

  private static final long serialVersionUID = 2L;

  /** Checks the values; see the parameters for their meaning. */
  public CheckoutJobOptions {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(clickHouse, "clickHouse");
    Objects.requireNonNull(eventTime, "eventTime");
    requirePositive("inactivity timeout", inactivityTimeout);
    requirePositive("max checkout duration", maxCheckoutDuration);
    Objects.requireNonNull(gate, "gate");
    Objects.requireNonNull(runtime, "runtime");
    if (maxCheckoutDuration.compareTo(inactivityTimeout) < 0) {
      // An abandonment is decided at least one inactivity timeout after the checkout's start.
      throw new IllegalArgumentException(
          "max checkout duration "
              + maxCheckoutDuration
              + " is shorter than the inactivity timeout "
              + inactivityTimeout
              + ": no abandoned checkout would ever be counted");
    }
    WindowAggregation.requireSalts(salts);
  }

  /** All defaults. */
  public static CheckoutJobOptions defaults() {
    return new CheckoutJobOptions(
        KafkaOptions.DEFAULTS,
        DEFAULT_TOPIC,
        KafkaOptions.DEFAULT_DEAD_LETTER_TOPIC,
        DEFAULT_GROUP_ID,
        ClickHouseOptions.DEFAULTS,
        EventTimeOptions.DEFAULTS,
        DEFAULT_INACTIVITY_TIMEOUT,
        DEFAULT_MAX_CHECKOUT_DURATION,
        EventGateOptions.DEFAULTS,
        RuntimeOptions.DEFAULTS,
        WindowAggregation.DEFAULT_SALTS);
  }

  /**
   * How long after its end a window row still takes outcomes: allowed lateness + max checkout
   * duration. An outcome is emitted when the watermark reaches its decision time (at most max
   * checkout duration after the start, which lies in the window) and corrected up to the allowed
   * lateness after that.
   */
  public Duration retention() {
    return eventTime.allowedLateness().plus(maxCheckoutDuration);
  }
}
