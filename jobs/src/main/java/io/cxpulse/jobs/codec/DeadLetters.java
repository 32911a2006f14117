package io.cxpulse.jobs.codec;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.jobs.validation.RejectReason;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Starts {@link DeadLetter} records with the parts every rejection path fills the same way: the
 * reason code, a bounded detail and a bounded prefix of the raw value.
 *
 * <p>Bounded because a dead-letter topic that copies whole payloads can outgrow the input topics
 * when a producer goes bad; the prefix still shows the header, the fingerprint and usually the ids,
 * and Kafka topic, partition and offset locate the complete original.
 */
public final class DeadLetters {

  /** Default bound on {@code raw_prefix}. */
  public static final int DEFAULT_MAX_RAW_PREFIX_BYTES = 1024;

  /** Bound on {@code detail}; longer details are cut and end in "…". */
  public static final int MAX_DETAIL_CHARS = 1000;

  /**
   * Bound on {@code event_id} in UTF-8 bytes; a longer one is cut, ends in "…" and the detail says
   * so. The event's own event_id is only bounded by the gate once it decoded, and an over-long one
   * is exactly what gets dead-lettered: copied whole, a 1 MiB id made a dead letter larger than the
   * dead-letter topic takes, and the failing send restarted the job in a loop.
   */
  public static final int MAX_EVENT_ID_BYTES = 256;

  /**
   * With every field at its bound, a dead letter stays far below Kafka's default 1 MiB record limit
   * and ClickHouse's default limits: detail 1000 chars (at most 3000 bytes), raw prefix 1 KiB,
   * event_id 256 bytes (plus the 3-byte mark), the source topic at most Kafka's 249 chars.
   */
  public static final int MAX_SERIALIZED_BYTES = 8 * 1024;

  private DeadLetters() {}

  /** Like {@link #builder(RejectReason, String, byte[], int)} with a 1 KiB prefix bound. */
  public static DeadLetter.Builder builder(RejectReason reason, String detail, byte[] rawValue) {
    return builder(reason, detail, rawValue, DEFAULT_MAX_RAW_PREFIX_BYTES);
  }

  /**
   * A builder with reason, detail, raw_prefix and raw_length set. The caller sets the source
   * (topic, partition, offset), dead_lettered_at and, when known, event_id and event_time.
   *
   * @param rawValue the Kafka record value as received; null for a tombstone
   * @param maxRawPrefixBytes how many leading bytes of {@code rawValue} to keep, at least 0
   */
  public static DeadLetter.Builder builder(
      RejectReason reason, String detail, byte[] rawValue, int maxRawPrefixBytes) {
    if (maxRawPrefixBytes < 0) {
      throw new IllegalArgumentException("negative prefix bound: " + maxRawPrefixBytes);
    }
    byte[] prefix =
        rawValue == null
            ? new byte[0]
            : Arrays.copyOf(rawValue, Math.min(rawValue.length, maxRawPrefixBytes));
    return DeadLetter.newBuilder()
        .setReason(reason.toDeadLetterReason())
        .setDetail(truncate(detail))
        .setRawPrefix(ByteBuffer.wrap(prefix))
        .setRawLength(rawValue == null ? -1 : rawValue.length);
  }

  /**
   * {@code eventId} cut to at most {@link #MAX_EVENT_ID_BYTES} UTF-8 bytes and marked with "…", or
   * unchanged when it fits; null stays null.
   */
  public static String boundedEventId(String eventId) {
    return eventId == null ? null : Utf8Text.cut(eventId, MAX_EVENT_ID_BYTES);
  }

  static String truncate(String detail) {
    if (detail.length() <= MAX_DETAIL_CHARS) {
      return detail;
    }
    int end = MAX_DETAIL_CHARS - 1;
    // Never split a surrogate pair: half a character is not valid UTF-8 for Avro to write.
    if (Character.isHighSurrogate(detail.charAt(end - 1))) {
      end--;
    }
    return detail.substring(0, end) + "…";
  }
}
