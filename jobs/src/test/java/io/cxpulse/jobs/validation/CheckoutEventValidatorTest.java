package io.cxpulse.jobs.validation;

import static io.cxpulse.jobs.TestEvents.NOW;
import static io.cxpulse.jobs.TestEvents.checkout;
import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.FunnelStep;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CheckoutEventValidatorTest {

  private final CheckoutEventValidator validator = new CheckoutEventValidator();
  private final long now = NOW.toEpochMilli();

  @Test
  void acceptsAValidEvent() {
    assertThat(validator.validate(checkout().build(), now).isOk()).isTrue();
    assertThat(validator.validate(checkout().setPaymentFailureReason(null).build(), now).isOk())
        .isTrue();
  }

  @Test
  void acceptsAStepNewerThanThisReader() {
    assertThat(validator.validate(checkout().setStep(FunnelStep.UNKNOWN).build(), now).isOk())
        .isTrue();
  }

  @Test
  void rejectsBlankIdsAndSegment() {
    assertThat(validator.validate(checkout().setEventId("").build(), now))
        .isEqualTo(ValidationResult.reject(RejectReason.MISSING_FIELD, "event_id is blank"));
    assertThat(validator.validate(checkout().setCheckoutId("  ").build(), now))
        .isEqualTo(ValidationResult.reject(RejectReason.MISSING_FIELD, "checkout_id is blank"));
    assertThat(validator.validate(checkout().setSegment("").build(), now))
        .isEqualTo(ValidationResult.reject(RejectReason.MISSING_FIELD, "segment is blank"));
  }

  @Test
  void rejectsANegativeCartValueAndAMalformedCurrency() {
    ValidationResult negative = validator.validate(checkout().setCartValueMinor(-1).build(), now);
    ValidationResult currency = validator.validate(checkout().setCurrency("eur").build(), now);

    assertThat(negative.reason()).isEqualTo(RejectReason.OUT_OF_RANGE);
    assertThat(negative.detail()).contains("cart_value_minor -1");
    assertThat(currency.reason()).isEqualTo(RejectReason.OUT_OF_RANGE);
    assertThat(currency.detail()).contains("'eur'");
    assertThat(validator.validate(checkout().setCartValueMinor(0).build(), now).isOk()).isTrue();
  }

  @Test
  void currencyIsCheckedForShapeNotForMembershipOfTheJdksList() {
    assertThat(validator.validate(checkout().setCurrency("Eur").build(), now).reason())
        .isEqualTo(RejectReason.OUT_OF_RANGE);
    assertThat(validator.validate(checkout().setCurrency("EURO").build(), now).reason())
        .isEqualTo(RejectReason.OUT_OF_RANGE);
    // In no currency list: only the shape is checked, so a code newer than the JVM's list passes.
    assertThat(validator.validate(checkout().setCurrency("XQZ").build(), now).isOk()).isTrue();
  }

  @Test
  void rejectsAnEventTimeTooFarAhead() {
    var event = checkout().setEventTime(NOW.plus(Duration.ofHours(2))).build();

    assertThat(validator.validate(event, now).reason()).isEqualTo(RejectReason.FUTURE_EVENT_TIME);
    assertThat(new CheckoutEventValidator(Duration.ofHours(3)).validate(event, now).isOk())
        .isTrue();
  }
}
