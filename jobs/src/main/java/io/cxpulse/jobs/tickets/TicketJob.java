package io.cxpulse.jobs.tickets;

import io.cxpulse.events.TicketEvent;
import io.cxpulse.events.TicketPriority;
import io.cxpulse.jobs.MetricSinks;
import io.cxpulse.jobs.MetricStream;
import io.cxpulse.jobs.aggregate.Attribution;
import io.cxpulse.jobs.aggregate.WindowAggregation;
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
import io.cxpulse.jobs.tickets.sla.SlaTargets;
import io.cxpulse.jobs.validation.TicketEventValidator;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The support ticket job: ticket lifecycle events from Kafka to first-response and resolution
 * times, SLA verdicts and backlog per window × channel × segment × priority in ClickHouse.
 *
 * <pre>
 * Kafka cx.tickets ─► decode + validate, watermarks per partition (in the source)
 *     ─► keyBy event_id: de-duplicate, drop too late (counted here)
 *     ─► keyBy ticket_id: {@link TicketLifecycleFunction} ─► TicketOutcome facts (± corrections)
 *     ─► two-phase window aggregation (salted by ticket id, then merged per row)
 *     ─► TicketWindowRow ─► cx_ticket_window
 * every rejection ─► DeadLetter ─► Kafka cx.dead-letters and cx_dead_letters
 * </pre>
 *
 * <p>{@link #defineWorkflow} builds the whole graph from an injected source and {@link
 * MetricSinks}; {@link #main} wires Kafka and ClickHouse into it, tests wire in-memory sources and
 * collecting sinks. Every operator has a name and a stable uid, so savepoints survive code changes.
 *
 * <p>Why the lifecycle runs before the windows: a ticket's facts (first response, breach,
 * resolution) are decided from several events, at event times that can be hours apart, and a late
 * event can change a fact already counted. {@link TicketLifecycleFunction} emits every fact in the
 * window of its own time and retracts what changed; the window aggregation only sums signed facts.
 *
 * <p>Watermarks are generated per Kafka partition from admitted events, as in the survey job.
 */
@Command(
    name = "cx-pulse-ticket-job",
    mixinStandardHelpOptions = true,
    description =
        "Support ticket events from Kafka to response-time, SLA and backlog window rows in"
            + " ClickHouse.",
    sortOptions = false)
