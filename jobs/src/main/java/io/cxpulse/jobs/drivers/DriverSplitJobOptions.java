package io.cxpulse.jobs.drivers;

import io.cxpulse.jobs.aggregate.WindowAggregation;
import io.cxpulse.jobs.pipeline.ClickHouseOptions;
import io.cxpulse.jobs.pipeline.Durations;
import io.cxpulse.jobs.pipeline.EventGateOptions;
import io.cxpulse.jobs.pipeline.EventTimeOptions;
import io.cxpulse.jobs.pipeline.KafkaOptions;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import io.cxpulse.jobs.survey.SurveyJobOptions;
import io.cxpulse.jobs.tickets.TicketJobOptions;
import io.cxpulse.jobs.tickets.sla.SlaTargets;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Configuration of the driver split job: the option groups every job shares and its own topics,
 * consumer group, SLA targets, join horizon and salts. Parsed from the command line by {@link
 * DriverSplitJob#main}; tests and the local mode construct it.
 *
 * <p>The ticket half of the job runs the ticket job's own rules, so its options are expressed as
 * {@link TicketJobOptions} too ({@link #ticketOptions()}): the same SLA targets file handling, the
 * same state retention.
 *
 * @param kafka the Kafka it reads
 * @param ticketTopic the ticket event topic
 * @param surveyTopic the survey response topic
 * @param groupId Kafka consumer group, also the client id prefix (one per topic: {@code
 *     <groupId>-tickets}, {@code <groupId>-surveys})
 * @param clickHouse the ClickHouse it writes to
 * @param slaTargetsFile the SLA targets YAML file, or empty for the bundled {@value
 *     SlaTargets#DEFAULT_RESOURCE}
 * @param eventTime window of the rows (by the survey's event time), watermarks and allowed lateness
 *     (how long after its window's end a late event still counts), both topics
 * @param joinHorizon how far apart in event time a survey and its ticket's first-response outcome
 *     may be
 * @param gate de-duplication and plausibility bounds of the event gate
 * @param runtime checkpoints (the sink flushes on them), parallelism, bounded input, JDBC batching
 * @param salts pre-aggregation keys per window row (see {@link WindowAggregation})
 */
public record DriverSplitJobOptions(
    KafkaOptions kafka,
    String ticketTopic,
    String surveyTopic,
    String groupId,
    ClickHouseOptions clickHouse,
    String slaTargetsFile,
    EventTimeOptions eventTime,
    Duration joinHorizon,
    EventGateOptions gate,
    RuntimeOptions runtime,
    int salts)
    implements Serializable {

  public static final String DEFAULT_GROUP_ID = "cx-pulse-drivers";

  /**
   * One hour: the split is read over days, and every window is kept for the join horizon, so small
   * windows would only multiply state.
   */
  public static final String DEFAULT_WINDOW_TEXT = "PT1H";

  public static final Duration DEFAULT_WINDOW = Duration.parse(DEFAULT_WINDOW_TEXT);

  /** A week: post-resolution surveys are answered within days of the ticket. */
  public static final String DEFAULT_JOIN_HORIZON_TEXT = "P7D";

  public static final Duration DEFAULT_JOIN_HORIZON = Duration.parse(DEFAULT_JOIN_HORIZON_TEXT);

  private static final long serialVersionUID = 2L;

  /** Checks the values; see the parameters for their meaning. */
  public DriverSplitJobOptions {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(ticketTopic, "ticketTopic");
    Objects.requireNonNull(surveyTopic, "surveyTopic");
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(clickHouse, "clickHouse");
    slaTargetsFile =
        slaTargetsFile == null ? TicketJobOptions.BUNDLED_SLA_TARGETS : slaTargetsFile.strip();
    Objects.requireNonNull(eventTime, "eventTime");
    Durations.requirePositive("join horizon", joinHorizon);
    Objects.requireNonNull(gate, "gate");
    Objects.requireNonNull(runtime, "runtime");
    WindowAggregation.requireSalts(salts);
  }

  /** All defaults. */
  public static DriverSplitJobOptions defaults() {
    return new DriverSplitJobOptions(
        KafkaOptions.DEFAULTS,
        TicketJobOptions.DEFAULT_TOPIC,
        SurveyJobOptions.DEFAULT_TOPIC,
        DEFAULT_GROUP_ID,
        ClickHouseOptions.DEFAULTS,
        TicketJobOptions.BUNDLED_SLA_TARGETS,
        new EventTimeOptions(
            DEFAULT_WINDOW,
            EventTimeOptions.DEFAULT_OUT_OF_ORDERNESS,
            EventTimeOptions.DEFAULT_IDLENESS,
            EventTimeOptions.DEFAULT_ALLOWED_LATENESS),
        DEFAULT_JOIN_HORIZON,
        EventGateOptions.DEFAULTS,
        RuntimeOptions.DEFAULTS,
        WindowAggregation.DEFAULT_SALTS);
  }

  /** The ticket half as ticket job options: topic, window, lateness, SLA targets. */
  public TicketJobOptions ticketOptions() {
    return new TicketJobOptions(
        kafka,
        ticketTopic,
        KafkaOptions.DEFAULT_DEAD_LETTER_TOPIC,
        groupId,
        clickHouse,
        slaTargetsFile,
        eventTime,
        gate,
        runtime,
        salts);
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
    return eventTime.allowedLateness().plus(eventTime.window());
  }
}
