package io.cxpulse.jobs.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.events.DeadLetterReason;
import io.cxpulse.jobs.TestEvents;
import io.cxpulse.jobs.validation.RejectReason;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

  private static DeadLetter complete(DeadLetter.Builder builder) {
    return builder
        .setSourceTopic("cx.surveys")
        .setSourcePartition(3)
        .setSourceOffset(12_345L)
        .setDeadLetteredAt(TestEvents.NOW)
        .build();
  }

  @Test
  void keepsABoundedPrefixAndTheFullLength() {
    byte[] raw = new byte[5000];
    Arrays.fill(raw, (byte) 7);

    DeadLetter letter = complete(DeadLetters.builder(RejectReason.UNDECODABLE, "bad header", raw));

    assertThat(letter.getReason()).isEqualTo(DeadLetterReason.UNDECODABLE);
    assertThat(letter.getRawPrefix().remaining())
        .isEqualTo(DeadLetters.DEFAULT_MAX_RAW_PREFIX_BYTES);
    assertThat(letter.getRawLength()).isEqualTo(5000);
    assertThat(letter.getEventId()).isNull();
    assertThat(letter.getEventTime()).isNull();
  }

  @Test
  void keepsASmallValueWholeAndMarksATombstone() {
    DeadLetter small =
        complete(DeadLetters.builder(RejectReason.MISSING_FIELD, "x", new byte[] {1, 2, 3}, 16));
    DeadLetter tombstone = complete(DeadLetters.builder(RejectReason.UNDECODABLE, "x", null));

    assertThat(small.getRawPrefix()).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2, 3}));
    assertThat(small.getRawLength()).isEqualTo(3);
    assertThat(tombstone.getRawPrefix().remaining()).isZero();
    assertThat(tombstone.getRawLength()).isEqualTo(-1);
  }

  @Test
  void cutsALongDetailWithoutSplittingACharacter() {
    String longDetail = "x".repeat(DeadLetters.MAX_DETAIL_CHARS - 2) + "😀" + "tail";

    String cut = DeadLetters.truncate(longDetail);

    assertThat(cut).hasSizeLessThanOrEqualTo(DeadLetters.MAX_DETAIL_CHARS).endsWith("x…");
    assertThat(DeadLetters.truncate("short")).isEqualTo("short");
  }

  @Test
  void roundTripsThroughTheDeadLetterDecoder() throws Exception {
    DeadLetter letter =
        complete(
            DeadLetters.builder(
                    RejectReason.OUT_OF_RANGE, "score 11 outside NPS scale 0..10", new byte[] {9})
                .setEventId("evt-s-1")
                .setEventTime(TestEvents.NOW.minusSeconds(5)));
    ByteBuffer encoded = letter.toByteBuffer();
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);

    DecodeResult<DeadLetter> decoded =
        EventDecoder.deadLetters(SchemaCatalog.loadFromClasspath().store()).decode(bytes);

    assertThat(decoded.value()).isEqualTo(letter);
  }
}
