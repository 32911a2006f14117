package io.cxpulse.jobs.pipeline;

import java.util.Objects;
import org.apache.flink.api.connector.source.Source;

/**
 * Where a job reads its events from. {@link Kafka} is production: the gate runs inside the Kafka
 * source and watermarks are generated per partition. {@link Raw} is any other source of {@link
 * RawRecord}s (tests, tools): the gate runs as an operator after it and watermarks are generated
 * per source subtask, so such a source should not mix records far apart in event time in one
 * subtask.
 */
public sealed interface EventInput permits EventInput.Kafka, EventInput.Raw {

  /**
   * A Kafka topic: starts from the group's committed offsets when it has them, else from the
   * earliest offset; bounded mode stops at the offsets that are latest when the job starts.
   */
  static EventInput kafka(String bootstrapServers, String topic, String groupId, boolean bounded) {
    return new Kafka(bootstrapServers, topic, groupId, bounded);
  }

  /** Any source of raw records; it must not assign watermarks, the job does after the gate. */
  static EventInput of(Source<RawRecord, ?, ?> source) {
    return new Raw(source);
  }

  /** A Kafka topic, read through {@link KafkaConnectors#gatedSource}. */
  record Kafka(String bootstrapServers, String topic, String groupId, boolean bounded)
      implements EventInput {
    public Kafka {
      Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      Objects.requireNonNull(topic, "topic");
      Objects.requireNonNull(groupId, "groupId");
    }
  }

  /** A source of raw records. */
  record Raw(Source<RawRecord, ?, ?> source) implements EventInput {
    public Raw {
      Objects.requireNonNull(source, "source");
    }
  }
}
