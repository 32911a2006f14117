package io.cxpulse.jobs.survey;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.jobs.EnginesExtension;
import io.cxpulse.jobs.FlinkTestCluster;
import io.cxpulse.jobs.codec.DecodeResult;
import io.cxpulse.jobs.codec.EventDecoder;
import io.cxpulse.jobs.codec.SchemaCatalog;
import io.cxpulse.jobs.generator.SurveyScenario;
import io.cxpulse.jobs.generator.SurveyScenario.ScenarioRecord;
import io.cxpulse.jobs.pipeline.ExtremeRecords;
import io.cxpulse.jobs.pipeline.ExtremeRecords.Generated;
import io.cxpulse.jobs.pipeline.RawRecord;
import io.cxpulse.jobs.validation.RejectReason;
import io.cxpulse.jobs.validation.SurveyResponseValidator;
import io.cxpulse.jobs.validation.ValidationResult;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.sessions.JqwikSession;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Generated extreme records ({@link ExtremeRecords}, fixed seed) among a scenario's good records,
 * through the whole survey job on the real engines: Kafka source, decode, validate, de-duplicate,
 * window, and the production sinks into Kafka and ClickHouse. Whatever the extremes hold, the job
 * finishes without a restart (restarts are off), checkpoints complete, every extreme is
 * dead-lettered with the reason the gate gives it, the good records' rows are exactly the
 * scenario's, and every {@code window_start} written is a real time.
 *
 * <p>Only the extremes the gate rejects are fed: an accepted one would change the rows the oracle
 * predicts, and accepted extremes are covered by {@code EventGatePropertyTest}. Values above 900
 * KiB are left out because the broker takes at most 1 MiB per record.
 */
class SurveyExtremeRecordsITCase {

  private static final long SEED = 20_261_204L;
  private static final int EVENTS = 10_000;
  private static final int GENERATED = 3_000;
  private static final int MAX_VALUE_BYTES = 900 * 1024;

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      FlinkTestCluster.withSlots(2, FlinkTestCluster.noRestarts());

  @RegisterExtension
  static final EnginesExtension<SurveyEndToEnd> ENGINES =
      new EnginesExtension<>(SurveyEndToEnd::start);

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void generatedExtremesAreDeadLetteredAndTheGoodRowsAreUnchanged(
      @InjectMiniCluster MiniCluster cluster) throws Exception {
    SurveyScenario scenario = SurveyEndToEnd.scenario(SEED, EVENTS, 3);
    List<ScenarioRecord> records = scenario.records();
    Instant now = Instant.now();
    List<Extreme> extremes = rejectedExtremes(now);

    // Spread the extremes evenly between the good records.
    List<SurveyEndToEnd.Outgoing> outgoing = new ArrayList<>();
    int next = 0;
    for (int i = 0; i < records.size(); i++) {
      while (next < extremes.size() && (long) next * records.size() <= (long) i * extremes.size()) {
        Extreme extreme = extremes.get(next++);
        outgoing.add(
            new SurveyEndToEnd.Outgoing(
                extreme.kafkaTimestamp(), "extreme-" + next, extreme.value(), extreme.reason()));
      }
      outgoing.add(SurveyEndToEnd.Outgoing.of(records.get(i)));
    }
    Map<Long, RejectReason> expectedDeadLetters =
        SurveyEndToEnd.expectedDeadLetters(outgoing, ENGINES.get().produce(outgoing));

    JobExecutionResult result =
        SurveyEndToEnd.productionJob(
                ENGINES.get().frequentlyCheckpointed("survey-extreme-records-it"))
            .execute("survey pipeline with generated extremes");

    assertThat(
            cluster
                .getExecutionGraph(result.getJobID())
                .get()
                .getCheckpointStatsSnapshot()
                .getCounts()
                .getNumberOfCompletedCheckpoints())
        .isPositive();
    // A bounded job declines or loses the checkpoints of its last moments; any other failure
    // would be one the records broke.
    assertThat(SurveyEndToEnd.realCheckpointFailures(cluster, result.getJobID()))
        .as("failed checkpoints")
        .isEmpty();

    try (Connection connection = ENGINES.get().connection()) {
      assertThat(SurveyClickHouse.deadLettersFinal(connection, SurveyEndToEnd.SURVEY_TOPIC))
          .as("every extreme dead-lettered with the gate's reason, the scenario's as before")
          .isEqualTo(expectedDeadLetters);
      ExpectedSurveyScores.of(scenario.countedResponses(), SurveyEndToEnd.WINDOW)
          .assertMatches(SurveyClickHouse.scoresPerMinute(connection));
      try (Statement statement = connection.createStatement();
          ResultSet range =
              statement.executeQuery(
                  "SELECT toUnixTimestamp(min(window_start)), toUnixTimestamp(max(window_start))"
                      + " FROM cx_survey_window")) {
        assertThat(range.next()).isTrue();
        assertThat(Instant.ofEpochSecond(range.getLong(1)))
            .isAfterOrEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
        assertThat(Instant.ofEpochSecond(range.getLong(2))).isBefore(now.plus(Duration.ofDays(1)));
      }
    }
    Map<RejectReason, Long> perReason = new EnumMap<>(RejectReason.class);
    extremes.forEach(e -> perReason.merge(e.reason(), 1L, Long::sum));
    System.out.printf(
        "SurveyExtremeRecordsITCase: %d generated, %d rejected ones fed among %d scenario records:"
            + " %s%n",
        GENERATED, extremes.size(), records.size(), perReason);
  }

