package io.cxpulse.jobs.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.events.DeadLetterReason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RejectReasonTest {

  @Test
  void everyReasonHasADeadLetterCodeOfTheSameName() {
    for (RejectReason reason : RejectReason.values()) {
      assertThat(reason.toDeadLetterReason().name()).isEqualTo(reason.name());
    }
  }

  @Test
  void theDeadLetterEnumAddsOnlyItsReaderDefault() {
    List<String> expected = new ArrayList<>();
    Arrays.stream(RejectReason.values()).map(Enum::name).forEach(expected::add);
    expected.add("UNKNOWN");

    assertThat(Arrays.stream(DeadLetterReason.values()).map(Enum::name).toList())
        .containsExactlyElementsOf(expected);
    assertThat(DeadLetter.getClassSchema().getField("reason").schema().getEnumDefault())
        .isEqualTo("UNKNOWN");
  }
}
