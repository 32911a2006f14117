package io.cxpulse.jobs.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cxpulse.events.CheckoutEvent;
import io.cxpulse.jobs.checkout.CheckoutSession;
import io.cxpulse.jobs.codec.DecodeResult;
import io.cxpulse.jobs.codec.EventDecoder;
import io.cxpulse.jobs.codec.SchemaCatalog;
import io.cxpulse.jobs.generator.CheckoutScenario.Kind;
import io.cxpulse.jobs.generator.CheckoutScenario.ScenarioRecord;
import io.cxpulse.jobs.generator.SurveyScenario.Fate;
import io.cxpulse.jobs.pipeline.DedupAndLatenessFunction;
import io.cxpulse.jobs.validation.CheckoutEventValidator;
import io.cxpulse.jobs.validation.RejectReason;
import io.cxpulse.jobs.validation.ValidationResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CheckoutScenarioTest {

  private static final Instant REFERENCE = Instant.parse("2026-03-02T12:00:00Z");
  private static final int EVENTS = 50_000;
  private static final CheckoutScenario SCENARIO = scenario(3);

  private static CheckoutScenario scenario(long seed) {
    return CheckoutScenario.builder(
            seed, CheckoutScenario.startFor(REFERENCE, EVENTS, 1.5), REFERENCE)
        .events(EVENTS)
        .build();
  }

  @Test
  void sameInputsGiveTheSameRecords() {
    CheckoutScenario again = scenario(3);
    assertThat(again.records()).hasSameSizeAs(SCENARIO.records());
    for (int i = 0; i < again.records().size(); i++) {
      ScenarioRecord a = again.records().get(i);
      ScenarioRecord b = SCENARIO.records().get(i);
      assertThat(a.value()).isEqualTo(b.value());
      assertThat(a.toString()).isEqualTo(b.toString());
    }
    assertThat(again.countedCheckouts()).isEqualTo(SCENARIO.countedCheckouts());
  }

  @Test
  void holdsEveryKindOfRecordAndEveryCheckoutExactlyOnce() {
    Map<Kind, Long> kinds = SCENARIO.kindCounts();
    assertThat(kinds).allSatisfy((kind, count) -> assertThat(count).as("%s", kind).isPositive());
    assertThat(kinds.get(Kind.BAD)).isEqualTo(13);
    assertThat((long) SCENARIO.lateOrders())
        .isEqualTo(kinds.get(Kind.LATE_ORDER))
        .isGreaterThan(30);
    int generated = SCENARIO.checkouts().stream().mapToInt(c -> c.events().size()).sum();
    assertThat(generated).isGreaterThanOrEqualTo(EVENTS);
    assertThat(SCENARIO.checkouts().size() - SCENARIO.countedCheckouts().size()).isEqualTo(3);

    // Every generated event is sent once as itself (plus duplicates); counted ones are exactly
    // the events of the counted checkouts.
    Set<String> countedIds =
        SCENARIO.countedCheckouts().stream()
            .map(CheckoutTruth::checkoutId)
            .collect(Collectors.toSet());
    List<String> expectedCounted =
        SCENARIO.checkouts().stream()
            .filter(c -> countedIds.contains(c.checkoutId()))
            .flatMap(c -> c.events().stream())
            .map(CheckoutEvent::getEventId)
            .toList();
    assertThat(SCENARIO.countedEvents())
        .extracting(CheckoutEvent::getEventId)
        .containsExactlyInAnyOrderElementsOf(expectedCounted);
    long tooLate = kinds.get(Kind.TOO_LATE);
    assertThat(tooLate)
        .isEqualTo(
            SCENARIO.checkouts().stream()
                .filter(c -> !countedIds.contains(c.checkoutId()))
                .mapToInt(c -> c.events().size())
                .sum());
    assertThat(SCENARIO.records()).hasSize(generated + kinds.get(Kind.DUPLICATE).intValue() + 13);
  }

  @Test
  void onTimeRecordsAreNeverMoreThanTheBoundBehindTheStream() {
    Instant previous = Instant.MIN;
    for (ScenarioRecord record : SCENARIO.records()) {
      assertThat(record.streamPosition()).isAfterOrEqualTo(previous);
      previous = record.streamPosition();
      if (record.kind() == Kind.ON_TIME) {
        assertThat(record.event().orElseThrow().getEventTime())
            .isAfterOrEqualTo(record.streamPosition().minus(SCENARIO.outOfOrderness()));
      }
    }
  }

  @Test
  void lateOrdersArriveAfterTheirCheckoutsTimerFired() {
    Map<String, GeneratedCheckout> byId = new HashMap<>();
    SCENARIO.checkouts().forEach(c -> byId.put(c.checkoutId(), c));
    for (ScenarioRecord record : SCENARIO.records()) {
      if (record.kind() != Kind.LATE_ORDER) {
        continue;
      }
      List<CheckoutEvent> events = byId.get(record.key()).events();
      CheckoutEvent previous = events.get(events.size() - 2);
      assertThat(record.streamPosition())
          .isAfterOrEqualTo(
              previous
                  .getEventTime()
                  .plus(SCENARIO.inactivityTimeout())
                  .plus(SCENARIO.outOfOrderness())
                  .plus(Duration.ofMinutes(1)));
      assertThat(record.event().orElseThrow()).isEqualTo(events.get(events.size() - 1));
    }
  }

  /**
   * A model of the job's input side (decode, validate, eager watermarks, dedup and lateness gate,
   * the session function's state retention) reaches exactly the intended fates, and the job's
   * session rule over what each checkout gets through equals the generator's truth.
   */
  @Test
  void aModelOfTheJobReachesExactlyTheIntendedFatesAndTheTruth() {
    EventDecoder<CheckoutEvent> decoder =
        EventDecoder.checkout(SchemaCatalog.loadFromClasspath().store());
    CheckoutEventValidator validator = new CheckoutEventValidator();
    long window = SCENARIO.windowSize().toMillis();
    long lateness = SCENARIO.allowedLateness().toMillis();
    long bound = SCENARIO.outOfOrderness().toMillis();
    long step = 1_000;
    long max = Long.MIN_VALUE + bound + 1;
    long watermark = Long.MIN_VALUE;
    long lastEmitted = Long.MIN_VALUE;
    Set<String> seen = new HashSet<>();
    Map<String, List<CheckoutEvent>> passed = new LinkedHashMap<>();
    int lateOrdersAfterTimer = 0;
    Map<Fate, Long> fates = new LinkedHashMap<>();
    for (ScenarioRecord record : SCENARIO.records()) {
      Fate fate;
      DecodeResult<CheckoutEvent> decoded = decoder.decode(record.value());
      if (!decoded.isOk()) {
        fate = Fate.deadLettered(decoded.reason());
      } else {
        CheckoutEvent event = decoded.value();
        ValidationResult valid = validator.validate(event, record.timestamp().toEpochMilli());
        if (!valid.isOk()) {
          fate = Fate.deadLettered(valid.reason());
        } else {
          long time = event.getEventTime().toEpochMilli();
          if (!seen.add(event.getEventId())) {
            fate = Fate.deadLettered(RejectReason.DUPLICATE);
          } else if (DedupAndLatenessFunction.isTooLate(time, watermark, window, lateness)) {
            fate = Fate.deadLettered(RejectReason.TOO_LATE);
          } else {
            fate = Fate.COUNTED;
            List<CheckoutEvent> events =
                passed.computeIfAbsent(event.getCheckoutId(), k -> new ArrayList<>());
            if (!events.isEmpty()) {
              // The session function still holds the checkout: not past decision + lateness.
              long decided =
                  CheckoutSession.of(events, SCENARIO.inactivityTimeout())
                      .decidedAt()
                      .toEpochMilli();
              assertThat(watermark).as("%s", record).isLessThan(decided + lateness);
              if (record.kind() == Kind.LATE_ORDER && watermark >= decided) {
                lateOrdersAfterTimer++;
              }
            }
            events.add(event);
          }
          // As EagerBoundedOutOfOrderness, after the record.
          max = Math.max(max, time);
          long candidate = max - bound - 1;
          if (lastEmitted == Long.MIN_VALUE || candidate - lastEmitted >= step) {
            lastEmitted = candidate;
            watermark = candidate;
          }
        }
      }
      assertThat(fate).as("%s", record).isEqualTo(record.fate());
      fates.merge(fate, 1L, Long::sum);
    }
    assertThat(fates).isEqualTo(SCENARIO.fateCounts());
    assertThat(lateOrdersAfterTimer).isEqualTo(SCENARIO.lateOrders());

    Map<String, CheckoutTruth> truths = new HashMap<>();
    SCENARIO.countedCheckouts().forEach(t -> truths.put(t.checkoutId(), t));
    assertThat(passed.keySet()).isEqualTo(truths.keySet());
    passed.forEach(
        (id, events) -> {
          CheckoutSession session = CheckoutSession.of(events, SCENARIO.inactivityTimeout());
          CheckoutTruth truth = truths.get(id);
          assertThat(session.status()).as(id).isEqualTo(truth.status());
          assertThat(session.start()).as(id).isEqualTo(truth.start());
          assertThat(session.lastStep()).as(id).isEqualTo(truth.lastStep());
          assertThat(session.cartValueMinor()).as(id).isEqualTo(truth.cartValueMinor());
        });
  }

  @Test
  void hotShareAndIncidentsReachTheTraffic() {
    Instant start = CheckoutScenario.startFor(REFERENCE, 5_000, 1.5);
    CheckoutScenario hot =
        CheckoutScenario.builder(9, start, REFERENCE)
            .events(5_000)
            .hotShare(0.9)
            .tooLateCheckouts(0)
            .build();
    double share =
        hot.countedCheckouts().stream()
                .filter(t -> t.channel().equals("web") && t.segment().equals("returning"))
                .count()
            / (double) hot.countedCheckouts().size();
    assertThat(share).isGreaterThan(0.88);
  }

  @Test
  void rejectsWhatWouldMakeAFateUncertain() {
    Instant start = CheckoutScenario.startFor(REFERENCE, 2_000, 1.5);
    assertThatThrownBy(
            () ->
                CheckoutScenario.builder(1, start, REFERENCE)
                    .events(2_000)
                    .lateMaxMargin(Duration.ofSeconds(30))
                    .build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                CheckoutScenario.builder(1, start, REFERENCE)
                    .events(2_000)
                    .allowedLateness(Duration.ofMinutes(5))
                    .build())
        .isInstanceOf(IllegalArgumentException.class);
    // 2,000 events span too little event time for TOO_LATE checkouts with an hour of lateness.
    assertThatThrownBy(() -> CheckoutScenario.builder(1, start, REFERENCE).events(2_000).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tooLateCheckouts");
    assertThatThrownBy(
            () ->
                CheckoutScenario.builder(1, REFERENCE.minusSeconds(60), REFERENCE)
                    .events(2_000)
                    .tooLateCheckouts(0)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reference time");
  }
}