  /** A generated value the gate rejects, with the Kafka timestamp the broker will take. */
  private record Extreme(byte[] value, Long kafkaTimestamp, RejectReason reason) {}

  /**
   * The generated surveys and garbage the gate rejects, each with its reason, decided as the job
   * will: decode, then validate against the earlier of the Kafka timestamp and the clock.
   */
  private static List<Extreme> rejectedExtremes(Instant now) {
    Arbitrary<Generated> arbitrary =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(9, ExtremeRecords.surveys()),
            net.jqwik.api.Tuple.of(1, ExtremeRecords.garbage()));
    EventDecoder<SurveyResponse> decoder =
        EventDecoder.surveys(SchemaCatalog.loadFromClasspath().store());
    SurveyResponseValidator validator = new SurveyResponseValidator();
    // Generators need a jqwik session outside a property; the seed makes every run the same.
    List<Generated> sample = new ArrayList<>();
    JqwikSession.run(
        Long.toString(SEED),
        () -> {
          var generator = arbitrary.generator(1000);
          Random random = new Random(SEED);
          for (int i = 0; i < GENERATED; i++) {
            sample.add(generator.next(random).value());
          }
        });
    List<Extreme> rejected = new ArrayList<>();
    for (Generated generated : sample) {
      if (generated.value().length > MAX_VALUE_BYTES) {
        continue;
      }
      // The producer refuses negative timestamps, the broker create times more than an hour ahead
      // of its clock; a record without one gets the producer's clock: the job then sees a
      // timestamp near now.
      long ts = generated.kafkaTimestamp();
      Long kafkaTimestamp =
          ts == RawRecord.NO_TIMESTAMP || ts < 0
              ? null
              : ts > now.plus(Duration.ofMinutes(50)).toEpochMilli()
                  ? now.plus(Duration.ofMinutes(50)).toEpochMilli()
                  : ts;
      long reference =
          kafkaTimestamp == null
              ? now.toEpochMilli()
              : Math.min(kafkaTimestamp, now.toEpochMilli());
      DecodeResult<SurveyResponse> decoded = decoder.decode(generated.value());
      RejectReason reason;
      if (!decoded.isOk()) {
        reason = decoded.reason();
      } else {
        ValidationResult validation = validator.validate(decoded.value(), reference);
        if (validation.isOk()) {
          continue;
        }
        reason = validation.reason();
      }
      rejected.add(new Extreme(generated.value(), kafkaTimestamp, reason));
    }
    return rejected;
  }
}
