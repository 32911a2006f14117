package io.cxpulse.jobs.checkout;

import io.cxpulse.events.CheckoutEvent;
import io.cxpulse.jobs.MetricSinks;
import io.cxpulse.jobs.MetricStream;
import io.cxpulse.jobs.aggregate.Attribution;
import io.cxpulse.jobs.aggregate.WindowAggregation;
import io.cxpulse.jobs.aggregate.WindowKey;
import io.cxpulse.jobs.alerts.AlertOptions;
import io.cxpulse.jobs.codec.EventDecoder;
import io.cxpulse.jobs.pipeline.ClickHouseOptions;
import io.cxpulse.jobs.pipeline.DecodedEvent;
import io.cxpulse.jobs.pipeline.DurationConverter;
import io.cxpulse.jobs.pipeline.EventDescriptor;
import io.cxpulse.jobs.pipeline.EventGateOptions;
import io.cxpulse.jobs.pipeline.EventInput;
import io.cxpulse.jobs.pipeline.EventTimeOptions;
import io.cxpulse.jobs.pipeline.JobProgress;
import io.cxpulse.jobs.pipeline.KafkaOptions;
import io.cxpulse.jobs.pipeline.RawRecord;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import io.cxpulse.jobs.pipeline.UsageErrors;
import io.cxpulse.jobs.validation.CheckoutEventValidator;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.java.functions.KeySelector;
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
 * The checkout job: checkout funnel events from Kafka to checkout-abandonment window rows in
 * ClickHouse.
 *
 * <pre>
 * Kafka cx.checkout ─► decode + validate, watermarks per partition (in the source)
 *     ─► keyBy event_id: de-duplicate, drop too late (counted here)
 *     ─► keyBy checkout_id: {@link CheckoutSessionFunction} (event-time abandonment timer;
 *        outcomes, corrected by retract + add)
 *     ─► two-phase window aggregation by checkout start × channel × segment (salted
 *        pre-aggregation, then merge per row) ─► CheckoutWindowRow ─► cx_checkout_window
 * every rejection ─► DeadLetter ─► Kafka cx.dead-letters and cx_dead_letters
 * </pre>
 *
 * <p>{@link #defineWorkflow} builds the whole graph from an injected source and {@link
 * MetricSinks}; {@link #main} wires Kafka and ClickHouse into it, tests wire what they need. Every
 * operator has a name and a stable uid, so savepoints survive code changes.
 *
 * <p><b>Attribution and retention.</b> A checkout counts in the window of its first event (DESIGN),
 * but its outcome exists only once it is decided: at the order, or at its last step + the
 * inactivity timeout. So outcomes reach a window long after it ended, and the window aggregation
 * keeps each row open for {@link CheckoutJobOptions#retention()} = allowed lateness + {@code
 * --max-checkout-duration} (default 6 h) after the window's end. <b>A checkout that takes longer
 * than the max checkout duration from its first event to its decision loses its outcome</b> (and a
 * correction arriving later than that plus the allowed lateness is lost too): it is counted in
 * {@value TooLateOutcomeFunction#OUTCOMES_TOO_LATE} and logged at WARN with its checkout id, but
 * not in any row. The input events of such a checkout were counted in {@code recordsCounted} as
 * usual.
 *
 * <p><b>Lateness.</b> The de-duplication gate drops events whose window (of {@code --window}) ended
 * more than {@code --allowed-lateness} before the watermark, as the survey job does; the session
 * function keeps a checkout's events for the same allowed lateness after its decision, so a late
 * order within it turns an abandoned checkout into a completed one in a newer row version.
 *
 * <p>Watermarks are generated per Kafka partition from admitted events, as in the survey job.
 */
@Command(
    name = "cx-pulse-checkout-job",
    mixinStandardHelpOptions = true,
    description = "Checkout events from Kafka to checkout-abandonment window rows in ClickHouse.",
    sortOptions = false)
public final class CheckoutJob implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(CheckoutJob.class);

  /** The Flink job name. */
  public static final String JOB_NAME = "cx-pulse checkout";

  /** The job's name in ClickHouse: {@code cx_job_progress.job} and {@code cx_dead_letters.job}. */
  public static final String JOB_ID = "checkout";

  /** The event type of the checkout topic, as the shared pipeline functions need it. */
  public static final EventDescriptor<CheckoutEvent> CHECKOUT_EVENTS =
      EventDescriptor.of(
          CheckoutEvent.class,
          EventDecoder::checkout,
          CheckoutEvent::getEventId,
          CheckoutEvent::getEventTime);

  // Operator uids: stable across versions of the job, they map savepoint state to operators.
  public static final String SOURCE_UID = "checkout-source";
  public static final String DECODE_UID = "checkout-decode-validate";
  public static final String DEDUP_UID = "checkout-dedup-lateness";
  public static final String SESSION_UID = "checkout-sessions";

  /**
   * The window aggregation's uid prefix: its operators are {@link #PRE_AGGREGATE_UID} and {@link
   * #MERGE_UID}.
   */
  public static final String WINDOW_UID = "checkout-window";

  public static final String PRE_AGGREGATE_UID = WINDOW_UID + "-pre-aggregate";
  public static final String MERGE_UID = WINDOW_UID + "-merge";
  public static final String TOO_LATE_UID = "checkout-window-too-late";
  public static final String WINDOW_SINK_UID = "checkout-window-sink";
  public static final String DEAD_LETTER_TOPIC_SINK_UID = "checkout-dead-letter-topic-sink";
  public static final String DEAD_LETTER_TABLE_SINK_UID = "checkout-dead-letter-table-sink";

  /** The window aggregation's operator name prefix. */
  public static final String WINDOW_NAME = "checkout window";

  @Spec private CommandSpec spec;

  @Mixin private AlertOptions.Flags alertFlags = new AlertOptions.Flags();

  @Mixin private KafkaOptions.Flags kafka = new KafkaOptions.Flags();

  @Option(
      names = "--topic",
      defaultValue = CheckoutJobOptions.DEFAULT_TOPIC,
      description = "Checkout event topic (default: ${DEFAULT-VALUE}).")
  private String topic;

  @Option(
      names = "--dead-letter-topic",
      defaultValue = KafkaOptions.DEFAULT_DEAD_LETTER_TOPIC,
      description = "Dead-letter topic (default: ${DEFAULT-VALUE}).")
  private String deadLetterTopic;

  @Option(
      names = "--group-id",
      defaultValue = CheckoutJobOptions.DEFAULT_GROUP_ID,
      description = "Kafka consumer group (default: ${DEFAULT-VALUE}).")
  private String groupId;

  @Mixin private ClickHouseOptions.Flags clickHouse = new ClickHouseOptions.Flags();

  @Option(
      names = "--window",
      defaultValue = EventTimeOptions.DEFAULT_WINDOW_TEXT,
      converter = DurationConverter.class,
      description =
          "Tumbling window of checkout start, ISO-8601 or 30s/1m/1h (default: ${DEFAULT-VALUE}).")
  private Duration window;

  @Mixin private EventTimeOptions.WatermarkFlags watermarks = new EventTimeOptions.WatermarkFlags();

  @Option(
      names = "--allowed-lateness",
      defaultValue = EventTimeOptions.DEFAULT_ALLOWED_LATENESS_TEXT,
      converter = DurationConverter.class,
      description =
          "How long after its window's end a late event is still taken, and after its decision a"
              + " checkout can still be corrected (default: ${DEFAULT-VALUE}).")
  private Duration allowedLateness;

  @Option(
      names = "--inactivity-timeout",
      defaultValue = CheckoutJobOptions.DEFAULT_INACTIVITY_TIMEOUT_TEXT,
      converter = DurationConverter.class,
      description =
          "Event time after a checkout's last step without an order until it counts as abandoned"
              + " (default: ${DEFAULT-VALUE}).")
  private Duration inactivityTimeout;

  @Option(
      names = "--max-checkout-duration",
      defaultValue = CheckoutJobOptions.DEFAULT_MAX_CHECKOUT_DURATION_TEXT,
      converter = DurationConverter.class,
      description =
          "Longest time from a checkout's first event to its decision that is still counted;"
              + " longer checkouts are logged and counted as too late, not in the window rows"
              + " (default: ${DEFAULT-VALUE}).")
  private Duration maxCheckoutDuration;

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
   * The stream: {@link CheckoutSessionFunction} keyed by checkout id turns events into outcomes
   * (corrected by retract + add), counted as checkout-abandonment components per window of checkout
   * start × channel × segment and kept for {@link CheckoutJobOptions#retention()}. A row waits an
   * inactivity timeout after its window for its checkouts' decisions.
   */
  public static final MetricStream<
          CheckoutJobOptions, CheckoutEvent, CheckoutOutcome, CheckoutComponents, CheckoutWindowRow>
      STREAM =
          new MetricStream<>(
              new MetricStream.Job(
                  "checkout",
                  JOB_ID,
                  JOB_NAME,
                  "checkout events",
                  "a redelivered checkout event may be counted twice while its checkout can still"
                      + " change"),
              CHECKOUT_EVENTS,
              CheckoutEventValidator::new,
              MetricStream.Stage.keyed(
                  "sessions",
                  "checkout sessions (abandonment timer)",
                  new CheckoutIdKeySelector(),
                  options ->
                      new CheckoutSessionFunction(
                          options.inactivityTimeout(),
                          options.eventTime().allowedLateness(),
                          options.maxCheckoutDuration()),
                  TypeInformation.of(CheckoutOutcome.class),
                  new MetricStream.TooLate<>(
                      "too-late",
                      "count checkout outcomes too late for their window",
                      options -> new TooLateOutcomeFunction(options.retention()),
                      TypeInformation.of(CheckoutOutcome.class))),
              new MetricStream.Windows<>(
                  CheckoutJob::attribute,
                  CheckoutJobOptions::retention,
                  CheckoutJobOptions::inactivityTimeout),
              new MetricStream.Components<>(
                  CheckoutComponents::new,
                  CheckoutComponents::add,
                  TypeInformation.of(CheckoutComponents.class)),
              new MetricStream.Rows<>(
                  CheckoutWindowRow.TABLE,
                  CheckoutWindowRow::of,
                  TypeInformation.of(CheckoutWindowRow.class),
                  CheckoutWindowRow::getWindowStart,
                  CheckoutWindowRow::metricRows));

  public static void main(String[] args) {
    System.exit(UsageErrors.install(new CommandLine(new CheckoutJob())).execute(args));
  }

  /**
   * Parses a command line into options, as {@link #main} does.
   *
   * @throws CommandLine.ParameterException on a bad argument
   * @throws IllegalArgumentException if a value is out of range
   */
  public static CheckoutJobOptions parseOptions(String... args) {
    CheckoutJob command = new CheckoutJob();
    new CommandLine(command).parseArgs(args);
    return command.options();
  }

  @Override
  public Integer call() throws Exception {
    return STREAM.run(spec, LOG, this::options, alertFlags);
  }

  private CheckoutJobOptions options() {
    return new CheckoutJobOptions(
        kafka.options(),
        topic,
        deadLetterTopic,
        groupId,
        clickHouse.options(),
        watermarks.options(window, allowedLateness),
        inactivityTimeout,
        maxCheckoutDuration,
        gate.options(),
        runtime.options(checkpointInterval),
        salts);
  }

  /**
   * The production sinks, into {@code cx_checkout_window}: {@link MetricStream#productionSinks}.
   */
  public static MetricSinks<CheckoutWindowRow> productionSinks(CheckoutJobOptions options) {
    return STREAM.productionSinks(options);
  }

  /**
   * A window's checkouts are decided an inactivity timeout after their last step, so its row is
   * complete that long after the window (a checkout still stepping after that is decided later),
   * and final once the allowed lateness after that passed (a late order can still turn an abandoned
   * checkout into a completed one until then).
   */
  public static JobProgress.Spec progress(CheckoutJobOptions options) {
    return STREAM.progress(options);
  }

  /** Applies the environment-level options: checkpointing and parallelism. */
  public static void configure(StreamExecutionEnvironment env, CheckoutJobOptions options) {
    STREAM.configure(env, options);
  }

  /**
   * The window rows: checkout-abandonment components per tumbling window of checkout start ×
   * channel × segment, in two phases so a hot channel × segment is spread over all subtasks. Its
   * {@link WindowAggregation#preAggregateName()} and {@link WindowAggregation#preAggregateUid()}
   * ({@link #PRE_AGGREGATE_UID}) name the operator whose per-subtask {@code numRecordsIn} shows the
   * spread. Retention: {@link CheckoutJobOptions#retention()}.
   */
  public static WindowAggregation<CheckoutOutcome, CheckoutComponents, CheckoutWindowRow>
      windowAggregation(CheckoutJobOptions options) {
    return STREAM.windowAggregation(options);
  }

  /**
   * Where an outcome counts: the window of the checkout's start, its channel and segment; salted by
   * checkout id, so a retraction meets the addition it takes back in the same partial.
   */
  static Attribution attribute(CheckoutOutcome outcome) {
    return new Attribution(
        outcome.getStart().toEpochMilli(),
        outcome.getChannel(),
        outcome.getSegment(),
        WindowKey.NO_PRIORITY,
        outcome.getCheckoutId());
  }

  /**
   * Builds the job graph on {@code env}: reads {@code input} ({@link #kafkaInput} in production:
   * the gate inside the Kafka source, watermarks per partition), writes to {@code sinks}.
   */
  public static void defineWorkflow(
      StreamExecutionEnvironment env,
      CheckoutJobOptions options,
      EventInput input,
      MetricSinks<CheckoutWindowRow> sinks) {
    STREAM.defineWorkflow(env, options, input, sinks);
  }

  /**
   * Builds the job graph on {@code env} from a source of raw records other than Kafka (tests):
   * watermarks per source subtask, see {@link EventInput.Raw}.
   */
  public static void defineWorkflow(
      StreamExecutionEnvironment env,
      CheckoutJobOptions options,
      Source<RawRecord, ?, ?> source,
      MetricSinks<CheckoutWindowRow> sinks) {
    STREAM.defineWorkflow(env, options, source, sinks);
  }

  /** Builds the job graph from an existing stream of raw records. */
  public static void defineWorkflow(
      DataStream<RawRecord> raw, CheckoutJobOptions options, MetricSinks<CheckoutWindowRow> sinks) {
    STREAM.defineWorkflow(raw, options, sinks);
  }

  /** The Kafka topic of {@code options}, read as production does. */
  public static EventInput kafkaInput(CheckoutJobOptions options) {
    return STREAM.kafkaInput(options);
  }

  /** Keys decoded checkout events by checkout_id. */
  static final class CheckoutIdKeySelector
      implements KeySelector<DecodedEvent<CheckoutEvent>, String> {

    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(DecodedEvent<CheckoutEvent> decoded) {
      return decoded.getEvent().getCheckoutId();
    }
  }
}
