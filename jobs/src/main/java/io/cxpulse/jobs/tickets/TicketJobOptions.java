package io.cxpulse.jobs.tickets;

import io.cxpulse.jobs.MetricJobOptions;
import io.cxpulse.jobs.aggregate.WindowAggregation;
import io.cxpulse.jobs.pipeline.ClickHouseOptions;
import io.cxpulse.jobs.pipeline.EventGateOptions;
import io.cxpulse.jobs.pipeline.EventTimeOptions;
import io.cxpulse.jobs.pipeline.KafkaOptions;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import io.cxpulse.jobs.tickets.sla.SlaTargets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Configuration of the ticket job: the option groups every job shares and its own topics, consumer
 * group, SLA targets and salts. Parsed from the command line by {@link TicketJob#main}; tests and
 * the local mode construct it.
 *
 * @param kafka the Kafka it reads and writes
 * @param topic the ticket event topic
 * @param deadLetterTopic the dead-letter topic
 * @param groupId Kafka consumer group, also the client id prefix
 * @param clickHouse the ClickHouse it writes to
 * @param slaTargetsFile the SLA targets YAML file, or empty for the bundled {@value
 *     SlaTargets#DEFAULT_RESOURCE}
 * @param eventTime window, watermarks and allowed lateness (how long after a window's end a late
 *     event still updates it; events of a window older than that are dead-lettered as TOO_LATE)
 * @param gate de-duplication and plausibility bounds of the event gate
 * @param runtime checkpoints, parallelism, bounded input, JDBC batching
 * @param salts pre-aggregation keys per window row (see {@link WindowAggregation})
 */
public record TicketJobOptions(
    KafkaOptions kafka,
    String topic,
    String deadLetterTopic,
    String groupId,
    ClickHouseOptions clickHouse,
    String slaTargetsFile,
    EventTimeOptions eventTime,
    EventGateOptions gate,
    RuntimeOptions runtime,
    int salts)
    implements MetricJobOptions {

  public static final String DEFAULT_TOPIC = "cx.tickets";
  public static final String DEFAULT_GROUP_ID = "cx-pulse-tickets";

  /** {@link #slaTargetsFile()} meaning "the bundled targets". */
  public static final String BUNDLED_SLA_TARGETS = "";

  private static final long serialVersionUID = 2L;

  /** Checks the values; see the parameters for their meaning. */
  public TicketJobOptions {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(clickHouse, "clickHouse");
    slaTargetsFile = slaTargetsFile == null ? BUNDLED_SLA_TARGETS : slaTargetsFile.strip();
    Objects.requireNonNull(eventTime, "eventTime");
    Objects.requireNonNull(gate, "gate");
    Objects.requireNonNull(runtime, "runtime");
    WindowAggregation.requireSalts(salts);
  }

  /** All defaults. */
  public static TicketJobOptions defaults() {
    return new TicketJobOptions(
        KafkaOptions.DEFAULTS,
        DEFAULT_TOPIC,
        KafkaOptions.DEFAULT_DEAD_LETTER_TOPIC,
        DEFAULT_GROUP_ID,
        ClickHouseOptions.DEFAULTS,
        BUNDLED_SLA_TARGETS,
        EventTimeOptions.DEFAULTS,
        EventGateOptions.DEFAULTS,
        RuntimeOptions.DEFAULTS,
        WindowAggregation.DEFAULT_SALTS);
  }

  /**
   * The SLA targets: read from {@link #slaTargetsFile()}, or the bundled ones.
   *
   * @throws UncheckedIOException if the file cannot be read
   * @throws IllegalArgumentException if it is invalid (the message names the line and key)
   */
  public SlaTargets slaTargets() {
    if (slaTargetsFile.isEmpty()) {
      return SlaTargets.defaults();
    }
    try {
      return SlaTargets.load(Path.of(slaTargetsFile));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the SLA targets file " + slaTargetsFile, e);
    }
  }
}
