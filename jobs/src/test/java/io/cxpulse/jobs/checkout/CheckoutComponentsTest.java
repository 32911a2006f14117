package io.cxpulse.jobs.checkout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.cxpulse.events.FunnelStep;
import io.cxpulse.jobs.aggregate.WindowKey;
import io.cxpulse.metrics.AbandonmentComponents;
import io.cxpulse.metrics.LogHistogram;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class CheckoutComponentsTest {

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @Test
  void countsOutcomesByStatusStepReasonAndCurrency() {
    CheckoutComponents c = new CheckoutComponents();
    c.add(completed("a", 120_000));
    c.add(completed("b", 300_000));
    c.add(abandoned("c", FunnelStep.PAYMENT, 4_999, "EUR", "card_declined"));
    c.add(abandoned("d", FunnelStep.PAYMENT, 1_000, "EUR", null));
    c.add(abandoned("e", FunnelStep.CART, 12_000, "JPY", null));
    c.add(abandoned("f", FunnelStep.SHIPPING, 2_500, "USD", "insufficient_funds"));

    assertThat(c.getStarted()).isEqualTo(6);
    assertThat(c.getCompleted()).isEqualTo(2);
    assertThat(c.getAbandoned()).isEqualTo(4);
    // Never summed across currencies.
    assertThat(c.abandonedValueByCurrency())
        .containsExactly(
            Map.entry("EUR", 5_999L), Map.entry("JPY", 12_000L), Map.entry("USD", 2_500L));
    assertThat(c.abandonedCountByStep())
        .containsExactly(
            Map.entry("cart", 1L), Map.entry("payment", 2L), Map.entry("shipping", 1L));
    // Only abandoned checkouts with a failure.
    assertThat(c.abandonedCountByReason())
        .containsExactly(Map.entry("card_declined", 1L), Map.entry("insufficient_funds", 1L));
    assertThat(c.getCompletionTimeSumMillis()).isEqualTo(420_000);
    assertThat(c.completionTimes()).isEqualTo(new LogHistogram().add(120_000).add(300_000));
    assertThat(c.records()).isEqualTo(6);
  }

  @Test
  void aRetractionCancelsItsAdditionExactlyInEveryComponent() {
    CheckoutOutcome abandoned = abandoned("a", FunnelStep.PAYMENT, 4_999, "EUR", "card_declined");
    CheckoutOutcome completed = completed("b", 95_000);
    CheckoutComponents c = new CheckoutComponents();
    c.add(abandoned).add(completed).add(completed.retraction()).add(abandoned.retraction());

    assertThat(c.sameTotalsAs(new CheckoutComponents())).as("%s", c).isTrue();
    assertThat(c.getAbandonedValueMinor()).isEmpty();
    assertThat(c.getAbandonedByStep()).isEmpty();
    assertThat(c.getAbandonedByReason()).isEmpty();
    assertThat(c.getCompletionBuckets()).isEmpty();
    assertThat(c.getCompletionCounts()).isEmpty();
    // Every record raises the version, retractions too.
    assertThat(c.records()).isEqualTo(4);
  }

  @Test
  void aCorrectionFromAbandonedToCompletedEndsAsIfOnlyTheCompletionHadBeenSeen() {
    CheckoutOutcome first = abandoned("a", FunnelStep.PAYMENT, 4_999, "EUR", "card_declined");
    CheckoutOutcome corrected = completed("a", 2_100_000).withVersion(2);
    CheckoutComponents c = new CheckoutComponents();
    c.add(completed("other", 60_000));
    c.add(first).add(first.retraction()).add(corrected);

    CheckoutComponents expected = new CheckoutComponents();
    expected.add(completed("other", 60_000)).add(corrected);
    assertThat(c.sameTotalsAs(expected)).as("%s vs %s", c, expected).isTrue();
    assertThat(c.records()).isEqualTo(4);
    assertThat(expected.records()).isEqualTo(2);
  }

  @Test
  void aPartialWithOnlyARetractionIsNegativeAndMergesBackToTheTruth() {
    CheckoutOutcome outcome = abandoned("a", FunnelStep.SHIPPING, 700, "GBP", "3ds_failed");
    CheckoutOutcome timed = completed("b", 42_000);
    CheckoutComponents earlier = new CheckoutComponents().add(outcome).add(timed);
    CheckoutComponents later = new CheckoutComponents().add(outcome.retraction());
    later.add(timed.retraction());

    assertThat(later.getStarted()).isEqualTo(-2);
    assertThat(later.abandonedValueByCurrency()).containsExactly(Map.entry("GBP", -700L));
    assertThat(later.getCompletionCounts()).containsExactly(-1L);
    assertThatThrownBy(later::abandonment).isInstanceOf(IllegalArgumentException.class);

    CheckoutComponents merged = earlier.merge(later);
    assertThat(merged).isSameAs(earlier);
    assertThat(merged.sameTotalsAs(new CheckoutComponents())).isTrue();
    assertThat(merged.records()).isEqualTo(4);
  }

  @Test
  void mergeEqualsAddingEverythingToOne() {
    CheckoutComponents all = new CheckoutComponents();
    CheckoutComponents left = new CheckoutComponents();
    CheckoutComponents right = new CheckoutComponents();
    for (int i = 0; i < 200; i++) {
      CheckoutOutcome outcome =
          i % 3 == 0
              ? abandoned(
                  "c" + i,
                  FunnelStep.values()[i % 4],
                  100 + i,
                  i % 2 == 0 ? "EUR" : "USD",
                  i % 5 == 0 ? "card_declined" : null)
              : completed("c" + i, 1_000L * (i + 1) * (i % 7 + 1));
      all.add(outcome);
      (i % 2 == 0 ? left : right).add(outcome);
    }
    assertThat(left.merge(right)).isEqualTo(all);
  }

  @Test
  void theWorkedExampleOfTheDesign() {
    // 1,590 checkouts started, 879 completed: abandonment 44.72 %.
    CheckoutComponents c = new CheckoutComponents();
    for (int i = 0; i < 1_590; i++) {
      c.add(
          i < 879
              ? completed("c" + i, 180_000)
              : abandoned("c" + i, FunnelStep.SHIPPING, 5_000, "EUR", null));
    }
    AbandonmentComponents abandonment = c.abandonment();

    assertThat(abandonment.started()).isEqualTo(1_590);
    assertThat(abandonment.completed()).isEqualTo(879);
    assertThat(abandonment.abandoned()).isEqualTo(711);
    assertThat(Math.round(abandonment.abandonmentRate().getAsDouble() * 100) / 100.0)
        .isEqualTo(44.72);
    assertThat(abandonment.conversionRate().getAsDouble()).isCloseTo(55.28, within(0.01));
    assertThat(c.abandonedValueByCurrency()).containsExactly(Map.entry("EUR", 711 * 5_000L));
  }

  @Test
  void rejectsABadSignAndACompletionWithoutTime() {
    CheckoutOutcome zero = completed("a", 1);
    zero.setSign(0);
    assertThatThrownBy(() -> new CheckoutComponents().add(zero))
        .isInstanceOf(IllegalArgumentException.class);
    CheckoutOutcome untimed = completed("a", 1);
    untimed.setCompletionTimeMillis(null);
    assertThatThrownBy(() -> new CheckoutComponents().add(untimed))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theRowCarriesTheComponentsSortedAndVersionedByRecords() {
    CheckoutComponents c = new CheckoutComponents();
    c.add(abandoned("a", FunnelStep.PAYMENT, 300, "USD", "processor_error"));
    c.add(abandoned("b", FunnelStep.CART, 200, "EUR", "card_declined"));
    c.add(completed("c", 200_000));
    c.add(completed("d", 0));
    CheckoutWindowRow row =
        CheckoutWindowRow.of(
            WindowKey.of(T0.toEpochMilli(), "web", "vip", WindowKey.NO_PRIORITY),
            T0.plusSeconds(60).toEpochMilli(),
            c);

    assertThat(row.getWindowStart()).isEqualTo(T0);
    assertThat(row.getWindowEnd()).isEqualTo(T0.plusSeconds(60));
    assertThat(row.getChannel()).isEqualTo("web");
    assertThat(row.getSegment()).isEqualTo("vip");
    assertThat(row.getAbandonedValueCurrencies()).containsExactly("EUR", "USD");
    assertThat(row.getAbandonedValueMinor()).containsExactly(200L, 300L);
    assertThat(row.getAbandonedSteps()).containsExactly("cart", "payment");
    assertThat(row.getAbandonedReasons()).containsExactly("card_declined", "processor_error");
    assertThat(row.getCompletionTimeBuckets())
        .containsExactly(LogHistogram.ZERO_BUCKET, LogHistogram.bucketIndex(200_000));
    assertThat(row.getCompletionTimeCounts()).containsExactly(1L, 1L);
    assertThat(row.getVersion()).isEqualTo(4);
  }

  @Test
  void componentsAndRowsAreFlinkPojosWithoutGenericFields() throws Exception {
    CheckoutComponents c = new CheckoutComponents();
    c.add(abandoned("a", FunnelStep.PAYMENT, 300, "USD", "processor_error"));
    c.add(completed("b", 77_000));
    c.add(completed("b", 77_000).retraction());
    c.add(completed("e", 1_000));
    assertRoundTrips(CheckoutComponents.class, c);
    assertRoundTrips(
        CheckoutWindowRow.class, CheckoutWindowRow.of(T0, T0.plusSeconds(60), "web", "new", c));
  }

  private static <T> void assertRoundTrips(Class<T> type, T value) throws Exception {
    TypeInformation<T> info = TypeInformation.of(type);
    assertThat(info).isInstanceOf(PojoTypeInfo.class);
    PojoTypeInfo<T> pojo = (PojoTypeInfo<T>) info;
    for (int i = 0; i < pojo.getArity(); i++) {
      assertThat(pojo.getTypeAt(i))
          .as("%s field %s", type.getSimpleName(), pojo.getPojoFieldAt(i).getField().getName())
          .isNotInstanceOf(GenericTypeInfo.class);
    }
    TypeSerializer<T> serializer = info.createSerializer(new SerializerConfigImpl());
    DataOutputSerializer out = new DataOutputSerializer(256);
    serializer.serialize(value, out);
    T copy = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    assertThat(copy).isEqualTo(value);
  }

  static CheckoutOutcome completed(String id, long completionMillis) {
    CheckoutOutcome o = base(id);
    o.setStatus(CheckoutStatus.COMPLETED);
    o.setDecidedAt(T0.plusMillis(completionMillis));
    o.setLastStep(FunnelStep.ORDER_PLACED);
    o.setCompletionTimeMillis(completionMillis);
    return o;
  }

  static CheckoutOutcome abandoned(
      String id, FunnelStep lastStep, long cartValueMinor, String currency, String reason) {
    CheckoutOutcome o = base(id);
    o.setStatus(CheckoutStatus.ABANDONED);
    o.setDecidedAt(T0.plus(Duration.ofMinutes(40)));
    o.setLastStep(lastStep);
    o.setCartValueMinor(cartValueMinor);
    o.setCurrency(currency);
    o.setPaymentFailureReasons(reason == null ? new String[0] : new String[] {reason});
    o.setLastPaymentFailureReason(reason);
    return o;
  }

  private static CheckoutOutcome base(String id) {
    CheckoutOutcome o = new CheckoutOutcome();
    o.setCheckoutId(id);
    o.setVersion(1);
    o.setSign(CheckoutOutcome.ADD);
    o.setStart(T0);
    o.setChannel("web");
    o.setSegment("new");
    o.setCartValueMinor(1_000);
    o.setCurrency("EUR");
    o.setPaymentFailureReasons(new String[0]);
    return o;
  }
}