public final class TicketJob implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(TicketJob.class);

  /** The Flink job name. */
  public static final String JOB_NAME = "cx-pulse tickets";

  /** The job's name in ClickHouse: {@code cx_job_progress.job} and {@code cx_dead_letters.job}. */
  public static final String JOB_ID = "tickets";

  /** The event type of topic cx.tickets, as the shared pipeline functions need it. */
  public static final EventDescriptor<TicketEvent> TICKET_EVENTS =
      EventDescriptor.of(
          TicketEvent.class,
          EventDecoder::tickets,
          TicketEvent::getEventId,
          TicketEvent::getEventTime);

  // Operator uids: stable across versions of the job, they map savepoint state to operators.
  public static final String SOURCE_UID = "ticket-source";
  public static final String DECODE_UID = "ticket-decode-validate";
  public static final String DEDUP_UID = "ticket-dedup-lateness";
  public static final String LIFECYCLE_UID = "ticket-lifecycle";

  /**
   * The window aggregation's uid prefix: its operators are {@code ticket-window-pre-aggregate} and
   * {@code ticket-window-merge}.
   */
  public static final String WINDOW_UID = "ticket-window";

  public static final String TOO_LATE_FACTS_UID = "ticket-window-too-late-facts";
  public static final String WINDOW_SINK_UID = "ticket-window-sink";
  public static final String DEAD_LETTER_TOPIC_SINK_UID = "ticket-dead-letter-topic-sink";
  public static final String DEAD_LETTER_TABLE_SINK_UID = "ticket-dead-letter-table-sink";

  /** The name of the window aggregation's operators, e.g. "ticket window pre-aggregation ...". */
  public static final String WINDOW_NAME = "ticket window";

  @Spec private CommandSpec spec;

  @Mixin private AlertOptions.Flags alertFlags = new AlertOptions.Flags();

  @Mixin private KafkaOptions.Flags kafka = new KafkaOptions.Flags();

  @Option(
      names = "--topic",
      defaultValue = TicketJobOptions.DEFAULT_TOPIC,
      description = "Ticket event topic (default: ${DEFAULT-VALUE}).")
  private String topic;

  @Option(
      names = "--dead-letter-topic",
      defaultValue = KafkaOptions.DEFAULT_DEAD_LETTER_TOPIC,
      description = "Dead-letter topic (default: ${DEFAULT-VALUE}).")
  private String deadLetterTopic;

  @Option(
      names = "--group-id",
      defaultValue = TicketJobOptions.DEFAULT_GROUP_ID,
      description = "Kafka consumer group (default: ${DEFAULT-VALUE}).")
  private String groupId;

  @Mixin private ClickHouseOptions.Flags clickHouse = new ClickHouseOptions.Flags();

  @Option(
      names = "--sla-targets",
      paramLabel = "FILE",
      defaultValue = TicketJobOptions.BUNDLED_SLA_TARGETS,
      showDefaultValue = Visibility.NEVER,
      description =
          "First-response SLA targets per channel and priority, a YAML file in the format of the"
              + " bundled "
              + SlaTargets.DEFAULT_RESOURCE
              + " (default: the bundled targets).")
  private String slaTargetsFile;

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
          "How long after its window's end a late ticket event still corrects the rows"
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
          "Pre-aggregation keys per window row; spreads a hot channel × segment × priority over"
              + " the subtasks (default: ${DEFAULT-VALUE}).")
  private int salts;

  /**
   * The stream: {@link TicketLifecycleFunction} keyed by ticket id turns events into facts (±
   * corrections), counted as support components per window of fact time × channel × segment ×
   * priority and kept for the allowed lateness (see {@link #windowAggregation}).
   */
  public static final MetricStream<
          TicketJobOptions, TicketEvent, TicketOutcome, TicketComponents, TicketWindowRow>
      STREAM =
          new MetricStream<>(
              new MetricStream.Job(
                  "ticket",
                  JOB_ID,
                  JOB_NAME,
                  "ticket events",
                  "a redelivered event may reach a ticket whose state was already cleaned up"),
              TICKET_EVENTS,
              TicketEventValidator::new,
              MetricStream.Stage.keyed(
                  "lifecycle",
                  "ticket lifecycles",
                  new TicketIdKeySelector(),
                  options ->
                      new TicketLifecycleFunction(
                          options.slaTargets()::targetFor, lifecycleStateRetention(options)),
                  TypeInformation.of(TicketOutcome.class),
                  new MetricStream.TooLate<>(
                      "too-late-facts",
                      "count ticket facts too late for their window",
                      options -> new TooLateFactsFunction(),
                      Types.VOID)),
              new MetricStream.Windows<>(
                  TicketJob::attribute,
                  options -> options.eventTime().allowedLateness(),
                  options -> Duration.ZERO),
              new MetricStream.Components<>(
                  TicketComponents::new,
                  TicketComponents::add,
                  TypeInformation.of(TicketComponents.class)),
              new MetricStream.Rows<>(
                  TicketWindowRow.TABLE,
                  TicketWindowRow::of,
                  TypeInformation.of(TicketWindowRow.class),
                  TicketWindowRow::getWindowStart,
                  TicketWindowRow::metricRows));

  public static void main(String[] args) {
    System.exit(UsageErrors.install(new CommandLine(new TicketJob())).execute(args));
  }

  /**
   * Parses a command line into options, as {@link #main} does.
   *
   * @throws CommandLine.ParameterException on a bad argument
   * @throws IllegalArgumentException if a value is out of range
   */
  public static TicketJobOptions parseOptions(String... args) {
    TicketJob command = new TicketJob();
    new CommandLine(command).parseArgs(args);
    return command.options();
  }

  @Override
  public Integer call() throws Exception {
    return STREAM.run(
        spec,
        LOG,
        () -> {
          TicketJobOptions options = options();
          // Read the targets now: a bad file is a bad argument, not a failure after submission.
          options.slaTargets();
          return options;
        },
        alertFlags);
  }

  private TicketJobOptions options() {
    return new TicketJobOptions(
        kafka.options(),
        topic,
        deadLetterTopic,
        groupId,
        clickHouse.options(),
        slaTargetsFile,
        watermarks.options(window, allowedLateness),
        gate.options(),
        runtime.options(checkpointInterval),
        salts);
  }

  /** The production sinks, into {@code cx_ticket_window}: {@link MetricStream#productionSinks}. */
  public static MetricSinks<TicketWindowRow> productionSinks(TicketJobOptions options) {
    return STREAM.productionSinks(options);
  }

  /**
   * Facts are attributed to the window of their own time and emitted once the watermark reaches it
   * (see {@link #windowAggregation}): a window is complete once it fired, final once its allowed
   * lateness passed.
   */
  public static JobProgress.Spec progress(TicketJobOptions options) {
    return STREAM.progress(options);
  }

  /** Applies the environment-level options: checkpointing and parallelism. */
  public static void configure(StreamExecutionEnvironment env, TicketJobOptions options) {
    STREAM.configure(env, options);
  }

  /**
   * The window rows: support components per tumbling window of fact time × channel × segment ×
   * priority, in two phases (salted by ticket id, so a fact's retraction meets its addition in the
   * same partial key) so that a hot channel × segment is spread over all subtasks. A row's version
   * is the number of facts it absorbed ({@link TicketComponents#records()}).
   *
   * <p><b>Retention = allowed lateness</b>, and no more is needed, because no fact (addition or
   * retraction) can reach the window aggregation after its window's end + allowed lateness as long
   * as no input was idle:
   *
   * <ol>
   *   <li>A fact is emitted either by {@link TicketLifecycleFunction}'s timer once the watermark
   *       reaches its time {@code at} (then the aggregation's watermark is still below {@code at},
   *       the fact is not even late), or while processing an event e that the de-duplication and
   *       lateness gate let through: {@code windowEnd(e) − 1 + allowedLateness > W} at that gate,
   *       and the watermark downstream is never ahead of W for a record that passed the gate before
   *       it.
   *   <li>Every fact emitted or retracted because of e has {@code at ≥ eventTime(e)}: the rules
   *       ({@link TicketLifecycle}) walk the events in event-time order, so facts timed before e
   *       are decided by the events before e and cannot change; a retraction repeats the retracted
   *       fact, with its old {@code at}, and the old fact was changed by e, so it too is at or
   *       after e (a reply that overtook the deadline retracts the breach at the deadline, which is
   *       after the reply; an earlier first reply retracts the later one; an earlier OPENED moves
   *       facts that were all after it).
   *   <li>So the fact's window ends no earlier than e's, and {@code windowEnd(fact) − 1 +
   *       allowedLateness > W}: the aggregation's lateness rule with retention = allowed lateness
   *       accepts it. Exactly at the edge too: an event accepted at the gate's last millisecond
   *       still has its correction accepted (TicketJobTest checks this edge).
   * </ol>
   *
   * An input that resumes after being idle can see a downstream watermark ahead of its own; facts
   * refused then go to {@link TooLateFactsFunction}, counted and logged.
   */
  public static WindowAggregation<TicketOutcome, TicketComponents, TicketWindowRow>
      windowAggregation(TicketJobOptions options) {
    return STREAM.windowAggregation(options);
  }

  /** The priority as stored: the Avro symbol in lower case, e.g. {@code high}. */
  public static String priority(TicketPriority priority) {
    return priority.name().toLowerCase(Locale.ROOT);
  }

  private static Attribution attribute(TicketOutcome fact) {
    return new Attribution(
        fact.getAt().toEpochMilli(),
        fact.getChannel(),
        fact.getSegment(),
        priority(fact.getPriority()),
        fact.getTicketId());
  }

  /**
   * How long {@link TicketLifecycleFunction} keeps a resolved ticket after its latest event: the
   * allowed lateness plus one window. The de-duplication gate accepts an event until its window's
   * end − 1 + allowed lateness, which is up to one window more than its event time + allowed
   * lateness; the extra window keeps the ticket's state until no event of it can pass the gate any
   * more, so a late event never meets an emptied state and its corrections are never lost.
   */
  public static Duration lifecycleStateRetention(TicketJobOptions options) {
    return options.eventTime().allowedLateness().plus(options.eventTime().window());
  }

  /**
   * Builds the job graph on {@code env}: reads {@code input} ({@link #kafkaInput} in production:
   * the gate inside the Kafka source, watermarks per partition), writes to {@code sinks}.
   */
  public static void defineWorkflow(
      StreamExecutionEnvironment env,
      TicketJobOptions options,
      EventInput input,
      MetricSinks<TicketWindowRow> sinks) {
    STREAM.defineWorkflow(env, options, input, sinks);
  }

  /**
   * Builds the job graph on {@code env} from a source of raw records other than Kafka (tests):
   * watermarks per source subtask, see {@link EventInput.Raw}.
   */
  public static void defineWorkflow(
      StreamExecutionEnvironment env,
      TicketJobOptions options,
      Source<RawRecord, ?, ?> source,
      MetricSinks<TicketWindowRow> sinks) {
    STREAM.defineWorkflow(env, options, source, sinks);
  }

  /** Builds the job graph from an existing stream of raw records. */
  public static void defineWorkflow(
      DataStream<RawRecord> raw, TicketJobOptions options, MetricSinks<TicketWindowRow> sinks) {
    STREAM.defineWorkflow(raw, options, sinks);
  }

  /** The Kafka topic of {@code options}, read as production does. */
  public static EventInput kafkaInput(TicketJobOptions options) {
    return STREAM.kafkaInput(options);
  }

  /** Keys decoded ticket events by ticket_id (validated as not blank). */
  static final class TicketIdKeySelector implements KeySelector<DecodedEvent<TicketEvent>, String> {

    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(DecodedEvent<TicketEvent> decoded) {
      return decoded.getEvent().getTicketId();
    }
  }
}
