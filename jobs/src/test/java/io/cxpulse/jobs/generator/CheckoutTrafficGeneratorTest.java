package io.cxpulse.jobs.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cxpulse.events.Channel;
import io.cxpulse.events.CheckoutEvent;
import io.cxpulse.events.FunnelStep;
import io.cxpulse.jobs.checkout.CheckoutSession;
import io.cxpulse.jobs.codec.DecodeResult;
import io.cxpulse.jobs.codec.EventDecoder;
import io.cxpulse.jobs.codec.SchemaCatalog;
import io.cxpulse.jobs.validation.CheckoutEventValidator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CheckoutTrafficGeneratorTest {

  private static final Instant START = Instant.parse("2026-03-01T08:00:00Z");
  private static final Duration TIMEOUT = Duration.ofMinutes(30);
  private static final List<GeneratedCheckout> SAMPLE =
      CheckoutTrafficGenerator.create(42, START, 2.0).takeCheckouts(20_000);

  @Test
  void sameSeedGivesTheSameTrafficAndAnotherSeedDoesNot() {
    assertThat(CheckoutTrafficGenerator.create(42, START, 2.0).takeCheckouts(300))
        .isEqualTo(SAMPLE.subList(0, 300));
    assertThat(CheckoutTrafficGenerator.create(43, START, 2.0).takeCheckouts(300))
        .isNotEqualTo(SAMPLE.subList(0, 300));
    assertThat(SAMPLE.get(0).checkoutId()).isEqualTo("chk-2a-0");
    assertThat(SAMPLE.get(0).events().get(0).getEventId()).isEqualTo("ce-2a-0-0");
  }

  @Test
  void eventStreamIsTheCheckoutsInterleavedInEventTimeOrder() {
    List<GeneratedCheckout> checkouts =
        CheckoutTrafficGenerator.create(7, START, 3.0).takeCheckouts(500);
    Set<String> ids =
        checkouts.stream().map(GeneratedCheckout::checkoutId).collect(Collectors.toSet());
    Instant horizon = checkouts.get(checkouts.size() - 1).truth().start().plus(Duration.ofHours(1));
    CheckoutTrafficGenerator stream = CheckoutTrafficGenerator.create(7, START, 3.0);
    List<CheckoutEvent> events = new ArrayList<>();
    Instant previous = Instant.MIN;
    for (CheckoutEvent event = stream.next();
        event.getEventTime().isBefore(horizon);
        event = stream.next()) {
      assertThat(event.getEventTime()).isAfterOrEqualTo(previous);
      previous = event.getEventTime();
      if (ids.contains(event.getCheckoutId())) {
        events.add(event);
      }
    }
    List<CheckoutEvent> expected =
        checkouts.stream()
            .flatMap(c -> c.events().stream())
            .sorted(Comparator.comparing(CheckoutEvent::getEventTime))
            .toList();
    assertThat(events).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(events).extracting(CheckoutEvent::getEventTime).isSorted();
    assertThatThrownBy(stream::nextCheckout).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void everyEventDecodesAndValidatesAndIdsAreUnique() {
    EventDecoder<CheckoutEvent> decoder =
        EventDecoder.checkout(SchemaCatalog.loadFromClasspath().store());
    CheckoutEventValidator validator = new CheckoutEventValidator();
    Set<String> eventIds = new HashSet<>();
    Set<String> checkoutIds = new HashSet<>();
    for (GeneratedCheckout checkout : SAMPLE.subList(0, 3_000)) {
      assertThat(checkoutIds.add(checkout.checkoutId())).isTrue();
      for (CheckoutEvent event : checkout.events()) {
        assertThat(eventIds.add(event.getEventId())).isTrue();
        DecodeResult<CheckoutEvent> decoded = decoder.decode(BadRecords.encode(event));
        assertThat(decoded.isOk()).as("%s", event).isTrue();
        assertThat(decoded.value()).isEqualTo(event);
        assertThat(validator.validate(event, event.getEventTime().toEpochMilli()).isOk()).isTrue();
      }
    }
  }

  @Test
  void theTruthDescribesTheEventsAndAgreesWithTheJobsSessionRule() {
    for (GeneratedCheckout checkout : SAMPLE) {
      CheckoutTruth truth = checkout.truth();
      List<CheckoutEvent> events = checkout.events();
      CheckoutEvent first = events.get(0);
      CheckoutEvent last = events.get(events.size() - 1);
      assertThat(first.getStep()).isEqualTo(FunnelStep.CART);
      for (int i = 1; i < events.size(); i++) {
        Duration gap =
            Duration.between(events.get(i - 1).getEventTime(), events.get(i).getEventTime());
        assertThat(gap).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(10));
      }
      assertThat(events)
          .allSatisfy(e -> assertThat(e.getCheckoutId()).isEqualTo(truth.checkoutId()));
      assertThat(truth.start()).isEqualTo(first.getEventTime());
      assertThat(truth.completed()).isEqualTo(last.getStep() == FunnelStep.ORDER_PLACED);
      assertThat(truth.cartValueMinor()).isEqualTo(last.getCartValueMinor());
      assertThat(truth.events()).isEqualTo(events.size());

      // The job's rule (an independent implementation) finds the same outcome.
      CheckoutSession session = CheckoutSession.of(events, TIMEOUT);
      assertThat(session.status()).isEqualTo(truth.status());
      assertThat(session.start()).isEqualTo(truth.start());
      assertThat(session.channel()).isEqualTo(truth.channel());
      assertThat(session.segment()).isEqualTo(truth.segment());
      assertThat(session.lastStep()).isEqualTo(truth.lastStep());
      assertThat(session.cartValueMinor()).isEqualTo(truth.cartValueMinor());
      assertThat(session.currency()).isEqualTo(truth.currency());
      List<String> reasons = session.paymentFailureReasons();
      assertThat(reasons.isEmpty() ? null : reasons.get(reasons.size() - 1))
          .isEqualTo(truth.lastPaymentFailureReason());
      if (truth.completed()) {
        assertThat(session.decidedAt())
            .isEqualTo(truth.start().plusMillis(truth.completionTimeMillis()));
      }
      assertThat(session.eventsAfterEnd()).isZero();
    }
  }

  @Test
  void funnelsLookRealistic() {
    double completion = share(SAMPLE, t -> true, CheckoutTruth::completed);
    assertThat(completion).isBetween(0.55, 0.68);
    // Drop-off differs by channel and segment as documented.
    assertThat(share(SAMPLE, t -> t.channel().equals("mobile_app"), CheckoutTruth::completed))
        .isLessThan(share(SAMPLE, t -> t.channel().equals("web"), CheckoutTruth::completed) - 0.03);
    assertThat(share(SAMPLE, t -> t.segment().equals("vip"), CheckoutTruth::completed))
        .isGreaterThan(
            share(SAMPLE, t -> t.segment().equals("new"), CheckoutTruth::completed) + 0.1);
    // Abandonment at every step of the funnel, most at the cart.
    Map<FunnelStep, Long> abandonedAt =
        SAMPLE.stream()
            .map(GeneratedCheckout::truth)
            .filter(t -> !t.completed())
            .collect(Collectors.groupingBy(CheckoutTruth::lastStep, Collectors.counting()));
    assertThat(abandonedAt)
        .containsOnlyKeys(
            FunnelStep.CART, FunnelStep.CHECKOUT_STARTED, FunnelStep.SHIPPING, FunnelStep.PAYMENT);
    assertThat(abandonedAt.get(FunnelStep.CART)).isGreaterThan(abandonedAt.get(FunnelStep.PAYMENT));
    // Payment failures: some recovered by a retry, some abandoned, customer-side reasons.
    long recovered =
        SAMPLE.stream()
            .map(GeneratedCheckout::truth)
            .filter(t -> t.completed() && t.lastPaymentFailureReason() != null)
            .count();
    long lost =
        SAMPLE.stream()
            .map(GeneratedCheckout::truth)
            .filter(t -> !t.completed() && t.lastPaymentFailureReason() != null)
            .count();
    assertThat(recovered).isGreaterThan(100);
    assertThat(lost).isGreaterThan(100);
    assertThat(
            SAMPLE.stream()
                .map(GeneratedCheckout::truth)
                .map(CheckoutTruth::lastPaymentFailureReason)
                .filter(r -> r != null)
                .distinct())
        .containsExactlyInAnyOrderElementsOf(
            CheckoutTrafficGenerator.PAYMENT_FAILURE_REASONS.keySet());
    // Completion takes minutes.
    long[] times =
        SAMPLE.stream()
            .map(GeneratedCheckout::truth)
            .filter(CheckoutTruth::completed)
            .mapToLong(CheckoutTruth::completionTimeMillis)
            .sorted()
            .toArray();
    assertThat(times[times.length / 2]).isBetween(60_000L, 600_000L);
    assertThat(times[times.length - 1]).isLessThan(Duration.ofMinutes(45).toMillis());
    // A few currencies, values in their minor units.
    Map<String, Long> currencies =
        SAMPLE.stream()
            .collect(Collectors.groupingBy(c -> c.truth().currency(), Collectors.counting()));
    assertThat(currencies).containsOnlyKeys("EUR", "USD", "GBP", "JPY");
    assertThat(median(SAMPLE, "EUR")).isBetween(3_000L, 12_000L);
    assertThat(median(SAMPLE, "JPY")).isBetween(5_000L, 20_000L);
  }

  @Test
  void hotShareConcentratesCheckoutsOnOneChannelAndSegment() {
    List<GeneratedCheckout> hot =
        CheckoutTrafficGenerator.builder(5, START, 2.0).hotShare(0.9).build().takeCheckouts(5_000);
    double share =
        share(hot, t -> true, t -> t.channel().equals("web") && t.segment().equals("returning"));
    // 90 % hot plus the hot key's own share of the rest.
    assertThat(share).isBetween(0.90, 0.94);
    List<GeneratedCheckout> other =
        CheckoutTrafficGenerator.builder(5, START, 2.0)
            .hotShare(1.0)
            .hotKey(Channel.STORE, "vip")
            .build()
            .takeCheckouts(100);
    assertThat(other)
        .allSatisfy(
            c ->
                assertThat(c.truth().channel() + "/" + c.truth().segment()).isEqualTo("store/vip"));
  }

  @Test
  void aPaymentOutageRaisesFailuresAndAbandonmentOnItsChannelDuringItAndChangesNothingElse() {
    Instant from = START.plus(Duration.ofMinutes(30));
    CheckoutIncident outage =
        CheckoutIncident.paymentOutage(Channel.MOBILE_APP, from, Duration.ofMinutes(60));
    List<GeneratedCheckout> plain =
        CheckoutTrafficGenerator.create(11, START, 2.0).takeCheckouts(15_000);
    List<GeneratedCheckout> incident =
        CheckoutTrafficGenerator.builder(11, START, 2.0)
            .incident(outage)
            .build()
            .takeCheckouts(15_000);

    int changed = 0;
    for (int i = 0; i < plain.size(); i++) {
      GeneratedCheckout a = plain.get(i);
      GeneratedCheckout b = incident.get(i);
      boolean paidDuringOutage =
          a.truth().channel().equals("mobile_app")
              && a.events().stream()
                  .anyMatch(
                      e ->
                          e.getStep() == FunnelStep.PAYMENT
                              && outage.appliesTo(e.getChannel(), e.getEventTime()));
      if (!paidDuringOutage) {
        assertThat(b).as("checkout %d", i).isEqualTo(a);
      } else if (!a.equals(b)) {
        changed++;
      }
    }
    assertThat(changed).isGreaterThan(50);

    Predicate<CheckoutTruth> inOutage =
        t ->
            t.channel().equals("mobile_app")
                && !t.start().isBefore(from)
                && t.start().isBefore(outage.until());
    List<GeneratedCheckout> reachedPaymentPlain =
        plain.stream()
            .filter(c -> c.events().stream().anyMatch(e -> e.getStep() == FunnelStep.PAYMENT))
            .toList();
    List<GeneratedCheckout> reachedPaymentIncident =
        incident.stream()
            .filter(c -> c.events().stream().anyMatch(e -> e.getStep() == FunnelStep.PAYMENT))
            .toList();
    double before = share(reachedPaymentPlain, inOutage, t -> !t.completed());
    double during = share(reachedPaymentIncident, inOutage, t -> !t.completed());
    assertThat(during).isGreaterThan(before + 0.3);
    assertThat(
            incident.stream()
                .map(GeneratedCheckout::truth)
                .filter(inOutage)
                .filter(t -> !t.completed())
                .map(CheckoutTruth::lastPaymentFailureReason)
                .filter(r -> r != null)
                .collect(Collectors.toSet()))
        .containsAll(CheckoutIncident.REASONS);
  }

  @Test
  void incidentSpecsParse() {
    Instant from = START;
    CheckoutIncident incident =
        CheckoutIncident.parse(" Payment-Outage:mobile_app ", from, Duration.ofMinutes(5));
    assertThat(incident.channel()).isEqualTo(Channel.MOBILE_APP);
    assertThat(incident.until()).isEqualTo(from.plus(Duration.ofMinutes(5)));
    assertThat(incident.spec()).isEqualTo("payment-outage:mobile_app");
    assertThat(CheckoutIncident.isSpec("payment-outage:web")).isTrue();
    assertThat(CheckoutIncident.isSpec("csat-drop:web")).isFalse();
    assertThatThrownBy(() -> CheckoutIncident.parseChannel("csat-drop:web"))
        .hasMessageContaining("payment-outage:CHANNEL");
    assertThatThrownBy(() -> CheckoutIncident.parseChannel("payment-outage:moon"))
        .hasMessageContaining("mobile_app");
    assertThatThrownBy(() -> CheckoutIncident.parseChannel("payment-outage:unknown"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CheckoutIncident.paymentOutage(Channel.WEB, from, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(incident.appliesTo(Channel.MOBILE_APP, from)).isTrue();
    assertThat(incident.appliesTo(Channel.MOBILE_APP, incident.until())).isFalse();
    assertThat(incident.appliesTo(Channel.WEB, from)).isFalse();
  }

  @Test
  void rejectsConfigurationsThatCannotGenerateValidTraffic() {
    assertThatThrownBy(() -> CheckoutTrafficGenerator.create(1, START, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CheckoutTrafficGenerator.builder(1, START, 1).hotShare(1.5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> CheckoutTrafficGenerator.builder(1, START, 1).currencyMix(Map.of("eur", 1.0)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> CheckoutTrafficGenerator.builder(1, START, 1).segmentMix(Map.of(" ", 1.0)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                CheckoutTrafficGenerator.builder(1, START, 1).channelMix(Map.of(Channel.WEB, 0.0)))
        .isInstanceOf(IllegalArgumentException.class);
    CheckoutTrafficGenerator generator = CheckoutTrafficGenerator.create(1, START, 1);
    generator.nextCheckout();
    assertThatThrownBy(generator::next).isInstanceOf(IllegalStateException.class);
  }

  private static double share(
      List<GeneratedCheckout> checkouts,
      Predicate<CheckoutTruth> among,
      Predicate<CheckoutTruth> which) {
    List<CheckoutTruth> selected =
        checkouts.stream().map(GeneratedCheckout::truth).filter(among).toList();
    assertThat(selected).isNotEmpty();
    return (double) selected.stream().filter(which).count() / selected.size();
  }

  private static long median(List<GeneratedCheckout> checkouts, String currency) {
    long[] values =
        checkouts.stream()
            .map(GeneratedCheckout::truth)
            .filter(t -> t.currency().equals(currency))
            .mapToLong(CheckoutTruth::cartValueMinor)
            .sorted()
            .toArray();
    return values[values.length / 2];
  }
}
