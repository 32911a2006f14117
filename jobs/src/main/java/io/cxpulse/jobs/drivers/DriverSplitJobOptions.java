package io.cxpulse.jobs.drivers;

import io.cxpulse.jobs.aggregate.WindowAggregation;
import io.cxpulse.jobs.survey.SurveyJobOptions;
import io.cxpulse.jobs.tickets.TicketJobOptions;
import io.cxpulse.jobs.tickets.sla.SlaTargets;
import io.cxpulse.jobs.validation.EventGate;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Configuration of the driver split job, with named defaults; parsed from the command line by
 * {@link DriverSplitJob#main}, built with {@link #builder()} in tests and the local mode.
 *
 * <p>The ticket half of the job runs the ticket job's own rules, so its options are expressed as
 * {@link TicketJobOptions} too ({@link #ticketOptions()}): the same validation, the same SLA
 * targets file handling, the same state retention.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param ticketTopic the ticket event topic
 * @param surveyTopic the survey response topic
 * @param groupId Kafka consumer group, also the client id prefix (one per topic: {@code
 *     <groupId>-tickets}, {@code <groupId>-surveys})
 * @param clickhouseUrl ClickHouse JDBC URL
 * @param clickhouseUser ClickHouse user
 * @param clickhousePassword ClickHouse password, empty for none; never printed
 * @param window tumbling window size of the rows (by the survey's event time)
 * @param outOfOrderness watermark out-of-orderness bound, both topics
 * @param idleness after how long without events an input stops holding back the watermark
 * @param allowedLateness how long after its window's end a late event still counts, both topics
 * @param dedupTtl how long (processing time) an event_id is remembered for de-duplication
 * @param gate the plausibility bounds of the event gate (future skew, earliest event time, longest
 *     string)
 * @param joinHorizon how far apart in event time a survey and its ticket's first-response outcome
 *     may be
 * @param checkpointInterval checkpoint interval; the sink flushes on checkpoints
 * @param parallelism job parallelism, or {@link TicketJobOptions#DEFAULT_PARALLELISM}
 * @param bounded stop at the offsets that are latest at start (tests, backfills)
 * @param jdbcBatchSize rows per JDBC batch
 * @param jdbcFlushInterval longest time a row waits in a JDBC batch
 * @param salts pre-aggregation keys per window row (see {@link WindowAggregation})
 * @param slaTargetsFile the SLA targets YAML file, or empty for the bundled {@value
 *     SlaTargets#DEFAULT_RESOURCE}
 */
public record DriverSplitJobOptions(
    String bootstrapServers,
    String ticketTopic,
    String surveyTopic,
    String groupId,
    String clickhouseUrl,
    String clickhouseUser,
    String clickhousePassword,
    Duration window,
    Duration outOfOrderness,
    Duration idleness,
    Duration allowedLateness,
    Duration dedupTtl,
    EventGate gate,
    Duration joinHorizon,
    Duration checkpointInterval,
    int parallelism,
    boolean bounded,
    int jdbcBatchSize,
    Duration jdbcFlushInterval,
    int salts,
    String slaTargetsFile)
    implements Serializable {

  public static final String DEFAULT_GROUP_ID = "cx-pulse-drivers";

  /**
   * One hour: the split is read over days, and every window is kept for the join horizon, so small
   * windows would only multiply state.
   */
  public static final Duration DEFAULT_WINDOW = Duration.ofHours(1);

  /** A week: post-resolution surveys are answered within days of the ticket. */
  public static final Duration DEFAULT_JOIN_HORIZON = Duration.ofDays(7);

  private static final long serialVersionUID = 1L;

  /** Checks the values; see the parameters for their meaning. */
  public DriverSplitJobOptions {
    Objects.requireNonNull(ticketTopic, "ticketTopic");
    Objects.requireNonNull(surveyTopic, "surveyTopic");
    Objects.requireNonNull(joinHorizon, "joinHorizon");
    if (joinHorizon.isNegative() || joinHorizon.isZero()) {
      throw new IllegalArgumentException("join horizon must be positive: " + joinHorizon);
    }
    clickhousePassword = clickhousePassword == null ? "" : clickhousePassword;
    slaTargetsFile =
        slaTargetsFile == null ? TicketJobOptions.BUNDLED_SLA_TARGETS : slaTargetsFile.strip();
    // The shared options are checked by the ticket job's own rules.
    ticketOptions(
        bootstrapServers,
        ticketTopic,
        groupId,
        clickhouseUrl,
        clickhouseUser,
        clickhousePassword,
        window,
        outOfOrderness,
        idleness,
        allowedLateness,
        dedupTtl,
        gate,
        checkpointInterval,
        parallelism,
        bounded,
        jdbcBatchSize,
        jdbcFlushInterval,
        salts,
        slaTargetsFile);
  }

  /** All defaults. */
  public static DriverSplitJobOptions defaults() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Whether a parallelism was set. */
  public boolean hasParallelism() {
    return parallelism != TicketJobOptions.DEFAULT_PARALLELISM;
  }

  /** The ticket half as ticket job options: topic, window, lateness, SLA targets. */
  public TicketJobOptions ticketOptions() {
    return ticketOptions(
        bootstrapServers,
        ticketTopic,
        groupId,
        clickhouseUrl,
        clickhouseUser,
        clickhousePassword,
        window,
        outOfOrderness,
        idleness,
        allowedLateness,
        dedupTtl,
        gate,
        checkpointInterval,
        parallelism,
        bounded,
        jdbcBatchSize,
        jdbcFlushInterval,
        salts,
        slaTargetsFile);
  }

  /** The SLA targets: read from {@link #slaTargetsFile()}, or the bundled ones. */
  public SlaTargets slaTargets() {
    return ticketOptions().slaTargets();
  }

  /**
   * How long after a ticket fact's time the ticket pipeline may still correct it: allowed lateness
   * plus one window (the de-duplication gate's bound).
   */
  public Duration settle() {
    return allowedLateness.plus(window);
  }

  /** Like the record's, but the password shows only whether one is set. */
  @Override
  public String toString() {
    return "DriverSplitJobOptions[surveyTopic="
        + surveyTopic
        + ", joinHorizon="
        + joinHorizon
        + ", "
        + ticketOptions()
        + "]";
  }

  @SuppressWarnings("java:S107") // the record's components, in order
  private static TicketJobOptions ticketOptions(
      String bootstrapServers,
      String ticketTopic,
      String groupId,
      String clickhouseUrl,
      String clickhouseUser,
      String clickhousePassword,
      Duration window,
      Duration outOfOrderness,
      Duration idleness,
      Duration allowedLateness,
      Duration dedupTtl,
      EventGate gate,
      Duration checkpointInterval,
      int parallelism,
      boolean bounded,
      int jdbcBatchSize,
      Duration jdbcFlushInterval,
      int salts,
      String slaTargetsFile) {
    return TicketJobOptions.builder()
        .bootstrapServers(bootstrapServers)
        .topic(ticketTopic)
        .groupId(groupId)
        .clickhouseUrl(clickhouseUrl)
        .clickhouseUser(clickhouseUser)
        .clickhousePassword(clickhousePassword)
        .window(window)
        .outOfOrderness(outOfOrderness)
        .idleness(idleness)
        .allowedLateness(allowedLateness)
        .dedupTtl(dedupTtl)
        .gate(gate)
        .checkpointInterval(checkpointInterval)
        .parallelism(parallelism)
        .bounded(bounded)
        .jdbcBatchSize(jdbcBatchSize)
        .jdbcFlushInterval(jdbcFlushInterval)
        .salts(salts)
        .slaTargetsFile(slaTargetsFile)
        .build();
  }

  /** Builds {@link DriverSplitJobOptions}; starts from the defaults. */
  public static final class Builder {
    private String bootstrapServers = TicketJobOptions.DEFAULT_BOOTSTRAP_SERVERS;
    private String ticketTopic = TicketJobOptions.DEFAULT_TOPIC;
    private String surveyTopic = SurveyJobOptions.DEFAULT_TOPIC;
    private String groupId = DEFAULT_GROUP_ID;
    private String clickhouseUrl = TicketJobOptions.DEFAULT_CLICKHOUSE_URL;
    private String clickhouseUser = TicketJobOptions.DEFAULT_CLICKHOUSE_USER;
    private String clickhousePassword = "";
    private Duration window = DEFAULT_WINDOW;
    private Duration outOfOrderness = TicketJobOptions.DEFAULT_OUT_OF_ORDERNESS;
    private Duration idleness = TicketJobOptions.DEFAULT_IDLENESS;
    private Duration allowedLateness = TicketJobOptions.DEFAULT_ALLOWED_LATENESS;
    private Duration dedupTtl = TicketJobOptions.DEFAULT_DEDUP_TTL;
    private EventGate gate = EventGate.DEFAULT;
    private Duration joinHorizon = DEFAULT_JOIN_HORIZON;
    private Duration checkpointInterval = TicketJobOptions.DEFAULT_CHECKPOINT_INTERVAL;
    private int parallelism = TicketJobOptions.DEFAULT_PARALLELISM;
    private boolean bounded;
    private int jdbcBatchSize = TicketJobOptions.DEFAULT_JDBC_BATCH_SIZE;
    private Duration jdbcFlushInterval = TicketJobOptions.DEFAULT_JDBC_FLUSH_INTERVAL;
    private int salts = WindowAggregation.DEFAULT_SALTS;
    private String slaTargetsFile = TicketJobOptions.BUNDLED_SLA_TARGETS;

    private Builder() {}

    public Builder bootstrapServers(String value) {
      bootstrapServers = value;
      return this;
    }

    public Builder ticketTopic(String value) {
      ticketTopic = value;
      return this;
    }

    public Builder surveyTopic(String value) {
      surveyTopic = value;
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

    public Builder dedupTtl(Duration value) {
      dedupTtl = value;
      return this;
    }

    public Builder gate(EventGate value) {
      gate = value;
      return this;
    }

    public Builder joinHorizon(Duration value) {
      joinHorizon = value;
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

    /** The SLA targets YAML file; empty (the default) for the bundled targets. */
    public Builder slaTargetsFile(String value) {
      slaTargetsFile = value;
      return this;
    }

    /**
     * The options.
     *
     * @throws IllegalArgumentException if a value is out of range
     */
    public DriverSplitJobOptions build() {
      return new DriverSplitJobOptions(
          bootstrapServers,
          ticketTopic,
          surveyTopic,
          groupId,
          clickhouseUrl,
          clickhouseUser,
          clickhousePassword,
          window,
          outOfOrderness,
          idleness,
          allowedLateness,
          dedupTtl,
          gate,
          joinHorizon,
          checkpointInterval,
          parallelism,
          bounded,
          jdbcBatchSize,
          jdbcFlushInterval,
          salts,
          slaTargetsFile);
    }
  }
}
