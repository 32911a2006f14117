package io.cxpulse.jobs.survey;

import io.cxpulse.jobs.MetricJobOptions;
import io.cxpulse.jobs.aggregate.WindowAggregation;
import io.cxpulse.jobs.pipeline.ClickHouseOptions;
import io.cxpulse.jobs.pipeline.EventGateOptions;
import io.cxpulse.jobs.pipeline.EventTimeOptions;
import io.cxpulse.jobs.pipeline.KafkaOptions;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import java.util.Objects;

/**
 * Configuration of the survey job: the option groups every job shares and its own topics, consumer
 * group and salts. Parsed from the command line by {@link SurveyJob#main}; tests and the local mode
 * construct it.
 *
 * @param kafka the Kafka it reads and writes
 * @param topic the survey response topic
 * @param deadLetterTopic the dead-letter topic
 * @param groupId Kafka consumer group, also the client id prefix
 * @param clickHouse the ClickHouse it writes to
 * @param eventTime window, watermarks and allowed lateness (how long after a window's end late
 *     responses still update it)
 * @param gate de-duplication and plausibility bounds of the event gate
 * @param runtime checkpoints, parallelism, bounded input, JDBC batching
 * @param salts pre-aggregation keys per window row (see {@link WindowAggregation})
 */
public record SurveyJobOptions(
    KafkaOptions kafka,
    String topic,
    String deadLetterTopic,
    String groupId,
    ClickHouseOptions clickHouse,
    EventTimeOptions eventTime,
    EventGateOptions gate,
    RuntimeOptions runtime,
    int salts)
    implements MetricJobOptions {

  public static final String DEFAULT_TOPIC = "cx.surveys";
  public static final String DEFAULT_GROUP_ID = "cx-pulse-survey";

  private static final long serialVersionUID = 2L;

  /** Checks the values; see the parameters for their meaning. */
  public SurveyJobOptions {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(clickHouse, "clickHouse");
    Objects.requireNonNull(eventTime, "eventTime");
    Objects.requireNonNull(gate, "gate");
    Objects.requireNonNull(runtime, "runtime");
    WindowAggregation.requireSalts(salts);
  }

  /** All defaults. */
  public static SurveyJobOptions defaults() {
    return new SurveyJobOptions(
        KafkaOptions.DEFAULTS,
        DEFAULT_TOPIC,
        KafkaOptions.DEFAULT_DEAD_LETTER_TOPIC,
        DEFAULT_GROUP_ID,
        ClickHouseOptions.DEFAULTS,
        EventTimeOptions.DEFAULTS,
        EventGateOptions.DEFAULTS,
        RuntimeOptions.DEFAULTS,
        WindowAggregation.DEFAULT_SALTS);
  }
}
