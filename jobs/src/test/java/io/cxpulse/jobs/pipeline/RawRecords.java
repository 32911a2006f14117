package io.cxpulse.jobs.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecordBase;

/** Builds {@link RawRecord}s from events for tests. */
public final class RawRecords {

  /** The topic test records come from. */
  public static final String TOPIC = "cx.surveys";

  private RawRecords() {}

  /** {@code event} in single-object encoding at {@code offset} of partition 0. */
  public static RawRecord of(SpecificRecordBase event, long offset, Instant kafkaTimestamp) {
    return bytes(encode(event), offset, kafkaTimestamp);
  }

  /** {@code value} at {@code offset} of partition 0. */
  public static RawRecord bytes(byte[] value, long offset, Instant kafkaTimestamp) {
    return new RawRecord(
        TOPIC,
        0,
        offset,
        kafkaTimestamp == null ? RawRecord.NO_TIMESTAMP : kafkaTimestamp.toEpochMilli(),
        value);
  }

  /** The single-object encoding of {@code event}. */
  public static byte[] encode(SpecificRecordBase event) {
    try {
      ByteBuffer buffer = (ByteBuffer) event.getClass().getMethod("toByteBuffer").invoke(event);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (ReflectiveOperationException e) {
      if (e.getCause() instanceof IOException io) {
        throw new UncheckedIOException(io);
      }
      throw new IllegalStateException(e);
    }
  }
}
