package io.cxpulse.jobs.survey;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.jobs.EnginesExtension;
import io.cxpulse.jobs.FlinkTestCluster;
import io.cxpulse.jobs.generator.BadRecords;
import io.cxpulse.jobs.generator.SurveyScenario;
import io.cxpulse.jobs.generator.SurveyScenario.ScenarioRecord;
import io.cxpulse.jobs.validation.RejectReason;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A producer whose clock runs 50 minutes fast, in the middle of the stream: its record's Kafka
 * timestamp and event_time are both 50 minutes ahead of the job's clock. Judged by its own Kafka
 * timestamp it would pass, move the watermark 50 minutes and make everything after it too late;
 * judged against the job's clock it is dead-lettered as FUTURE_EVENT_TIME, and every other record
 * is counted exactly as the scenario says.
 */
class SurveyFastClockITCase {

  private static final long SEED = 20_261_203L;
  private static final int EVENTS = 20_000;
  private static final Duration CLOCK_AHEAD = Duration.ofMinutes(50);

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      FlinkTestCluster.withSlots(2, FlinkTestCluster.noRestarts());

  @RegisterExtension
  static final EnginesExtension<SurveyEndToEnd> ENGINES =
      new EnginesExtension<>(SurveyEndToEnd::start);

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aRecordFromAFastClockIsDeadLetteredAndHoldsNothingBack() throws Exception {
    SurveyScenario scenario = SurveyEndToEnd.scenario(SEED, EVENTS, 3);
    List<ScenarioRecord> records = scenario.records();
    int middle = records.size() / 2;
    Instant fast = Instant.now().plus(CLOCK_AHEAD).truncatedTo(ChronoUnit.MILLIS);
    SurveyResponse template = records.get(0).event().orElseThrow();
    SurveyResponse fastResponse =
        SurveyResponse.newBuilder(template)
            .setEventId("fast-clock-1")
            .setResponseId("fast-clock-1")
            .setEventTime(fast)
            .build();

    // The producer's own clock sets the create time: as far ahead as its event_time.
    List<SurveyEndToEnd.Outgoing> outgoing = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      if (i == middle) {
        outgoing.add(
            new SurveyEndToEnd.Outgoing(
                fast.toEpochMilli(),
                "fast-clock-1",
                BadRecords.encode(fastResponse),
                RejectReason.FUTURE_EVENT_TIME));
      }
      outgoing.add(SurveyEndToEnd.Outgoing.of(records.get(i)));
    }
    Map<Long, RejectReason> expectedDeadLetters =
        SurveyEndToEnd.expectedDeadLetters(outgoing, ENGINES.get().produce(outgoing));

    SurveyEndToEnd.productionJob(ENGINES.get().frequentlyCheckpointed("survey-fast-clock-it"))
        .execute("survey pipeline with a fast producer clock");

    try (Connection connection = ENGINES.get().connection()) {
      assertThat(SurveyClickHouse.deadLettersFinal(connection, SurveyEndToEnd.SURVEY_TOPIC))
          .as("dead letters: the scenario's and the fast clock's, nothing made too late by it")
          .isEqualTo(expectedDeadLetters);
      ExpectedSurveyScores.of(scenario.countedResponses(), SurveyEndToEnd.WINDOW)
          .assertMatches(SurveyClickHouse.scoresPerMinute(connection));
    }
  }
}
