package io.cxpulse.jobs.survey;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.Channel;
import io.cxpulse.events.DeadLetter;
import io.cxpulse.events.SurveyResponse;
import io.cxpulse.events.SurveyType;
import io.cxpulse.jobs.FlinkTestCluster;
import io.cxpulse.jobs.MetricSinks;
import io.cxpulse.jobs.generator.BadRecords;
import io.cxpulse.jobs.pipeline.CollectingSink;
import io.cxpulse.jobs.pipeline.DurableState;
import io.cxpulse.jobs.pipeline.PipelineMetrics;
import io.cxpulse.jobs.pipeline.RawRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A burst of 600,000 distinct surveys, all inside the de-duplication horizon, through the survey
 * job's graph on the state configuration local mode runs ({@link DurableState}: RocksDB,
 * incremental checkpoints to a directory). With Flink's default (checkpoints in the JobManager's
 * memory, 5 MiB at most) half a million ids already failed every checkpoint and restarted the job
 * in a loop; here checkpoints keep completing while the state is far beyond that bound, nothing
 * restarts (restarts are off: a failure fails the test), and every survey is counted once.
 */
class SurveyBurstITCase {

  /**
   * Enough ids that a checkpoint holds about 7 MB, beyond the JobManager-memory bound, all of them
   * distinct and inside the de-duplication horizon (a million held 12 MB and took half again as
   * long).
   */
  private static final int EVENTS = 600_000;

  /** The JobManager-memory checkpoint storage's default bound on a checkpoint's state. */
  private static final long MEMORY_CHECKPOINT_LIMIT = 5 * 1024 * 1024;

  /** Under target/, so that a failed run leaves its checkpoints to look at. */
  private static final Path CHECKPOINTS =
      Path.of("target", "survey-burst-checkpoints", java.util.UUID.randomUUID().toString());

  private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      FlinkTestCluster.withSlots(
          2,
          REPORTER.addToConfiguration(
              DurableState.configure(new Configuration(), CHECKPOINTS)
                  .set(RestartStrategyOptions.RESTART_STRATEGY, "none")));

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void idsBeyondTheMemoryBoundInsideTheDedupHorizonCheckpointAndCountOnce(
      @InjectMiniCluster MiniCluster cluster) throws Exception {
    // Event time over the last ~2 h, 7 ms apart, in order; the Kafka timestamp is the event time.
    Instant start = Instant.now().minus(Duration.ofHours(3)).truncatedTo(ChronoUnit.HOURS);
    long startMillis = start.toEpochMilli();
    Channel[] channels = {Channel.WEB, Channel.MOBILE_APP, Channel.EMAIL, Channel.CHAT};
    DataGeneratorSource<RawRecord> source =
        new DataGeneratorSource<>(
            index -> burstRecord(index, startMillis, channels),
            EVENTS,
            TypeInformation.of(RawRecord.class));
    CollectingSink<SurveyWindowRow> rows = new CollectingSink<>();
    CollectingSink<DeadLetter> deadLetterTopic = new CollectingSink<>();
    CollectingSink<DeadLetter> deadLetterTable = new CollectingSink<>();
    SurveyJobOptions options =
        SurveyJob.parseOptions("--parallelism", "2", "--checkpoint-interval", "500ms");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    SurveyJob.configure(env, options);
    SurveyJob.defineWorkflow(
        env, options, source, new MetricSinks<>(rows, deadLetterTopic, deadLetterTable));

    long started = System.nanoTime();
    JobExecutionResult result = env.execute("survey burst");
    long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();

    long counted =
        SurveyEndToEnd.sumCounter(REPORTER, result.getJobID(), PipelineMetrics.RECORDS_COUNTED);
    assertThat(counted).as("counted once each").isEqualTo(EVENTS);
    assertThat(deadLetterTopic.values()).as("dead letters").isEmpty();
    // The newest version of each window row is its response count: together, every survey.
    Map<String, SurveyWindowRow> latest =
        rows.values().stream()
            .collect(
                Collectors.toMap(
                    r -> r.getWindowStart() + " " + r.getChannel() + "/" + r.getSegment(),
                    Function.identity(),
                    (a, b) -> a.getVersion() >= b.getVersion() ? a : b));
    assertThat(latest.values().stream().mapToLong(SurveyWindowRow::getNpsTotal).sum())
        .as("NPS responses in the newest rows")
        .isEqualTo(EVENTS);

    CheckpointStatsSnapshot stats =
        cluster.getExecutionGraph(result.getJobID()).get().getCheckpointStatsSnapshot();
    CompletedCheckpointStats last = stats.getHistory().getLatestCompletedCheckpoint();
    // A bounded job declines or loses the checkpoints triggered while its tasks are finishing;
    // any other failure would be a checkpoint that could not hold the state.
    assertThat(SurveyEndToEnd.realCheckpointFailures(cluster, result.getJobID()))
        .as("failed checkpoints")
        .isEmpty();
    assertThat(stats.getCounts().getNumberOfCompletedCheckpoints())
        .as("completed checkpoints")
        .isGreaterThanOrEqualTo(3);
    assertThat(last.getStateSize())
        .as("state of the last checkpoint, beyond what JobManager memory takes")
        .isGreaterThan(MEMORY_CHECKPOINT_LIMIT);
    System.out.printf(
        "SurveyBurstITCase: %d surveys in %d ms (%.0f/s); %d checkpoints completed;"
            + " last: state %d bytes, %d bytes persisted incrementally%n",
        EVENTS,
        millis,
        EVENTS * 1000.0 / millis,
        stats.getCounts().getNumberOfCompletedCheckpoints(),
        last.getStateSize(),
        last.getCheckpointedSize());
  }

  private static RawRecord burstRecord(long index, long startMillis, Channel[] channels) {
    long eventTime = startMillis + index * 7;
    SurveyResponse response =
        SurveyResponse.newBuilder()
            .setEventId("burst-" + index)
            .setEventTime(Instant.ofEpochMilli(eventTime))
            .setChannel(channels[(int) (index % channels.length)])
            .setSegment("segment-" + (index % 20))
            .setSurveyId("burst")
            .setResponseId("burst-response-" + index)
            .setSurveyType(SurveyType.NPS)
            .setScore((int) (index % 11))
            .build();
    return new RawRecord("cx.surveys", 0, index, eventTime, BadRecords.encode(response));
  }
}
