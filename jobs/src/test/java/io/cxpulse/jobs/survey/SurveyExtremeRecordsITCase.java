package io.cxpulse.jobs.survey;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.jobs.codec.DecodeResult;
import io.cxpulse.jobs.codec.EventDecoder;
import io.cxpulse.jobs.codec.SchemaCatalog;
import io.cxpulse.jobs.generator.SurveyScenario;
import io.cxpulse.jobs.generator.SurveyScenario.ScenarioRecord;
import io.cxpulse.jobs.pipeline.ExtremeRecords;
import io.cxpulse.jobs.pipeline.ExtremeRecords.Generated;
import io.cxpulse.jobs.pipeline.KafkaConnectors;
import io.cxpulse.jobs.pipeline.RawRecord;
import io.cxpulse.jobs.validation.RejectReason;
import io.cxpulse.jobs.validation.SurveyResponseValidator;
import io.cxpulse.jobs.validation.ValidationResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.sessions.JqwikSession;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.FailedCheckpointStats;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

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
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setConfiguration(
                  new Configuration().set(RestartStrategyOptions.RESTART_STRATEGY, "none"))
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @TempDir static Path clickHouseDir;

  private static SurveyEndToEnd engines;

  @BeforeAll
  static void start() throws Exception {
    engines = SurveyEndToEnd.start(clickHouseDir);
  }

  @AfterAll
  static void stop() {
    if (engines != null) {
      engines.close();
    }
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void generatedExtremesAreDeadLetteredAndTheGoodRowsAreUnchanged(
      @InjectMiniCluster MiniCluster cluster) throws Exception {
    SurveyScenario scenario = SurveyEndToEnd.scenario(SEED, EVENTS, 3);
    List<ScenarioRecord> records = scenario.records();
    Instant now = Instant.now();
    List<Extreme> extremes = rejectedExtremes(now);

    Map<Long, RejectReason> expectedDeadLetters = new TreeMap<>();
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, engines.bootstrapServers());
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      List<Future<RecordMetadata>> good = new ArrayList<>();
      List<Future<RecordMetadata>> bad = new ArrayList<>();
      // Spread the extremes evenly between the good records.
      int next = 0;
      for (int i = 0; i < records.size(); i++) {
        while (next < extremes.size()
            && (long) next * records.size() <= (long) i * extremes.size()) {
          Extreme extreme = extremes.get(next++);
          bad.add(
              producer.send(
                  new ProducerRecord<>(
                      SurveyEndToEnd.SURVEY_TOPIC,
                      0,
                      extreme.kafkaTimestamp(),
                      ("extreme-" + next).getBytes(StandardCharsets.UTF_8),
                      extreme.value())));
        }
        ScenarioRecord record = records.get(i);
        good.add(
            producer.send(
                new ProducerRecord<>(
                    SurveyEndToEnd.SURVEY_TOPIC,
                    0,
                    record.timestamp().toEpochMilli(),
                    record.key().getBytes(StandardCharsets.UTF_8),
                    record.value())));
      }
      producer.flush();
      for (int i = 0; i < records.size(); i++) {
        if (!records.get(i).fate().isCounted()) {
          expectedDeadLetters.put(good.get(i).get().offset(), records.get(i).fate().rejectReason());
        }
      }
      for (int i = 0; i < bad.size(); i++) {
        expectedDeadLetters.put(bad.get(i).get().offset(), extremes.get(i).reason());
      }
    }

    SurveyJobOptions options =
        engines
            .options("survey-extreme-records-it")
            .parallelism(2)
            .checkpointInterval(Duration.ofMillis(300))
            .jdbcBatchSize(200)
            .jdbcFlushInterval(Duration.ofMillis(200))
            .build();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    SurveyJob.configure(env, options);
    SurveyJob.defineWorkflow(
        env,
        options,
        KafkaConnectors.rawRecordSource(
            options.bootstrapServers(), options.topic(), options.groupId(), options.bounded()),
        SurveySinks.production(options));
    JobExecutionResult result = env.execute("survey pipeline with generated extremes");

    CheckpointStatsSnapshot stats =
        cluster.getExecutionGraph(result.getJobID()).get().getCheckpointStatsSnapshot();
    assertThat(stats.getCounts().getNumberOfCompletedCheckpoints()).isPositive();
    // A bounded job declines or loses the checkpoints of its last moments; any other failure
    // would be one the records broke.
    List<String> failures = new ArrayList<>();
    stats
        .getHistory()
        .getCheckpoints()
        .forEach(
            c -> {
              if (c instanceof FailedCheckpointStats failed
                  && !SurveyEndToEnd.isFinishingDecline(failed.getFailureMessage())) {
                failures.add(c.getCheckpointId() + ": " + failed.getFailureMessage());
              }
            });
    assertThat(failures).as("failed checkpoints").isEmpty();

    try (Connection connection = engines.connection()) {
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
