package io.cxpulse.jobs;

import io.cxpulse.jobs.pipeline.ClickHouseOptions;
import io.cxpulse.jobs.pipeline.EventGateOptions;
import io.cxpulse.jobs.pipeline.EventTimeOptions;
import io.cxpulse.jobs.pipeline.KafkaOptions;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import java.io.Serializable;

/**
 * What {@link MetricStream} reads from a metric job's options: the shared option groups and the
 * job's topics, consumer group and salts. The jobs' option records have these as components.
 */
public interface MetricJobOptions extends Serializable {

  /** The Kafka it reads and writes. */
  KafkaOptions kafka();

  /** The topic of the job's events. */
  String topic();

  /** The dead-letter topic. */
  String deadLetterTopic();

  /** Kafka consumer group, also the client id prefix. */
  String groupId();

  /** The ClickHouse it writes to. */
  ClickHouseOptions clickHouse();

  /** Window, watermarks and allowed lateness. */
  EventTimeOptions eventTime();

  /** De-duplication and plausibility bounds of the event gate. */
  EventGateOptions gate();

  /** Checkpoints, parallelism, bounded input, JDBC batching. */
  RuntimeOptions runtime();

  /** Pre-aggregation keys per window row. */
  int salts();
}
