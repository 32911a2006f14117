package io.cxpulse.jobs.pipeline;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.jobs.codec.DeadLetters;
import io.cxpulse.jobs.codec.Utf8Text;
import io.cxpulse.jobs.validation.RejectReason;
import java.time.Instant;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/**
 * The side output every pipeline function sends rejected records to, and the one place that fills a
 * {@link DeadLetter} from a {@link RawRecord}.
 */
public final class DeadLetterOutput {

  /** The dead-letter side output of the decode, de-duplication and late-data functions. */
  public static final OutputTag<DeadLetter> TAG =
      new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

  private DeadLetterOutput() {}

  /**
   * A dead letter for {@code source}, every field bounded (see {@link DeadLetters}) so that it fits
   * the dead-letter topic and table whatever the record held.
   *
   * @param deadLetteredAt when the job rejected the record, epoch milliseconds (processing time)
   * @param eventId the decoded event_id, null when the value did not decode; cut to {@link
   *     DeadLetters#MAX_EVENT_ID_BYTES}
   * @param eventTime the decoded event_time, null when the value did not decode
   */
  public static DeadLetter create(
      RejectReason reason,
      String detail,
      RawRecord source,
      long deadLetteredAt,
      String eventId,
      Instant eventTime) {
    String boundedId = DeadLetters.boundedEventId(eventId);
    String boundedDetail =
        boundedId == null || boundedId.equals(eventId)
            ? detail
            // First, so that cutting a long detail never cuts the mark.
            : "[event_id cut from " + Utf8Text.length(eventId) + " bytes] " + detail;
    return DeadLetters.builder(reason, boundedDetail, source.getValue())
        .setSourceTopic(source.getTopic())
        .setSourcePartition(source.getPartition())
        .setSourceOffset(source.getOffset())
        .setDeadLetteredAt(Instant.ofEpochMilli(deadLetteredAt))
        .setEventId(boundedId)
        .setEventTime(eventTime)
        .build();
  }
}
