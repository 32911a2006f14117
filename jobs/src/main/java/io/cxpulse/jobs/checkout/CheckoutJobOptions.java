package io.cxpulse.jobs.checkout;

import io.cxpulse.jobs.aggregate.WindowAggregation;
import io.cxpulse.jobs.pipeline.ClickHouseOptions;
import io.cxpulse.jobs.pipeline.KafkaOptions;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import io.cxpulse.jobs.validation.EventGate;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Configuration of the checkout job, with named defaults; parsed from the command line by {@link
 * CheckoutJob#main}, built with {@link #builder()} in tests and the local mode.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param topic the checkout event topic
 * @param deadLetterTopic the dead-letter topic
 * @param groupId Kafka consumer group, also the client id prefix
 * @param clickhouseUrl ClickHouse JDBC URL
 * @param clickhouseUser ClickHouse user
 * @param clickhousePassword ClickHouse password, empty for none; never printed by {@link
 *     #toString()}
 * @param window tumbling window size (of checkout start)
 * @param outOfOrderness how far event times may run behind the highest seen before the watermark
 *     passes them
 * @param idleness after how long without events an input stops holding back the watermark
 * @param allowedLateness how long after its window's end a late event is still taken, and how long
 *     after its decision a checkout can still be corrected
 * @param inactivityTimeout event time after a checkout's last step without an order until it is
 *     abandoned
 * @param maxCheckoutDuration the longest a checkout may take from its first event to its decision
 *     (order, or last step + inactivity timeout) and still be counted; see {@link #retention()}
 * @param dedupTtl how long (processing time) an event_id is remembered for de-duplication
 * @param gate the plausibility bounds of the event gate (future skew, earliest event time, longest
 *     string)
 * @param checkpointInterval checkpoint interval; the sinks flush on checkpoints
 * @param parallelism job parallelism, or {@link #DEFAULT_PARALLELISM} for the cluster default
 * @param bounded stop at the offsets that are latest at start (tests, backfills)
 * @param jdbcBatchSize rows per JDBC batch
 * @param jdbcFlushInterval longest time a row waits in a JDBC batch
 * @param salts pre-aggregation keys per window row (see {@link WindowAggregation})
 */
public record CheckoutJobOptions(
    String bootstrapServers,
    String topic,
    String deadLetterTopic,
    String groupId,
    String clickhouseUrl,
    String clickhouseUser,
    String clickhousePassword,
    Duration window,
    Duration outOfOrderness,
    Duration idleness,
    Duration allowedLateness,
    Duration inactivityTimeout,
    Duration maxCheckoutDuration,
    Duration dedupTtl,
    EventGate gate,
    Duration checkpointInterval,
    int parallelism,
    boolean bounded,
    int jdbcBatchSize,
    Duration jdbcFlushInterval,
    int salts)
    implements Serializable {

  public static final String DEFAULT_BOOTSTRAP_SERVERS = KafkaOptions.DEFAULT_BOOTSTRAP_SERVERS;

  /** The checkout topic, as schemas/README.md and DESIGN.md name it. */
  public static final String DEFAULT_TOPIC = "cx.checkout";

  public static final String DEFAULT_DEAD_LETTER_TOPIC = "cx.dead-letters";
  public static final String DEFAULT_GROUP_ID = "cx-pulse-checkout";
  public static final String DEFAULT_CLICKHOUSE_URL = ClickHouseOptions.DEFAULT_URL;
  public static final String DEFAULT_CLICKHOUSE_USER = ClickHouseOptions.DEFAULT_USER;
  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);
  public static final Duration DEFAULT_OUT_OF_ORDERNESS = Duration.ofSeconds(5);
  public static final Duration DEFAULT_IDLENESS = Duration.ofMinutes(1);
  public static final Duration DEFAULT_ALLOWED_LATENESS =
      CheckoutSessionFunction.DEFAULT_ALLOWED_LATENESS;
  public static final Duration DEFAULT_INACTIVITY_TIMEOUT =
      CheckoutSessionFunction.DEFAULT_INACTIVITY_TIMEOUT;

  /**
   * Six hours from first event to decision: far beyond a real checkout (minutes) even with the
   * 30-minute inactivity timeout after a slow last step, and short enough that a window row's total
   * is not kept in state for long.
   */
  public static final Duration DEFAULT_MAX_CHECKOUT_DURATION = Duration.ofHours(6);

  public static final Duration DEFAULT_DEDUP_TTL = Duration.ofHours(24);
  public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(10);

  /** Parallelism value meaning "the environment's default". */
  public static final int DEFAULT_PARALLELISM = -1;

  public static final int DEFAULT_JDBC_BATCH_SIZE = RuntimeOptions.DEFAULT_JDBC_BATCH_SIZE;
  public static final Duration DEFAULT_JDBC_FLUSH_INTERVAL = Duration.ofSeconds(1);

  private static final long serialVersionUID = 1L;

  /** Checks the values; see the parameters for their meaning. */
  public CheckoutJobOptions {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(clickhouseUrl, "clickhouseUrl");
    Objects.requireNonNull(clickhouseUser, "clickhouseUser");
    clickhousePassword = clickhousePassword == null ? "" : clickhousePassword;
    requirePositive("window", window);
    requireNotNegative("out-of-orderness", outOfOrderness);
    requirePositive("idleness", idleness);
    requireNotNegative("allowed lateness", allowedLateness);
    requirePositive("inactivity timeout", inactivityTimeout);
    requirePositive("max checkout duration", maxCheckoutDuration);
    requirePositive("dedup TTL", dedupTtl);
    Objects.requireNonNull(gate, "gate");
    requirePositive("checkpoint interval", checkpointInterval);
    requirePositive("JDBC flush interval", jdbcFlushInterval);
    if (maxCheckoutDuration.compareTo(inactivityTimeout) < 0) {
      // An abandonment is decided at least one inactivity timeout after the checkout's start.
      throw new IllegalArgumentException(
          "max checkout duration "
              + maxCheckoutDuration
              + " is shorter than the inactivity timeout "
              + inactivityTimeout
              + ": no abandoned checkout would ever be counted");
    }
    if (salts < 1) {
      throw new IllegalArgumentException("salts must be at least 1: " + salts);
    }
    if (parallelism != DEFAULT_PARALLELISM && parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1: " + parallelism);
    }
    if (jdbcBatchSize < 1) {
      throw new IllegalArgumentException("JDBC batch size must be at least 1: " + jdbcBatchSize);
    }
  }

  /** All defaults. */
  public static CheckoutJobOptions defaults() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these options. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Whether a parallelism was set. */
  public boolean hasParallelism() {
    return parallelism != DEFAULT_PARALLELISM;
  }

  /**
   * How long after its end a window row still takes outcomes: allowed lateness + max checkout
   * duration. An outcome is emitted when the watermark reaches its decision time (at most max
   * checkout duration after the start, which lies in the window) and corrected up to the allowed
   * lateness after that.
   */
  public Duration retention() {
    return allowedLateness.plus(maxCheckoutDuration);
  }

  /** Like the record's, but the password shows only whether one is set. */
  @Override
  public String toString() {
    return "CheckoutJobOptions[bootstrapServers="
        + bootstrapServers
        + ", topic="
        + topic
        + ", deadLetterTopic="
        + deadLetterTopic
        + ", groupId="
        + groupId
        + ", clickhouseUrl="
        + redactUrl(clickhouseUrl)
        + ", clickhouseUser="
        + clickhouseUser
        + ", clickhousePassword="
        + (clickhousePassword.isEmpty() ? "(none)" : "(set)")
        + ", window="
        + window
        + ", outOfOrderness="
        + outOfOrderness
        + ", idleness="
        + idleness
        + ", allowedLateness="
        + allowedLateness
        + ", inactivityTimeout="
        + inactivityTimeout
        + ", maxCheckoutDuration="
        + maxCheckoutDuration
        + ", dedupTtl="
        + dedupTtl
        + ", gate="
        + gate
        + ", checkpointInterval="
        + checkpointInterval
        + ", parallelism="
        + (hasParallelism() ? parallelism : "default")
        + ", bounded="
        + bounded
        + ", jdbcBatchSize="
        + jdbcBatchSize
        + ", jdbcFlushInterval="
        + jdbcFlushInterval
        + ", salts="
        + salts
        + "]";
  }

  /** The URL without user info and query parameters, either of which may hold a password. */
  static String redactUrl(String jdbcUrl) {
    String redacted = jdbcUrl.replaceFirst("//[^/@?]*@", "//");
    int query = redacted.indexOf('?');
    return query < 0 ? redacted : redacted.substring(0, query) + "?…";
  }

  private static void requirePositive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
  }

  private static void requireNotNegative(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative: " + value);
    }
  }

  /** Builds {@link CheckoutJobOptions}; starts from the defaults. */
  public static final class Builder {
    private String bootstrapServers = DEFAULT_BOOTSTRAP_SERVERS;
    private String topic = DEFAULT_TOPIC;
    private String deadLetterTopic = DEFAULT_DEAD_LETTER_TOPIC;
    private String groupId = DEFAULT_GROUP_ID;
    private String clickhouseUrl = DEFAULT_CLICKHOUSE_URL;
    private String clickhouseUser = DEFAULT_CLICKHOUSE_USER;
    private String clickhousePassword = "";
    private Duration window = DEFAULT_WINDOW;
    private Duration outOfOrderness = DEFAULT_OUT_OF_ORDERNESS;
    private Duration idleness = DEFAULT_IDLENESS;
    private Duration allowedLateness = DEFAULT_ALLOWED_LATENESS;
    private Duration inactivityTimeout = DEFAULT_INACTIVITY_TIMEOUT;
    private Duration maxCheckoutDuration = DEFAULT_MAX_CHECKOUT_DURATION;
    private Duration dedupTtl = DEFAULT_DEDUP_TTL;
    private EventGate gate = EventGate.DEFAULT;
    private Duration checkpointInterval = DEFAULT_CHECKPOINT_INTERVAL;
    private int parallelism = DEFAULT_PARALLELISM;
    private boolean bounded;
    private int jdbcBatchSize = DEFAULT_JDBC_BATCH_SIZE;
    private Duration jdbcFlushInterval = DEFAULT_JDBC_FLUSH_INTERVAL;
    private int salts = WindowAggregation.DEFAULT_SALTS;

    private Builder() {}

    private Builder(CheckoutJobOptions o) {
      bootstrapServers = o.bootstrapServers;
      topic = o.topic;
      deadLetterTopic = o.deadLetterTopic;
      groupId = o.groupId;
      clickhouseUrl = o.clickhouseUrl;
      clickhouseUser = o.clickhouseUser;
      clickhousePassword = o.clickhousePassword;
      window = o.window;
      outOfOrderness = o.outOfOrderness;
      idleness = o.idleness;
      allowedLateness = o.allowedLateness;
      inactivityTimeout = o.inactivityTimeout;
      maxCheckoutDuration = o.maxCheckoutDuration;
      dedupTtl = o.dedupTtl;
      gate = o.gate;
      checkpointInterval = o.checkpointInterval;
      parallelism = o.parallelism;
      bounded = o.bounded;
      jdbcBatchSize = o.jdbcBatchSize;
      jdbcFlushInterval = o.jdbcFlushInterval;
      salts = o.salts;
    }

    public Builder bootstrapServers(String value) {
      bootstrapServers = value;
      return this;
    }

    public Builder topic(String value) {
      topic = value;
      return this;
    }

    public Builder deadLetterTopic(String value) {
      deadLetterTopic = value;
      return this;
    }

    public Builder groupId(String value) {
      groupId = value;
      return this;
    }

    public Builder clickhouseUrl(String value) {
      clickhouseUrl = value;
      return this;
    }

    public Builder clickhouseUser(String value) {
      clickhouseUser = value;
      return this;
    }

    public Builder clickhousePassword(String value) {
      clickhousePassword = value;
      return this;
    }

    public Builder window(Duration value) {
      window = value;
      return this;
    }

    public Builder outOfOrderness(Duration value) {
      outOfOrderness = value;
      return this;
    }

    public Builder idleness(Duration value) {
      idleness = value;
      return this;
    }

    public Builder allowedLateness(Duration value) {
      allowedLateness = value;
      return this;
    }

    public Builder inactivityTimeout(Duration value) {
      inactivityTimeout = value;
      return this;
    }

    public Builder maxCheckoutDuration(Duration value) {
      maxCheckoutDuration = value;
      return this;
    }

    public Builder dedupTtl(Duration value) {
      dedupTtl = value;
      return this;
    }

    public Builder gate(EventGate value) {
      gate = value;
      return this;
    }

    public Builder checkpointInterval(Duration value) {
      checkpointInterval = value;
      return this;
    }

    public Builder parallelism(int value) {
      parallelism = value;
      return this;
    }

    public Builder bounded(boolean value) {
      bounded = value;
      return this;
    }

    public Builder jdbcBatchSize(int value) {
      jdbcBatchSize = value;
      return this;
    }

    public Builder jdbcFlushInterval(Duration value) {
      jdbcFlushInterval = value;
      return this;
    }

    public Builder salts(int value) {
      salts = value;
      return this;
    }

    /**
     * The options.
     *
     * @throws IllegalArgumentException if a value is out of range
     */
    public CheckoutJobOptions build() {
      return new CheckoutJobOptions(
          bootstrapServers,
          topic,
          deadLetterTopic,
          groupId,
          clickhouseUrl,
          clickhouseUser,
          clickhousePassword,
          window,
          outOfOrderness,
          idleness,
          allowedLateness,
          inactivityTimeout,
          maxCheckoutDuration,
          dedupTtl,
          gate,
          checkpointInterval,
          parallelism,
          bounded,
          jdbcBatchSize,
          jdbcFlushInterval,
          salts);
    }
  }
}
