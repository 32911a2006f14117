package io.cxpulse.jobs.generator;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.CheckoutEvent;
import io.cxpulse.jobs.codec.DecodeResult;
import io.cxpulse.jobs.codec.EventDecoder;
import io.cxpulse.jobs.codec.SchemaCatalog;
import io.cxpulse.jobs.generator.CheckoutBadRecords.BadCheckoutRecord;
import io.cxpulse.jobs.validation.CheckoutEventValidator;
import io.cxpulse.jobs.validation.RejectReason;
import io.cxpulse.jobs.validation.ValidationResult;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckoutBadRecordsTest {

  private static final SchemaCatalog CATALOG = SchemaCatalog.loadFromClasspath();
  private static final Instant REFERENCE = Instant.parse("2026-03-02T00:00:00Z");
  private static final List<CheckoutEvent> TEMPLATES =
      CheckoutTrafficGenerator.create(5, Instant.parse("2026-03-01T08:00:00Z"), 1).take(200);

  private final EventDecoder<CheckoutEvent> decoder = EventDecoder.checkout(CATALOG.store());
  private final CheckoutEventValidator validator = new CheckoutEventValidator();

  /** What the job's decode and validate steps say about a value; null when it is counted. */
  private RejectReason verdict(byte[] value, Instant referenceTime) {
    DecodeResult<CheckoutEvent> decoded = decoder.decode(value);
    if (!decoded.isOk()) {
      return decoded.reason();
    }
    ValidationResult validation = validator.validate(decoded.value(), referenceTime.toEpochMilli());
    return validation.isOk() ? null : validation.reason();
  }

  @Test
  void everyVariantIsRejectedForExactlyItsLabelledReasonWhateverTheTemplate() {
    for (CheckoutEvent template : TEMPLATES) {
      assertThat(verdict(BadRecords.encode(template), REFERENCE)).isNull();
      for (BadCheckoutRecord bad : CheckoutBadRecords.allVariants(template, REFERENCE)) {
        assertThat(verdict(bad.value(), REFERENCE))
            .as("%s of %s", bad, template)
            .isEqualTo(bad.reason());
        assertThat(verdict(bad.value(), REFERENCE.plus(Duration.ofDays(6))))
            .as("%s validated later", bad)
            .isEqualTo(bad.reason());
      }
    }
  }

  @Test
  void coverEveryReasonThatDecodingAndValidationDecideWithUniqueLabelsAndIds() {
    List<BadCheckoutRecord> bad = CheckoutBadRecords.allVariants(TEMPLATES.get(0), REFERENCE);
    assertThat(bad.stream().map(BadCheckoutRecord::reason).distinct())
        .containsExactlyInAnyOrderElementsOf(
            EnumSet.complementOf(EnumSet.of(RejectReason.DUPLICATE, RejectReason.TOO_LATE)));
    assertThat(bad).extracting(BadCheckoutRecord::label).doesNotHaveDuplicates().hasSize(13);
    for (BadCheckoutRecord record : bad) {
      record
          .decoded()
          .ifPresent(
              event -> {
                assertThat(decoder.decode(record.value()).value()).isEqualTo(event);
                assertThat(event.getEventId()).isNotEqualTo(TEMPLATES.get(0).getEventId());
                assertThat(event.getCheckoutId()).isNotEqualTo(TEMPLATES.get(0).getCheckoutId());
              });
    }
  }
}
