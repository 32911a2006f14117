package io.cxpulse.jobs.pipeline;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.jobs.validation.EventValidator;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The Kafka source of gated records and the Kafka sinks of Avro records (dead letters, alerts) the
 * jobs use.
 */
public final class KafkaConnectors {

  private KafkaConnectors() {}

  /**
   * A source of {@link GateOutcome}s from a Kafka topic: every record passes {@code descriptor}'s
   * decoder and {@code validator} inside the source (see {@link GatingDeserializationSchema}), so
   * watermarks can be generated per partition from admitted events.
   *
   * <p>Starts from the group's committed offsets when it has them, else from the earliest offset,
   * and commits offsets back on each completed checkpoint (for monitoring; a restore uses the
   * offsets in the checkpoint). Bounded mode stops at the offsets that are latest when the job
   * starts, which makes a run finite for tests and backfills.
   */
  @SuppressWarnings("deprecation") // OffsetResetStrategy: the type this connector version takes
  public static <T extends SpecificRecord> KafkaSource<GateOutcome<T>> gatedSource(
      EventInput.Kafka input, EventDescriptor<T> descriptor, EventValidator<T> validator) {
    KafkaSourceBuilder<GateOutcome<T>> builder =
        KafkaSource.<GateOutcome<T>>builder()
            .setBootstrapServers(input.bootstrapServers())
            .setTopics(input.topic())
            .setGroupId(input.groupId())
            .setClientIdPrefix(input.groupId())
            .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
            .setDeserializer(new GatingDeserializationSchema<>(descriptor, validator));
    if (input.bounded()) {
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
    return atLeastOnceSink(bootstrapServers, new DeadLetterSerializationSchema(topic));
  }

  /**
   * An at-least-once sink writing what {@code serializer} makes of each element: the producer's
   * buffer is flushed on every checkpoint, and a replay after a failure may write a record again,
   * so the records need keys their consumers can deduplicate by.
   */
  public static <T> KafkaSink<T> atLeastOnceSink(
      String bootstrapServers, KafkaRecordSerializationSchema<T> serializer) {
    return KafkaSink.<T>builder()
        .setBootstrapServers(bootstrapServers)
        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
        .setRecordSerializer(serializer)
        .build();
  }

  /** Encodes an element in Avro single-object encoding, e.g. a generated class's toByteBuffer. */
  @FunctionalInterface
  public interface SingleObjectEncoder<T> extends Serializable {
    ByteBuffer encode(T element) throws IOException;
  }

  /**
   * Writes each element as one Kafka record of {@code topic}: the value in Avro single-object
   * encoding, the key a string derived from the element (UTF-8), no partition (the key's hash picks
   * it) and no timestamp. Public for tests and tools.
   *
   * @param <T> the element type
   */
  public static class SingleObjectSerializationSchema<T>
      implements KafkaRecordSerializationSchema<T> {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final SerializableFunction<T, String> key;
    private final SingleObjectEncoder<T> encoder;

    public SingleObjectSerializationSchema(
        String topic, SerializableFunction<T, String> key, SingleObjectEncoder<T> encoder) {
      this.topic = Objects.requireNonNull(topic, "topic");
      this.key = Objects.requireNonNull(key, "key");
      this.encoder = Objects.requireNonNull(encoder, "encoder");
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
        T element, KafkaSinkContext context, Long timestamp) {
      // No timestamp: the producer's current time. The stream timestamp may be an old event time,
      // which time-based retention would delete at once during a backfill.
      return new ProducerRecord<>(
          topic, null, null, key.apply(element).getBytes(StandardCharsets.UTF_8), encode(element));
    }

    private byte[] encode(T element) {
      try {
        ByteBuffer buffer = encoder.encode(element);
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
      } catch (IOException e) {
        // Only an I/O error of the in-memory encoder, i.e. a bug: fail loudly, never drop.
        throw new UncheckedIOException("cannot encode " + element, e);
      }
    }
  }

  /** Writes a {@link DeadLetter} as a Kafka record; public for tests and tools. */
  public static final class DeadLetterSerializationSchema
      extends SingleObjectSerializationSchema<DeadLetter> {

    private static final long serialVersionUID = 2L;

    public DeadLetterSerializationSchema(String topic) {
      super(topic, DeadLetterSerializationSchema::key, DeadLetter::toByteBuffer);
    }

    private static String key(DeadLetter deadLetter) {
      return deadLetter.getSourceTopic()
          + "-"
          + deadLetter.getSourcePartition()
          + "@"
          + deadLetter.getSourceOffset();
    }
  }
}
