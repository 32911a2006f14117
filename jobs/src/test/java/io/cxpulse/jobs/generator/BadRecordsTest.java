package io.cxpulse.jobs.generator;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.jobs.codec.DecodeResult;
import io.cxpulse.jobs.codec.EventDecoder;
import io.cxpulse.jobs.codec.SchemaCatalog;
import io.cxpulse.jobs.generator.BadRecords.BadRecord;
import io.cxpulse.jobs.validation.RejectReason;
import io.cxpulse.jobs.validation.SurveyResponseValidator;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class BadRecordsTest {

  private static final SchemaCatalog CATALOG = SchemaCatalog.loadFromClasspath();
  private static final Instant REFERENCE = Instant.parse("2025-06-02T00:00:00Z");
  private static final List<SurveyResponse> TEMPLATES =
      SurveyTrafficGenerator.create(5, Instant.parse("2025-06-01T08:00:00Z"), 1).take(60);

  private final EventDecoder<SurveyResponse> decoder = EventDecoder.surveys(CATALOG.store());
  private final SurveyResponseValidator validator = new SurveyResponseValidator();

  /** What the job's decode and validate steps say about a value; null when it is counted. */
  private RejectReason verdict(byte[] value, Instant referenceTime) {
    DecodeResult<SurveyResponse> decoded = decoder.decode(value);
    if (!decoded.isOk()) {
      return decoded.reason();
    }
    var validation = validator.validate(decoded.value(), referenceTime.toEpochMilli());
    return validation.isOk() ? null : validation.reason();
  }

  @Test
  void everyVariantIsRejectedForExactlyItsLabelledReasonWhateverTheTemplate() {
    // Templates of every survey type, channel and link variant the generator makes.
    for (SurveyResponse template : TEMPLATES) {
      assertThat(verdict(BadRecords.encode(template), REFERENCE)).isNull();
      for (BadRecord bad : BadRecords.allVariants(template, REFERENCE)) {
        assertThat(verdict(bad.value(), REFERENCE))
            .as("%s of %s", bad, template)
            .isEqualTo(bad.reason());
        // Still rejected when the job validates days later.
        assertThat(verdict(bad.value(), REFERENCE.plus(Duration.ofDays(6))))
            .as("%s validated later", bad)
            .isEqualTo(bad.reason());
      }
    }
  }

  @Test
  void oneOfEachCoversEveryReasonThatDecodingAndValidationDecide() {
    List<BadRecord> bad = BadRecords.oneOfEach(TEMPLATES.get(0), REFERENCE);

    assertThat(bad)
        .extracting(BadRecord::reason)
        .containsExactly(
            RejectReason.UNDECODABLE,
            RejectReason.UNKNOWN_SCHEMA,
            RejectReason.MISSING_FIELD,
            RejectReason.OUT_OF_RANGE,
            RejectReason.FUTURE_EVENT_TIME,
            RejectReason.IMPLAUSIBLE_EVENT_TIME,
            RejectReason.OVERSIZE,
            RejectReason.INVALID_TEXT);
    assertThat(EnumSet.complementOf(EnumSet.of(RejectReason.DUPLICATE, RejectReason.TOO_LATE)))
        .containsExactlyInAnyOrderElementsOf(bad.stream().map(BadRecord::reason).toList());
    assertThat(BadRecords.allVariants(TEMPLATES.get(0), REFERENCE))
        .extracting(BadRecord::label)
        .doesNotHaveDuplicates()
        .hasSize(14);
  }

  @Test
  void decodableVariantsDecodeToTheResponseTheyDescribe() {
    for (BadRecord bad : BadRecords.allVariants(TEMPLATES.get(0), REFERENCE)) {
      DecodeResult<SurveyResponse> decoded = decoder.decode(bad.value());
      assertThat(decoded.isOk()).as("%s", bad).isEqualTo(bad.decoded().isPresent());
      bad.decoded().ifPresent(response -> assertThat(decoded.value()).isEqualTo(response));
    }
  }

  @Test
  void badRecordsNeverReuseTheTemplatesIds() {
    SurveyResponse template = TEMPLATES.get(0);
    for (BadRecord bad : BadRecords.allVariants(template, REFERENCE)) {
      bad.decoded()
          .ifPresent(
              response -> {
                assertThat(response.getEventId()).isNotEqualTo(template.getEventId());
                assertThat(response.getResponseId()).isNotEqualTo(template.getResponseId());
              });
      assertThat(bad.key()).isNotEqualTo(template.getResponseId()).isNotBlank();
    }
  }

  @Test
  void unknownSchemaHasAValidHeaderAndAFingerprintTheCatalogLacks() {
    byte[] value = BadRecords.unknownSchema(TEMPLATES.get(0)).value();

    assertThat(value[0]).isEqualTo((byte) 0xC3);
    assertThat(value[1]).isEqualTo((byte) 0x01);
    long fingerprint = ByteBuffer.wrap(value, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(CATALOG.findByFingerprint(fingerprint)).isEmpty();
  }

  @Test
  void truncatedKeepsTheHeaderOfAKnownSchema() {
    SurveyResponse template = TEMPLATES.get(0);
    byte[] whole = BadRecords.encode(template);
    byte[] cut = BadRecords.truncated(template).value();

    assertThat(cut.length).isGreaterThan(10).isLessThan(whole.length);
    long fingerprint = ByteBuffer.wrap(cut, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(CATALOG.findByFingerprint(fingerprint)).isPresent();
  }

  @Test
  void futureEventTimeIsFarAheadOfTheReferenceTime() {
    SurveyResponse future =
        BadRecords.futureEventTime(TEMPLATES.get(0), REFERENCE).decoded().orElseThrow();

    assertThat(future.getEventTime()).isEqualTo(REFERENCE.plus(BadRecords.FUTURE_LEAD));
  }
}
