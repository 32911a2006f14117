package io.cxpulse.jobs.drivers;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.events.DeadLetterReason;
import io.cxpulse.events.SurveyResponse;
import io.cxpulse.events.TicketEvent;
import io.cxpulse.jobs.aggregate.Attribution;
import io.cxpulse.jobs.aggregate.WindowAggregation;
import io.cxpulse.jobs.pipeline.ClickHouseOptions;
import io.cxpulse.jobs.pipeline.DeadLetterOutput;
import io.cxpulse.jobs.pipeline.DecodedEvent;
import io.cxpulse.jobs.pipeline.Dimensions;
import io.cxpulse.jobs.pipeline.DurationConverter;
import io.cxpulse.jobs.pipeline.EventFront;
import io.cxpulse.jobs.pipeline.EventGateOptions;
import io.cxpulse.jobs.pipeline.EventInput;
import io.cxpulse.jobs.pipeline.EventTimeOptions;
import io.cxpulse.jobs.pipeline.JobLauncher;
import io.cxpulse.jobs.pipeline.JobProgress;
import io.cxpulse.jobs.pipeline.KafkaOptions;
import io.cxpulse.jobs.pipeline.LateDataDeadLetterFunction;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import io.cxpulse.jobs.pipeline.UsageErrors;
import io.cxpulse.jobs.survey.SurveyAccumulator;
import io.cxpulse.jobs.survey.SurveyJob;
import io.cxpulse.jobs.survey.SurveyJobOptions;
import io.cxpulse.jobs.tickets.TicketJob;
import io.cxpulse.jobs.tickets.TicketJobOptions;
import io.cxpulse.jobs.tickets.TicketLifecycleFunction;
import io.cxpulse.jobs.tickets.TicketOutcome;
import io.cxpulse.jobs.tickets.TicketOutcomeKind;
import io.cxpulse.jobs.tickets.sla.SlaTargets;
import io.cxpulse.jobs.validation.SurveyResponseValidator;
import io.cxpulse.jobs.validation.TicketEventValidator;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
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
 * The driver split job: does slow support hurt satisfaction? Joins survey responses that reference
 * a ticket with that ticket's first-response outcome and writes CSAT / NPS / CES components per
 * window × channel × segment × SLA outcome (met | breached) × first-response-time bucket to
 * ClickHouse, where {@code cx_driver_split} shows met − breached with 95 % intervals.
 *
 * <pre>
 * Kafka cx.tickets ─► decode + validate, watermarks per partition ─► keyBy event_id: de-duplicate, too late
 *     ─► keyBy ticket_id: {@link TicketLifecycleFunction} (the ticket job's rules and SLA targets)
 *     ─► FIRST_RESPONSE / SLA_BREACHED_UNANSWERED facts ─┐
 * Kafka cx.surveys ─► decode + validate, watermarks per partition ─► keyBy event_id: de-duplicate, too late
 *     ─► with a ticket_id ─────────────────────────────────┤
 *                                                          ▼
 *     keyBy ticket_id: {@link SurveyTicketJoinFunction} (bounded keyed state, event-time timers)
 *     ─► two-phase window aggregation by the survey's event time ─► cx_driver_window
 * every TOO_LATE of both fronts, every joined survey too late for its window
 *     ─► DeadLetter (job driver-split) ─► cx_dead_letters
 * </pre>
 *
 * <p><b>Dead letters</b>: this job reads topics that the survey and ticket jobs own, and those jobs
 * dead-letter every invalid, duplicate or too-late record of them (to {@code cx.dead-letters} and
 * {@code cx_dead_letters}). The invalid and duplicate ones are the same records in this job (the
 * same gate, the same event ids), so it counts them in the same counters ({@code recordsIn}, {@code
 * recordsCounted}, {@code deadLettered_<REASON>}, per operator) and leaves their dead letters to
 * the owners. Lateness is its own: its watermarks, its windows and its allowed lateness are not the
 * owners', so a record the owner counted can be too late here. Every {@code TOO_LATE} of this job
 * (of its fronts, and joined surveys its window refuses, {@value
 * DriverSplitCounters#JOINED_TOO_LATE}) is therefore dead-lettered by this job, to {@code
 * cx_dead_letters} with job {@value #JOB_ID}, so that it never folds into the owner's dead letter
 * of the same Kafka record and per job {@code read = counted + dead-lettered} holds. Not to the
 * dead-letter topic: its records carry no job, and replaying one there would feed a record its
 * owner counted to the owner again. Surveys without a ticket_id are counted in {@value
 * DriverSplitCounters#SURVEYS_WITHOUT_TICKET}, surveys whose ticket outcome never came in {@value
 * SurveyTicketJoinFunction#SURVEYS_WITHOUT_OUTCOME}.
 *
 * <p><b>Retention</b>: a survey may wait up to the join horizon plus the settle time (ticket
 * allowed lateness + window) for its ticket's outcome, and is then counted in the window of its own
 * event time, so windows are kept that long ({@link #windowAggregation}); the default window is an
 * hour to keep that state small.
 *
 * <p>{@link #defineWorkflow} builds the graph from injected sources and {@link DriverSinks}; {@link
 * #main} wires Kafka and ClickHouse into it, tests wire their own. Every operator has a name and a
 * stable uid.
 */
@Command(
    name = "cx-pulse-driver-split-job",
    mixinStandardHelpOptions = true,
    description =
        "Survey responses joined with their ticket's first-response outcome: CSAT, NPS and CES by"
            + " SLA met/breached and first-response-time bucket, to ClickHouse.",
    sortOptions = false)
public final class DriverSplitJob implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(DriverSplitJob.class);

  /** The Flink job name. */
  public static final String JOB_NAME = "cx-pulse driver split";

  /** The job's name in ClickHouse: {@code cx_job_progress.job} and {@code cx_dead_letters.job}. */
  public static final String JOB_ID = "driver-split";

  // Operator uids: stable across versions of the job, they map savepoint state to operators.
  public static final String TICKET_SOURCE_UID = "driver-ticket-source";
  public static final String SURVEY_SOURCE_UID = "driver-survey-source";
  public static final String TICKET_PREFIX = "driver-ticket";
  public static final String SURVEY_PREFIX = "driver-survey";
  public static final String LIFECYCLE_UID = "driver-ticket-lifecycle";
  public static final String FIRST_RESPONSE_FACTS_UID = "driver-first-response-facts";
  public static final String TICKET_REFERENCE_UID = "driver-survey-ticket-reference";
  public static final String JOIN_UID = "driver-survey-ticket-join";

  /** The window aggregation's uid prefix ({@code driver-window-pre-aggregate}, {@code -merge}). */
  public static final String WINDOW_UID = "driver-window";

  public static final String TOO_LATE_UID = "driver-window-too-late";
  public static final String JOINED_TOO_LATE_DEAD_LETTERS_UID =
      "driver-window-too-late-dead-letters";
  public static final String DEAD_LETTER_SINK_UID = "driver-dead-letter-sink";
  public static final String WINDOW_SINK_UID = "driver-window-sink";

  @Spec private CommandSpec spec;

  @Mixin private KafkaOptions.Flags kafka = new KafkaOptions.Flags();

  @Option(
      names = "--ticket-topic",
      defaultValue = TicketJobOptions.DEFAULT_TOPIC,
      description = "Ticket event topic (default: ${DEFAULT-VALUE}).")
  private String ticketTopic;

  @Option(
      names = "--survey-topic",
      defaultValue = SurveyJobOptions.DEFAULT_TOPIC,
      description = "Survey response topic (default: ${DEFAULT-VALUE}).")
  private String surveyTopic;

  @Option(
      names = "--group-id",
      defaultValue = DriverSplitJobOptions.DEFAULT_GROUP_ID,
      description =
          "Kafka consumer group prefix; -tickets and -surveys are appended"
              + " (default: ${DEFAULT-VALUE}).")
  private String groupId;

  @Mixin private ClickHouseOptions.Flags clickHouse = new ClickHouseOptions.Flags();

  @Option(
      names = "--sla-targets",
      paramLabel = "FILE",
      defaultValue = TicketJobOptions.BUNDLED_SLA_TARGETS,
      showDefaultValue = Visibility.NEVER,
      description =
          "First-response SLA targets, as for the ticket job (default: the bundled "
              + SlaTargets.DEFAULT_RESOURCE
              + ").")
  private String slaTargetsFile;

  @Option(
      names = "--window",
      defaultValue = DriverSplitJobOptions.DEFAULT_WINDOW_TEXT,
      converter = DurationConverter.class,
      description =
          "Tumbling window of the survey's event time, ISO-8601 or 30s/1m/1h"
              + " (default: ${DEFAULT-VALUE}).")
  private Duration window;

  @Option(
      names = "--join-horizon",
      defaultValue = DriverSplitJobOptions.DEFAULT_JOIN_HORIZON_TEXT,
      converter = DurationConverter.class,
      description =
          "Longest event-time distance between a survey and its ticket's first-response outcome"
              + " (default: ${DEFAULT-VALUE}).")
  private Duration joinHorizon;

  @Mixin private EventTimeOptions.WatermarkFlags watermarks = new EventTimeOptions.WatermarkFlags();

  @Option(
      names = "--allowed-lateness",
      defaultValue = EventTimeOptions.DEFAULT_ALLOWED_LATENESS_TEXT,
      converter = DurationConverter.class,
      description =
          "How long after its window's end a late event still counts, both topics"
              + " (default: ${DEFAULT-VALUE}).")
  private Duration allowedLateness;

  @Mixin private EventGateOptions.Flags gate = new EventGateOptions.Flags();

  @Option(
      names = "--checkpoint-interval",
      defaultValue = RuntimeOptions.DEFAULT_CHECKPOINT_INTERVAL_TEXT,
      converter = DurationConverter.class,
      description =
          "Checkpoint interval; the sink flushes on checkpoints (default: ${DEFAULT-VALUE}).")
  private Duration checkpointInterval;

  @Mixin private RuntimeOptions.Flags runtime = new RuntimeOptions.Flags();

  @Option(
      names = "--salts",
      defaultValue = "" + WindowAggregation.DEFAULT_SALTS,
      description = "Pre-aggregation keys per window row (default: ${DEFAULT-VALUE}).")
  private int salts;

  public static void main(String[] args) {
    System.exit(UsageErrors.install(new CommandLine(new DriverSplitJob())).execute(args));
  }

  /**
   * Parses a command line into options, as {@link #main} does.
   *
   * @throws CommandLine.ParameterException on a bad argument
   * @throws IllegalArgumentException if a value is out of range
   */
  public static DriverSplitJobOptions parseOptions(String... args) {
    DriverSplitJob command = new DriverSplitJob();
    new CommandLine(command).parseArgs(args);
    return command.options();
  }

  @Override
  public Integer call() throws Exception {
    DriverSplitJobOptions options;
    try {
      options = options();
      options.slaTargets(); // a bad file is a bad argument, not a failure after submission
    } catch (IllegalArgumentException | UncheckedIOException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    return JobLauncher.run(
        LOG,
        JOB_NAME,
        options,
        List.of(),
        env -> {
          configure(env, options);
          defineWorkflow(
              env, options, ticketSource(options), surveySource(options), productionSinks(options));
        });
  }

  private DriverSplitJobOptions options() {
    return new DriverSplitJobOptions(
        kafka.options(),
        ticketTopic,
        surveyTopic,
        groupId,
        clickHouse.options(),
        slaTargetsFile,
        watermarks.options(window, allowedLateness),
        joinHorizon,
        gate.options(),
        runtime.options(checkpointInterval),
        salts);
  }

  /** The ticket topic, consumer group {@code <groupId>-tickets}. */
  public static EventInput ticketSource(DriverSplitJobOptions options) {
    return EventInput.kafka(
        options.kafka().bootstrapServers(),
        options.ticketTopic(),
        options.groupId() + "-tickets",
        options.runtime().bounded());
  }

  /** The survey topic, consumer group {@code <groupId>-surveys}. */
  public static EventInput surveySource(DriverSplitJobOptions options) {
    return EventInput.kafka(
        options.kafka().bootstrapServers(),
        options.surveyTopic(),
        options.groupId() + "-surveys",
        options.runtime().bounded());
  }

  /** The production sink: JDBC into cx_driver_window. */
  public static DriverSinks productionSinks(DriverSplitJobOptions options) {
    return DriverSinks.production(options);
  }

  /**
   * A survey joins its ticket's outcome up to the join horizon plus the settle time after its own
   * event time, so a window is complete that long after it fired, final after the allowed lateness
   * on top.
   */
  public static JobProgress.Spec progress(DriverSplitJobOptions options) {
    return new JobProgress.Spec(
        JOB_ID,
        DriverWindowRow.TABLE.name(),
        options.eventTime().window(),
        options.joinHorizon().plus(options.settle()),
        options.eventTime().allowedLateness());
  }

  /** Applies the environment-level options: checkpointing and parallelism. */
  public static void configure(StreamExecutionEnvironment env, DriverSplitJobOptions options) {
    options.runtime().configure(env);
  }

  /**
   * The window rows: survey components per tumbling window of the survey's event time × channel ×
   * segment × (sla_outcome|frt_bucket), in two phases salted by the survey's event id. Retention:
   * join horizon + settle time + allowed lateness, because a survey may wait that long for its
   * ticket's outcome (see {@link SurveyTicketJoinFunction}).
   */
  public static WindowAggregation<JoinedSurvey, SurveyAccumulator, DriverWindowRow>
      windowAggregation(DriverSplitJobOptions options) {
    return WindowAggregation.<JoinedSurvey, SurveyAccumulator, DriverWindowRow>builder(
            "driver window", WINDOW_UID)
        .window(options.eventTime().window())
        .retention(
            options
                .joinHorizon()
                .plus(options.settle())
                .plus(options.eventTime().allowedLateness()))
        .salts(options.salts())
        .attribution(DriverSplitJob::attribute)
        .components(
            SurveyAccumulator::new,
            (accumulator, joined) -> accumulator.add(joined.getResponse()),
            TypeInformation.of(SurveyAccumulator.class))
        .rows(DriverWindowRow::of, TypeInformation.of(DriverWindowRow.class))
        .build();
  }

  private static Attribution attribute(JoinedSurvey joined) {
    SurveyResponse response = joined.getResponse();
    return new Attribution(
        response.getEventTime().toEpochMilli(),
        Dimensions.channel(response.getChannel()),
        response.getSegment(),
        DriverWindowRow.dimension(joined.getOutcome()),
        response.getEventId());
  }

  /**
   * Builds the job graph on {@code env}.
   *
   * @param ticketSource cx.tickets ({@link #ticketSource} in production)
   * @param surveySource cx.surveys ({@link #surveySource} in production)
   */
  public static void defineWorkflow(
      StreamExecutionEnvironment env,
      DriverSplitJobOptions options,
      EventInput ticketSource,
      EventInput surveySource,
      DriverSinks sinks) {
    // The survey and ticket jobs' own front: the same rules and counters. Its invalid and
    // duplicate records are those jobs' dead letters, its too-late ones this job's (see the class
    // comment).
    EventFront<TicketEvent> ticketFront =
        EventFront.apply(
            env,
            ticketSource,
            TicketJob.TICKET_EVENTS,
            new TicketEventValidator(options.gate().bounds()),
            options.eventTime(),
            options.gate().dedupTtl(),
            // Joined with the surveys, which must not wait while no ticket arrives.
            EventFront.DownstreamIdleness.ANNOUNCED,
            new EventFront.Naming(TICKET_PREFIX, "driver ticket", "driver ticket events"));
    EventFront<SurveyResponse> surveyFront =
        EventFront.apply(
            env,
            surveySource,
            SurveyJob.SURVEY_RESPONSES,
            new SurveyResponseValidator(options.gate().bounds()),
            options.eventTime(),
            options.gate().dedupTtl(),
            EventFront.DownstreamIdleness.ANNOUNCED,
            new EventFront.Naming(SURVEY_PREFIX, "driver survey", "driver survey responses"));
    DataStream<DecodedEvent<TicketEvent>> tickets = ticketFront.counted();
    DataStream<DecodedEvent<SurveyResponse>> surveys = surveyFront.counted();

    // The ticket job's own lifecycle: first response and SLA verdict by the same rules and targets.
    TicketJobOptions ticketOptions = options.ticketOptions();
    SlaTargets slaTargets = ticketOptions.slaTargets();
    DataStream<TicketOutcome> firstResponses =
        tickets
            .keyBy(event -> event.getEvent().getTicketId(), Types.STRING)
            .process(
                new TicketLifecycleFunction(
                    slaTargets::targetFor, TicketJob.lifecycleStateRetention(ticketOptions)),
                TypeInformation.of(TicketOutcome.class))
            .name("driver ticket lifecycles")
            .uid(LIFECYCLE_UID)
            .filter(DriverSplitJob::isFirstResponseFact)
            .name("first-response facts")
            .uid(FIRST_RESPONSE_FACTS_UID);

    DataStream<DecodedEvent<SurveyResponse>> aboutTickets =
        surveys
            .process(
                new DriverSplitCounters.TicketReferenceFilter(),
                DecodedEvent.typeInfo(SurveyResponse.class))
            .name("surveys about a ticket")
            .uid(TICKET_REFERENCE_UID);

    DataStream<JoinedSurvey> joined =
        aboutTickets
            .connect(firstResponses)
            .keyBy(
                survey -> survey.getEvent().getTicketId(), TicketOutcome::getTicketId, Types.STRING)
            .process(
                new SurveyTicketJoinFunction(options.joinHorizon(), options.settle()),
                JoinedSurvey.typeInfo())
            .name("join surveys with first-response outcomes")
            .uid(JOIN_UID);

    WindowAggregation.Output<JoinedSurvey, DriverWindowRow> windows =
        windowAggregation(options).apply(joined);
    DataStream<DeadLetter> joinedTooLate =
        windows
            .tooLate()
            .process(
                new DriverSplitCounters.TooLateJoinedSurveys(),
                DecodedEvent.typeInfo(SurveyResponse.class))
            .name("count joined surveys too late for their window")
            .uid(TOO_LATE_UID)
            .process(
                new LateDataDeadLetterFunction<>(SurveyJob.SURVEY_RESPONSES),
                TypeInformation.of(DeadLetter.class))
            .name("dead-letter joined surveys too late for their window")
            .uid(JOINED_TOO_LATE_DEAD_LETTERS_UID);
    ownDeadLetters(ticketFront, TICKET_PREFIX)
        .union(ownDeadLetters(surveyFront, SURVEY_PREFIX), joinedTooLate)
        .sinkTo(sinks.deadLetters())
        .name("driver dead letters sink")
        .uid(DEAD_LETTER_SINK_UID);
    windows.rows().sinkTo(sinks.windowRows()).name("driver window rows sink").uid(WINDOW_SINK_UID);
    if (sinks.progress() != null) {
      JobProgress.apply(
          windows.rows(),
          row -> row.getScores().getWindowStart(),
          progress(options),
          sinks.progress(),
          "driver");
    }
  }

  /**
   * The dead letters of {@code front} that only this job can write: its {@code TOO_LATE} ones. The
   * front's invalid and duplicate records are its topic owner's dead letters already.
   */
  private static DataStream<DeadLetter> ownDeadLetters(EventFront<?> front, String uidPrefix) {
    return front
        .counted()
        .getSideOutput(DeadLetterOutput.TAG)
        .filter(DriverSplitJob::isOwnDeadLetter)
        .name("too-late records, this job's own dead letters")
        .uid(uidPrefix + "-own-dead-letters");
  }

  /** Whether this job, not the topic's owner, dead-letters {@code deadLetter}. */
  static boolean isOwnDeadLetter(DeadLetter deadLetter) {
    return deadLetter.getReason() == DeadLetterReason.TOO_LATE;
  }

  /** Whether a ticket fact says something about the first response. */
  static boolean isFirstResponseFact(TicketOutcome fact) {
    return fact.getKind() == TicketOutcomeKind.FIRST_RESPONSE
        || fact.getKind() == TicketOutcomeKind.SLA_BREACHED_UNANSWERED;
  }
}
