package io.cxpulse.jobs.generator.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.jobs.generator.SurveyTrafficGenerator;
import io.cxpulse.jobs.generator.live.TrafficPlan.Kind;
import io.cxpulse.jobs.generator.live.TrafficPlan.Outgoing;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrafficPlanTest {

  private static final Instant START = Instant.parse("2026-01-05T10:00:00Z");
  private static final Instant NOW = START.plus(Duration.ofHours(1));

  @Test
  void sameSeedSendsTheSameBytes() {
    List<Outgoing> first = run(42, 1500);
    List<Outgoing> second = run(42, 1500);
    assertThat(second).hasSameSizeAs(first);
    for (int i = 0; i < first.size(); i++) {
      assertThat(second.get(i).kind()).isEqualTo(first.get(i).kind());
      assertThat(second.get(i).key()).isEqualTo(first.get(i).key());
      assertThat(second.get(i).value()).isEqualTo(first.get(i).value());
    }
    assertThat(run(43, 10).get(0).value()).isNotEqualTo(first.get(0).value());
  }

  @Test
  void badRecordsCycleThroughEveryKindAndDuplicatesRepeatASentResponse() {
    List<Outgoing> sent = run(42, 4000);

    assertThat(sent.stream().filter(o -> o.kind() == Kind.RESPONSE)).hasSize(4000);
    assertThat(sent.stream().filter(o -> o.kind() == Kind.BAD_RECORD).map(Outgoing::label))
        .containsExactly(
            "json",
            "truncated",
            "unknown-schema",
            "blank-event-id",
            "blank-response-id",
            "blank-segment",
            "out-of-range",
            "future");
    List<Outgoing> duplicates = sent.stream().filter(o -> o.kind() == Kind.DUPLICATE).toList();
    assertThat(duplicates).hasSize(4);
    Set<ByteBuffer> seen = new HashSet<>();
    for (Outgoing record : sent) {
      if (record.kind() == Kind.DUPLICATE) {
        assertThat(seen).contains(ByteBuffer.wrap(record.value()));
      } else if (record.kind() == Kind.RESPONSE) {
        assertThat(seen.add(ByteBuffer.wrap(record.value()))).isTrue();
      }
    }
  }

  @Test
  void eventTimesLagTheGeneratedTimeSlightlyAndRarelyALot() throws Exception {
    SurveyTrafficGenerator generator = SurveyTrafficGenerator.create(7, START, 50);
    TrafficPlan plan = TrafficPlan.surveys(7, "run1", 0, 0);
    int stragglers = 0;
    for (int i = 0; i < 5000; i++) {
      SurveyResponse generated = generator.next();
      List<Outgoing> out = plan.recordsFor(generated, NOW);
      assertThat(out).hasSize(1);
      SurveyResponse sent = SurveyResponse.fromByteBuffer(ByteBuffer.wrap(out.get(0).value()));
      Duration lag = Duration.between(sent.getEventTime(), generated.getEventTime());
      assertThat(lag).isBetween(Duration.ZERO, TrafficPlan.STRAGGLER_MAX);
      if (lag.compareTo(TrafficPlan.MAX_JITTER) > 0) {
        assertThat(lag).isGreaterThanOrEqualTo(TrafficPlan.STRAGGLER_MIN);
        stragglers++;
      }
      assertThat(sent.getEventId())
          .isEqualTo(generated.getEventId().replaceFirst("-(\\d+)$", "-run1-$1"));
      assertThat(sent.getResponseId())
          .isEqualTo(generated.getResponseId().replaceFirst("-(\\d+)$", "-run1-$1"));
      assertThat(sent.getScore()).isEqualTo(generated.getScore());
    }
    assertThat(stragglers).isBetween(1, 30);
  }

  @Test
  void runTagsKeepIdsOfLaterRunsApart() {
    assertThat(TrafficPlan.runTag(START)).doesNotContain("-");
    assertThat(TrafficPlan.runTag(START.plusSeconds(1))).isNotEqualTo(TrafficPlan.runTag(START));
    SurveyResponse first = SurveyTrafficGenerator.create(42, START, 50).next();
    Outgoing earlier = TrafficPlan.surveys(42, "a", 0, 0).recordsFor(first, NOW).get(0);
    Outgoing later = TrafficPlan.surveys(42, "b", 0, 0).recordsFor(first, NOW).get(0);
    assertThat(earlier.key()).isNotEqualTo(later.key());
  }

  private static List<Outgoing> run(long seed, int responses) {
    SurveyTrafficGenerator generator = SurveyTrafficGenerator.create(seed, START, 50);
    TrafficPlan plan = TrafficPlan.surveys(seed, "run1", 500, 1000);
    List<Outgoing> sent = new ArrayList<>();
    for (int i = 0; i < responses; i++) {
      sent.addAll(plan.recordsFor(generator.next(), NOW));
    }
    return sent;
  }
}
