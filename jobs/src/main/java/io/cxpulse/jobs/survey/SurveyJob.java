package io.cxpulse.jobs.survey;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.jobs.MetricSinks;
import io.cxpulse.jobs.MetricStream;
import io.cxpulse.jobs.aggregate.Attribution;
import io.cxpulse.jobs.aggregate.WindowAggregation;
import io.cxpulse.jobs.aggregate.WindowKey;
import io.cxpulse.jobs.alerts.AlertOptions;
import io.cxpulse.jobs.codec.EventDecoder;
import io.cxpulse.jobs.pipeline.ClickHouseOptions;
import io.cxpulse.jobs.pipeline.DecodedEvent;
import io.cxpulse.jobs.pipeline.Dimensions;
import io.cxpulse.jobs.pipeline.DurationConverter;
import io.cxpulse.jobs.pipeline.EventDescriptor;
import io.cxpulse.jobs.pipeline.EventFront;
import io.cxpulse.jobs.pipeline.EventGateOptions;
import io.cxpulse.jobs.pipeline.EventInput;
import io.cxpulse.jobs.pipeline.EventTimeOptions;
import io.cxpulse.jobs.pipeline.JobProgress;
import io.cxpulse.jobs.pipeline.KafkaOptions;
import io.cxpulse.jobs.pipeline.RawRecord;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import io.cxpulse.jobs.pipeline.UsageErrors;
import io.cxpulse.jobs.validation.SurveyResponseValidator;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The survey job: survey responses from Kafka to CSAT, NPS and CES window rows in ClickHouse.
 *
 * <pre>
 * Kafka cx.surveys ─► decode + validate, watermarks per partition (in the source)
 *     ─► keyBy event_id: de-duplicate, drop too late (counted here)
 *     ─► two-phase window aggregation (salted pre-aggregation, then merge per row)
 *     ─► SurveyWindowRow ─► cx_survey_window
 * every rejection ─► DeadLetter ─► Kafka cx.dead-letters and cx_dead_letters
 * </pre>
 *
 * <p>{@link #defineWorkflow} builds the whole graph from an injected source and {@link
 * MetricSinks}; {@link #main} wires Kafka and ClickHouse into it, tests wire in-memory sources and
 * collecting sinks. Every operator has a name and a stable uid, so savepoints survive code changes.
 *
 * <p>Watermarks are generated per Kafka partition inside the source, from the event_time of
 * admitted events only, so that undecodable records and events far in the future never move event
 * time, a partition far behind the others (a backfill) holds the watermark back rather than losing
 * its records, and any parallelism works whatever the partition count (see {@link EventFront}).
 */
@Command(
    name = "cx-pulse-survey-job",
    mixinStandardHelpOptions = true,
    description = "Survey responses from Kafka to CSAT/NPS/CES window rows in ClickHouse.",
    sortOptions = false)
public final class SurveyJob implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(SurveyJob.class);

  /** The Flink job name. */
  public static final String JOB_NAME = "cx-pulse survey";

  /** The job's name in ClickHouse: {@code cx_job_progress.job} and {@code cx_dead_letters.job}. */
  public static final String JOB_ID = "survey";

  /** The event type of topic cx.surveys, as the shared pipeline functions need it. */
  public static final EventDescriptor<SurveyResponse> SURVEY_RESPONSES =
      EventDescriptor.of(
          SurveyResponse.class,
          EventDecoder::surveys,
          SurveyResponse::getEventId,
          SurveyResponse::getEventTime);

  // Operator uids: stable across versions of the job, they map savepoint state to operators.
  public static final String SOURCE_UID = "survey-source";
  public static final String DECODE_UID = "survey-decode-validate";
  public static final String DEDUP_UID = "survey-dedup-lateness";
  public static final String LATE_UID = "survey-window-late-data";
  public static final String WINDOW_SINK_UID = "survey-window-sink";
  public static final String DEAD_LETTER_TOPIC_SINK_UID = "survey-dead-letter-topic-sink";
  public static final String DEAD_LETTER_TABLE_SINK_UID = "survey-dead-letter-table-sink";

  /**
   * The window aggregation's uid prefix: its operators are {@code survey-window-pre-aggregate} and
   * {@code survey-window-merge}.
   */
  public static final String WINDOW_UID = "survey-window";

  @Spec private CommandSpec spec;

  @Mixin private AlertOptions.Flags alertFlags = new AlertOptions.Flags();

  @Mixin private KafkaOptions.Flags kafka = new KafkaOptions.Flags();

  @Option(
      names = "--topic",
      defaultValue = SurveyJobOptions.DEFAULT_TOPIC,
      description = "Survey response topic (default: ${DEFAULT-VALUE}).")
  private String topic;

  @Option(
      names = "--dead-letter-topic",
      defaultValue = KafkaOptions.DEFAULT_DEAD_LETTER_TOPIC,
      description = "Dead-letter topic (default: ${DEFAULT-VALUE}).")
  private String deadLetterTopic;

  @Option(
      names = "--group-id",
      defaultValue = SurveyJobOptions.DEFAULT_GROUP_ID,
      description = "Kafka consumer group (default: ${DEFAULT-VALUE}).")
  private String groupId;

  @Mixin private ClickHouseOptions.Flags clickHouse = new ClickHouseOptions.Flags();

  @Option(
      names = "--window",
      defaultValue = EventTimeOptions.DEFAULT_WINDOW_TEXT,
      converter = DurationConverter.class,
      description = "Tumbling window size, ISO-8601 or 30s/1m/1h (default: ${DEFAULT-VALUE}).")
  private Duration window;

  @Mixin private EventTimeOptions.WatermarkFlags watermarks = new EventTimeOptions.WatermarkFlags();

  @Option(
      names = "--allowed-lateness",
      defaultValue = EventTimeOptions.DEFAULT_ALLOWED_LATENESS_TEXT,
      converter = DurationConverter.class,
      description =
          "How long after its end a window still takes late responses"
              + " (default: ${DEFAULT-VALUE}).")
  private Duration allowedLateness;

  @Mixin private EventGateOptions.Flags gate = new EventGateOptions.Flags();

  @Option(
      names = "--checkpoint-interval",
      defaultValue = RuntimeOptions.DEFAULT_CHECKPOINT_INTERVAL_TEXT,
      converter = DurationConverter.class,
      description =
          "Checkpoint interval; the sinks flush on checkpoints (default: ${DEFAULT-VALUE}).")
  private Duration checkpointInterval;

  @Mixin private RuntimeOptions.Flags runtime = new RuntimeOptions.Flags();

  @Option(
      names = "--salts",
      defaultValue = "" + WindowAggregation.DEFAULT_SALTS,
      description =
          "Pre-aggregation keys per window row; spreads a hot channel × segment over the"
              + " subtasks (default: ${DEFAULT-VALUE}).")
  private int salts;

  /**
   * The stream: survey responses counted as they are (no keyed stage), CSAT, NPS and CES components
   * per window × channel × segment; a response too late for its window is dead-lettered. A row's
   * version is its response count (see {@link SurveyWindowRow}).
   */
  public static final MetricStream<
          SurveyJobOptions,
          SurveyResponse,
          DecodedEvent<SurveyResponse>,
          SurveyAccumulator,
          SurveyWindowRow>
      STREAM =
          new MetricStream<>(
              new MetricStream.Job(
                  "survey",
                  JOB_ID,
                  JOB_NAME,
                  "survey responses",
                  "a redelivered response may be counted twice in a window that is still open"),
              SURVEY_RESPONSES,
              SurveyResponseValidator::new,
              MetricStream.Stage.none(),
              new MetricStream.Windows<>(
                  SurveyJob::attribute,
                  options -> options.eventTime().allowedLateness(),
                  options -> Duration.ZERO),
              new MetricStream.Components<>(
                  SurveyAccumulator::new,
                  (accumulator, decoded) -> accumulator.add(decoded.getEvent()),
                  TypeInformation.of(SurveyAccumulator.class)),
              new MetricStream.Rows<>(
                  SurveyWindowRow.TABLE,
                  SurveyWindowRow::of,
                  TypeInformation.of(SurveyWindowRow.class),
                  SurveyWindowRow::getWindowStart,
                  SurveyWindowRow::metricRows));

  public static void main(String[] args) {
    System.exit(UsageErrors.install(new CommandLine(new SurveyJob())).execute(args));
  }

  /**
   * Parses a command line into options, as {@link #main} does.
   *
   * @throws CommandLine.ParameterException on a bad argument
   * @throws IllegalArgumentException if a value is out of range
   */
  public static SurveyJobOptions parseOptions(String... args) {
    SurveyJob command = new SurveyJob();
    new CommandLine(command).parseArgs(args);
    return command.options();
  }

  @Override
  public Integer call() throws Exception {
    return STREAM.run(spec, LOG, this::options, alertFlags);
  }

  private SurveyJobOptions options() {
    return new SurveyJobOptions(
        kafka.options(),
        topic,
        deadLetterTopic,
        groupId,
        clickHouse.options(),
        watermarks.options(window, allowedLateness),
        gate.options(),
        runtime.options(checkpointInterval),
        salts);
  }

  /** The window rows: see {@link #STREAM}. */
  public static WindowAggregation<DecodedEvent<SurveyResponse>, SurveyAccumulator, SurveyWindowRow>
      windowAggregation(SurveyJobOptions options) {
    return STREAM.windowAggregation(options);
  }

  private static Attribution attribute(DecodedEvent<SurveyResponse> decoded) {
    SurveyResponse response = decoded.getEvent();
    return new Attribution(
        response.getEventTime().toEpochMilli(),
        Dimensions.channel(response.getChannel()),
        response.getSegment(),
        WindowKey.NO_PRIORITY,
        response.getEventId());
  }

  /** The production sinks, into {@code cx_survey_window}: {@link MetricStream#productionSinks}. */
  public static MetricSinks<SurveyWindowRow> productionSinks(SurveyJobOptions options) {
    return STREAM.productionSinks(options);
  }

  /** A window is complete once it fired, final once its allowed lateness passed. */
  public static JobProgress.Spec progress(SurveyJobOptions options) {
    return STREAM.progress(options);
  }

  /** Applies the environment-level options: checkpointing and parallelism. */
  public static void configure(StreamExecutionEnvironment env, SurveyJobOptions options) {
    STREAM.configure(env, options);
  }

  /**
   * Builds the job graph on {@code env}: reads {@code input} ({@link #kafkaInput} in production:
   * the gate inside the Kafka source, watermarks per partition), writes to {@code sinks}.
   */
  public static void defineWorkflow(
      StreamExecutionEnvironment env,
      SurveyJobOptions options,
      EventInput input,
      MetricSinks<SurveyWindowRow> sinks) {
    STREAM.defineWorkflow(env, options, input, sinks);
  }

  /**
   * Builds the job graph on {@code env} from a source of raw records other than Kafka (tests):
   * watermarks per source subtask, see {@link EventInput.Raw}.
   */
  public static void defineWorkflow(
      StreamExecutionEnvironment env,
      SurveyJobOptions options,
      Source<RawRecord, ?, ?> source,
      MetricSinks<SurveyWindowRow> sinks) {
    STREAM.defineWorkflow(env, options, source, sinks);
  }

  /** Builds the job graph from an existing stream of raw records. */
  public static void defineWorkflow(
      DataStream<RawRecord> raw, SurveyJobOptions options, MetricSinks<SurveyWindowRow> sinks) {
    STREAM.defineWorkflow(raw, options, sinks);
  }

  /** The Kafka topic of {@code options}, read as production does. */
  public static EventInput kafkaInput(SurveyJobOptions options) {
    return STREAM.kafkaInput(options);
  }
}
