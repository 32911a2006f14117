package io.cxpulse.jobs.pipeline;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One Kafka record as read, before decoding: the value bytes and where they came from (topic,
 * partition, offset) and the record's Kafka timestamp.
 *
 * <p>The sources emit this instead of decoded events so that decoding happens in a Flink function,
 * where a bad value becomes a dead letter with its Kafka coordinates instead of a deserialization
 * exception that fails (and, on restart, re-fails) the job.
 *
 * <p>A Flink POJO (public no-argument constructor, getters and setters), so Flink serializes it
 * with its own POJO serializer, not Kryo.
 */
public class RawRecord implements Serializable {

  private static final long serialVersionUID = 1L;

  /** {@link #getTimestamp()} of a record without a Kafka timestamp. */
  public static final long NO_TIMESTAMP = -1L;

  private String topic;
  private int partition;
  private long offset;
  private long timestamp = NO_TIMESTAMP;
  private byte[] value;

  /** For Flink's POJO serializer. */
  public RawRecord() {}

  /**
   * A record read from Kafka.
   *
   * @param timestamp the Kafka record timestamp in epoch milliseconds (create or log-append time,
   *     as the topic is configured), {@link #NO_TIMESTAMP} if the record has none
   * @param value the value bytes, null for a tombstone
   */
  public RawRecord(String topic, int partition, long offset, long timestamp, byte[] value) {
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.timestamp = timestamp;
    this.value = value;
  }

  /** The Kafka topic the record was read from. */
  /** The raw record of a Kafka record, its value unread. */
  public static RawRecord of(ConsumerRecord<byte[], byte[]> record) {
    return new RawRecord(
        record.topic(),
        record.partition(),
        record.offset(),
        record.timestamp() < 0 ? NO_TIMESTAMP : record.timestamp(),
        record.value());
  }

  public String getTopic() {
    return topic;
  }

  public void setTopic(String topic) {
    this.topic = topic;
  }

  /** The Kafka partition the record was read from. */
  public int getPartition() {
    return partition;
  }

  public void setPartition(int partition) {
    this.partition = partition;
  }

  /** The record's offset in its partition. */
  public long getOffset() {
    return offset;
  }

  public void setOffset(long offset) {
    this.offset = offset;
  }

  /** The Kafka timestamp in epoch milliseconds, {@link #NO_TIMESTAMP} if the record has none. */
  public long getTimestamp() {
    return timestamp;
  }

  public void setTimestamp(long timestamp) {
    this.timestamp = timestamp;
  }

  /** Whether the record carries a Kafka timestamp. */
  public boolean hasTimestamp() {
    return timestamp >= 0;
  }

  /** The value bytes as received (not copied), null for a tombstone. */
  public byte[] getValue() {
    return value;
  }

  public void setValue(byte[] value) {
    this.value = value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RawRecord other
        && partition == other.partition
        && offset == other.offset
        && timestamp == other.timestamp
        && Objects.equals(topic, other.topic)
        && Arrays.equals(value, other.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(topic, partition, offset);
  }

  @Override
  public String toString() {
    return "RawRecord{"
        + topic
        + "-"
        + partition
        + "@"
        + offset
        + ", timestamp="
        + timestamp
        + ", "
        + (value == null ? "tombstone" : value.length + " bytes")
        + "}";
  }
}
