package io.cxpulse.jobs.pipeline;

import io.cxpulse.events.DeadLetter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerRecord;

/** The Kafka source of raw records and the Kafka sink of dead letters every job uses. */
public final class KafkaConnectors {

  private KafkaConnectors() {}

  /**
   * A source of {@link RawRecord}s from {@code topic}.
   *
   * <p>Starts from the group's committed offsets when it has them, else from the earliest offset,
   * and commits offsets back on each completed checkpoint (for monitoring; a restore uses the
   * offsets in the checkpoint). Bounded mode stops at the offsets that are latest when the job
   * starts, which makes a run finite for tests and backfills.
   */
  @SuppressWarnings("deprecation") // OffsetResetStrategy: the type this connector version takes
  public static KafkaSource<RawRecord> rawRecordSource(
      String bootstrapServers, String topic, String groupId, boolean bounded) {
    KafkaSourceBuilder<RawRecord> builder =
        KafkaSource.<RawRecord>builder()
            .setBootstrapServers(bootstrapServers)
            .setTopics(topic)
            .setGroupId(groupId)
            .setClientIdPrefix(groupId)
            .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
            .setDeserializer(new RawRecordDeserializationSchema());
    if (bounded) {
      builder.setBounded(OffsetsInitializer.latest());
    }
    return builder.build();
  }

  /**
   * An at-least-once sink writing dead letters to {@code topic} in Avro single-object encoding
   * (readable with {@code EventDecoder.deadLetters}), keyed by source topic, partition and offset
   * so that a replayed dead letter lands next to its first copy. Buffered records are flushed on
   * every checkpoint.
   */
  public static KafkaSink<DeadLetter> deadLetterSink(String bootstrapServers, String topic) {
    return KafkaSink.<DeadLetter>builder()
        .setBootstrapServers(bootstrapServers)
        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
        .setRecordSerializer(new DeadLetterSerializationSchema(topic))
        .build();
  }

  /** Writes a {@link DeadLetter} as a Kafka record; public for tests and tools. */
  public static final class DeadLetterSerializationSchema
      implements KafkaRecordSerializationSchema<DeadLetter> {

    private static final long serialVersionUID = 1L;

    private final String topic;

    public DeadLetterSerializationSchema(String topic) {
      this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
        DeadLetter deadLetter, KafkaSinkContext context, Long timestamp) {
      byte[] key =
          (deadLetter.getSourceTopic()
                  + "-"
                  + deadLetter.getSourcePartition()
                  + "@"
                  + deadLetter.getSourceOffset())
              .getBytes(StandardCharsets.UTF_8);
      // No timestamp: the producer's current time. The stream timestamp may be an old event time,
      // which time-based retention would delete at once during a backfill.
      return new ProducerRecord<>(topic, null, null, key, encode(deadLetter));
    }

    private static byte[] encode(DeadLetter deadLetter) {
      try {
        ByteBuffer buffer = deadLetter.toByteBuffer();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
      } catch (IOException e) {
        // Only an I/O error of the in-memory encoder, i.e. a bug: fail loudly, never drop.
        throw new UncheckedIOException("cannot encode dead letter " + deadLetter, e);
      }
    }
  }
}
