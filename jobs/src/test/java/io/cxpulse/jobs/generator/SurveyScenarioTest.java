package io.cxpulse.jobs.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.jobs.codec.DecodeResult;
import io.cxpulse.jobs.codec.EventDecoder;
import io.cxpulse.jobs.codec.SchemaCatalog;
import io.cxpulse.jobs.generator.SurveyScenario.Fate;
import io.cxpulse.jobs.generator.SurveyScenario.Kind;
import io.cxpulse.jobs.generator.SurveyScenario.ScenarioRecord;
import io.cxpulse.jobs.validation.RejectReason;
import io.cxpulse.jobs.validation.SurveyResponseValidator;
import io.cxpulse.jobs.validation.ValidationResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SurveyScenarioTest {

  private static final Instant START = Instant.parse("2025-06-01T08:00:00Z");
  private static final Instant REFERENCE = Instant.parse("2025-06-02T00:00:00Z");
  private static final int N = 50_000;
  private static final List<SurveyResponse> EVENTS =
      SurveyTrafficGenerator.create(42, START, 20).take(N);
  private static final SurveyScenario SCENARIO =
      SurveyScenario.builder(EVENTS, REFERENCE).seed(7).build();

  private static final long WINDOW = SCENARIO.windowSize().toMillis();
  private static final long BOUND = SCENARIO.outOfOrderness().toMillis();
  private static final long LATENESS = SCENARIO.allowedLateness().toMillis();

  private static long windowEnd(SurveyResponse event) {
    return SurveyScenario.windowEnd(event.getEventTime(), SCENARIO.windowSize()).toEpochMilli();
  }

  private static long millis(Instant instant) {
    return instant.toEpochMilli();
  }

  @Test
  void sameInputsGiveTheSameRecords() {
    SurveyScenario again = SurveyScenario.builder(EVENTS, REFERENCE).seed(7).build();
    SurveyScenario otherSeed = SurveyScenario.builder(EVENTS, REFERENCE).seed(8).build();

    assertThat(describe(again)).isEqualTo(describe(SCENARIO));
    assertThat(describe(otherSeed)).isNotEqualTo(describe(SCENARIO));
  }

  private static List<String> describe(SurveyScenario scenario) {
    return scenario.records().stream()
        .map(r -> r.label() + r.fate() + r.key() + r.timestamp() + Arrays.toString(r.value()))
        .toList();
  }

  @Test
  void everyEventIsSentOnceAsItselfAndTheRolesHaveTheConfiguredShares() {
    Map<Kind, Long> kinds =
        SCENARIO.records().stream()
            .collect(Collectors.groupingBy(ScenarioRecord::kind, Collectors.counting()));
    List<String> originals =
        SCENARIO.records().stream()
            .filter(r -> r.kind() != Kind.DUPLICATE && r.kind() != Kind.BAD)
            .map(r -> r.event().orElseThrow().getEventId())
            .toList();

    assertThat(originals).hasSize(N).doesNotHaveDuplicates();
    assertThat(kinds.get(Kind.TOO_LATE)).isEqualTo(3);
    assertThat(kinds.get(Kind.BAD)).isEqualTo(14);
    assertThat(kinds.get(Kind.LATE) / (double) N).isCloseTo(0.01, within(0.002));
    assertThat(kinds.get(Kind.DUPLICATE) / (double) N).isCloseTo(0.01, within(0.002));
    assertThat(SCENARIO.countedResponses())
        .hasSize((int) (kinds.get(Kind.ON_TIME) + kinds.get(Kind.LATE)))
        .extracting(SurveyResponse::getEventId)
        .doesNotHaveDuplicates();
    assertThat(SCENARIO.fateCounts())
        .containsEntry(Fate.deadLettered(RejectReason.UNDECODABLE), 2L)
        .containsEntry(Fate.deadLettered(RejectReason.UNKNOWN_SCHEMA), 1L)
        .containsEntry(Fate.deadLettered(RejectReason.MISSING_FIELD), 3L)
        .containsEntry(Fate.deadLettered(RejectReason.OUT_OF_RANGE), 1L)
        .containsEntry(Fate.deadLettered(RejectReason.FUTURE_EVENT_TIME), 2L)
        .containsEntry(Fate.deadLettered(RejectReason.TOO_LATE), 3L)
        .containsEntry(Fate.deadLettered(RejectReason.IMPLAUSIBLE_EVENT_TIME), 1L)
        .containsEntry(Fate.deadLettered(RejectReason.OVERSIZE), 2L)
        .containsEntry(Fate.deadLettered(RejectReason.INVALID_TEXT), 2L)
        .containsEntry(Fate.deadLettered(RejectReason.DUPLICATE), kinds.get(Kind.DUPLICATE))
        .containsEntry(Fate.COUNTED, kinds.get(Kind.ON_TIME) + kinds.get(Kind.LATE));
  }

  @Test
  void streamPositionIsTheRunningMaximumAndOnlyOnTimeRecordsRaiseIt() {
    long running = Long.MIN_VALUE;
    for (ScenarioRecord record : SCENARIO.records()) {
      if (record.kind() == Kind.ON_TIME) {
        running = Math.max(running, millis(record.event().orElseThrow().getEventTime()));
      } else if (record.kind() != Kind.BAD) {
        assertThat(record.event().orElseThrow().getEventTime())
            .isBeforeOrEqualTo(record.streamPosition());
      }
      assertThat(millis(record.streamPosition())).as("%s", record).isEqualTo(running);
    }
    assertThat(SCENARIO.records().get(SCENARIO.records().size() - 1).streamPosition())
        .isEqualTo(EVENTS.get(N - 1).getEventTime());
  }

  @Test
  void onTimeRecordsAreNeverMoreThanTheBoundBehindTheStream() {
    long maxDisorder = 0;
    for (ScenarioRecord record : SCENARIO.records()) {
      if (record.kind() == Kind.ON_TIME) {
        long disorder =
            millis(record.streamPosition()) - millis(record.event().orElseThrow().getEventTime());
        maxDisorder = Math.max(maxDisorder, disorder);
      }
    }
    assertThat(maxDisorder).isLessThanOrEqualTo(BOUND);
    // The shuffle really shuffles: at 20 events per second a 5 s bound is used almost fully.
    assertThat(maxDisorder).isGreaterThan(BOUND / 2);
  }

  @Test
  void lateRecordsArePastTheirWindowEndAndWellWithinTheLateness() {
    for (ScenarioRecord record : kind(Kind.LATE)) {
      long end = windowEnd(record.event().orElseThrow());
      long position = millis(record.streamPosition());
      assertThat(position).as("%s", record).isGreaterThanOrEqualTo(end + BOUND + 60_000);
      assertThat(position).as("%s", record).isLessThanOrEqualTo(end + LATENESS - 300_000);
      assertThat(record.fate()).isEqualTo(Fate.COUNTED);
      assertThat(record.requiredWatermark()).isEmpty();
    }
  }

  @Test
  void tooLateRecordsArePastTheirLatenessByTheMarginAndNameTheWatermarkToWaitFor() {
    List<ScenarioRecord> tooLate = kind(Kind.TOO_LATE);
    assertThat(tooLate).hasSize(3);
    for (ScenarioRecord record : tooLate) {
      long end = windowEnd(record.event().orElseThrow());
      long position = millis(record.streamPosition());
      long required = end - 1 + LATENESS;
      assertThat(millis(record.requiredWatermark().orElseThrow())).isEqualTo(required);
      assertThat(position).isGreaterThanOrEqualTo(end + LATENESS + BOUND + 300_000);
      // The watermark the records before it produce is past the requirement by the margin.
      assertThat(position - BOUND - 1).isGreaterThanOrEqualTo(required + 300_000);
    }
    // Spread over the stream rather than bunched.
    assertThat(tooLate.get(2).event().orElseThrow().getEventTime())
        .isAfter(tooLate.get(0).event().orElseThrow().getEventTime().plus(Duration.ofMinutes(5)));
  }

  @Test
  void duplicatesAreByteIdenticalAndFollowTheirCountedOriginalWithinTheLateness() {
    Map<String, ScenarioRecord> firstById = new HashMap<>();
    List<ScenarioRecord> duplicates = new ArrayList<>();
    for (ScenarioRecord record : SCENARIO.records()) {
      if (record.kind() == Kind.DUPLICATE) {
        ScenarioRecord original = firstById.get(record.event().orElseThrow().getEventId());
        assertThat(original).as("original before %s", record).isNotNull();
        assertThat(original.kind()).isEqualTo(Kind.ON_TIME);
        assertThat(record.value()).isEqualTo(original.value());
        assertThat(record.key()).isEqualTo(original.key());
        long end = windowEnd(record.event().orElseThrow());
        assertThat(millis(record.streamPosition())).isLessThanOrEqualTo(end + LATENESS - 300_000);
        assertThat(Duration.between(original.streamPosition(), record.streamPosition()))
            .isLessThanOrEqualTo(Duration.ofMinutes(2));
        duplicates.add(record);
      } else {
        record.event().ifPresent(e -> firstById.putIfAbsent(e.getEventId(), record));
      }
    }
    assertThat(duplicates).isNotEmpty();
  }

  @Test
  void phasesStartAtEachRecordThatNeedsTheWatermark() {
    List<List<ScenarioRecord>> phases = SCENARIO.phases();

    assertThat(phases).hasSize(4);
    assertThat(phases.stream().mapToInt(List::size).sum()).isEqualTo(SCENARIO.records().size());
    for (List<ScenarioRecord> phase : phases.subList(1, phases.size())) {
      assertThat(phase.get(0).kind()).isEqualTo(Kind.TOO_LATE);
    }
  }

  @Test
  void aModelOfTheJobWithUpToDateWatermarksReachesExactlyTheIntendedFates() {
    assertThat(simulate(SCENARIO, 1)).isEqualTo(intended(SCENARIO));
  }

  @Test
  void lagWatermarksChangeNoFateButTooLate() {
    // Watermarks emitted only every 5,000 records, as when a job reads a backlog: all fates but
    // TOO_LATE hold anyway, which is why phases() exist.
    List<Fate> simulated = simulate(SCENARIO, 5_000);
    List<Fate> intended = intended(SCENARIO);
    for (int i = 0; i < intended.size(); i++) {
      if (SCENARIO.records().get(i).kind() != Kind.TOO_LATE) {
        assertThat(simulated.get(i)).as("%s", SCENARIO.records().get(i)).isEqualTo(intended.get(i));
      }
    }
  }

  @Test
  void smallStreamsWorkWithoutTooLateRecords() {
    List<SurveyResponse> events = SurveyTrafficGenerator.create(3, START, 2).take(2_000);
    SurveyScenario scenario =
        SurveyScenario.builder(events, REFERENCE).tooLateCount(0).lateFraction(0.05).build();

    assertThat(scenario.phases()).hasSize(1);
    assertThat(scenario.records()).anyMatch(r -> r.kind() == Kind.LATE);
    assertThat(simulate(scenario, 1)).isEqualTo(intended(scenario));
  }

  @Test
  void rejectsWhatWouldMakeAFateUncertain() {
    List<SurveyResponse> shortStream = SurveyTrafficGenerator.create(3, START, 50).take(2_000);
    assertThatThrownBy(() -> SurveyScenario.builder(shortStream, REFERENCE).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TOO_LATE");
    assertThatThrownBy(
            () -> SurveyScenario.builder(EVENTS, START.plus(Duration.ofMinutes(10))).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reference time");
    assertThatThrownBy(
            () ->
                SurveyScenario.builder(EVENTS, REFERENCE)
                    .allowedLateness(Duration.ofMinutes(5))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("allowedLateness");
    List<SurveyResponse> repeated = new ArrayList<>(shortStream);
    repeated.add(shortStream.get(0));
    assertThatThrownBy(() -> SurveyScenario.builder(repeated, REFERENCE).tooLateCount(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unique");
  }

  private static List<ScenarioRecord> kind(Kind kind) {
    return SCENARIO.records().stream().filter(r -> r.kind() == kind).toList();
  }

  private static List<Fate> intended(SurveyScenario scenario) {
    return scenario.records().stream().map(ScenarioRecord::fate).toList();
  }

  /**
   * An independent model of the job: the real decoder and validator, de-duplication by event_id,
   * forBoundedOutOfOrderness watermarks emitted every {@code watermarkEvery} counted records, and
   * Flink's rule that an element is dropped when its window's max timestamp + lateness <=
   * watermark.
   */
  private static List<Fate> simulate(SurveyScenario scenario, int watermarkEvery) {
    EventDecoder<SurveyResponse> decoder =
        EventDecoder.surveys(SchemaCatalog.loadFromClasspath().store());
    SurveyResponseValidator validator = new SurveyResponseValidator();
    long bound = scenario.outOfOrderness().toMillis();
    long lateness = scenario.allowedLateness().toMillis();
    Set<String> seen = new HashSet<>();
    long maxTimestamp = Long.MIN_VALUE + bound + 1;
    long watermark = Long.MIN_VALUE;
    int sinceWatermark = 0;
    List<Fate> fates = new ArrayList<>();
    for (ScenarioRecord record : scenario.records()) {
      DecodeResult<SurveyResponse> decoded = decoder.decode(record.value());
      if (!decoded.isOk()) {
        fates.add(Fate.deadLettered(decoded.reason()));
        continue;
      }
      SurveyResponse event = decoded.value();
      ValidationResult validation = validator.validate(event, REFERENCE.toEpochMilli());
      if (!validation.isOk()) {
        fates.add(Fate.deadLettered(validation.reason()));
        continue;
      }
      if (!seen.add(event.getEventId())) {
        fates.add(Fate.deadLettered(RejectReason.DUPLICATE));
        continue;
      }
      long time = event.getEventTime().toEpochMilli();
      long windowMaxTimestamp =
          SurveyScenario.windowEnd(event.getEventTime(), scenario.windowSize()).toEpochMilli() - 1;
      if (windowMaxTimestamp + lateness <= watermark) {
        fates.add(Fate.deadLettered(RejectReason.TOO_LATE));
        continue;
      }
      fates.add(Fate.COUNTED);
      maxTimestamp = Math.max(maxTimestamp, time);
      if (++sinceWatermark >= watermarkEvery) {
        watermark = Math.max(watermark, maxTimestamp - bound - 1);
        sinceWatermark = 0;
      }
    }
    return fates;
  }
}
