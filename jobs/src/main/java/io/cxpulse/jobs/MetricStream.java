package io.cxpulse.jobs;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.jobs.aggregate.WindowAggregation;
import io.cxpulse.jobs.aggregate.WindowComponents;
import io.cxpulse.jobs.alerts.AlertOptions;
import io.cxpulse.jobs.alerts.AlertStage;
import io.cxpulse.jobs.alerts.Alerting;
import io.cxpulse.jobs.pipeline.ClickHouseTable;
import io.cxpulse.jobs.pipeline.DecodedEvent;
import io.cxpulse.jobs.pipeline.EventDescriptor;
import io.cxpulse.jobs.pipeline.EventFront;
import io.cxpulse.jobs.pipeline.EventInput;
import io.cxpulse.jobs.pipeline.JobLauncher;
import io.cxpulse.jobs.pipeline.JobProgress;
import io.cxpulse.jobs.pipeline.LateDataDeadLetterFunction;
import io.cxpulse.jobs.pipeline.RawRecord;
import io.cxpulse.jobs.validation.EventGate;
import io.cxpulse.jobs.validation.EventValidator;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.slf4j.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * One metric stream (survey, checkout, tickets), declared by its job and built here:
 *
 * <pre>
 * source ─► {@link EventFront}: decode + validate, watermarks, de-duplicate, drop too late
 *     ─► the job's keyed stage, if any (checkout sessions, ticket lifecycles)
 *     ─► two-phase {@link WindowAggregation} of the job's components into its rows
 *     ─► window rows sink, progress ({@link JobProgress}), alerting ({@link AlertStage})
 * every rejection ─► DeadLetter ─► dead-letter topic and table
 * </pre>
 *
 * <p>A job declares what is its own: the event type and validator, its keyed {@link Stage}, its
 * window attribution, components and rows, its retention and decision delay. The wiring, operator
 * names, dead letters, progress, alerting and sinks are the same for every stream and written once
 * here; every operator uid is {@code <prefix>-<what>}, so the uids of a job never change with this
 * class (savepoints map state by uid) and never clash with another job's in one Flink job (the
 * local mode).
 *
 * @param job the job's names
 * @param events the event type
 * @param validator the event validator, with the gate's bounds
 * @param stage what runs between the front and the windows
 * @param windows where a record counts and how long rows wait and stay open
 * @param components the rows' additive components
 * @param rows the window rows
 * @param <O> the job's options
 * @param <E> the event type
 * @param <IN> what the window aggregation counts: the events, or the keyed stage's facts
 * @param <C> the rows' additive components
 * @param <ROW> the window row
 */
public record MetricStream<
    O extends MetricJobOptions, E extends SpecificRecord, IN, C extends WindowComponents<C>, ROW>(
    Job job,
    EventDescriptor<E> events,
    Function<EventGate, EventValidator<E>> validator,
    Stage<O, E, IN> stage,
    Windows<O, IN> windows,
    Components<IN, C> components,
    Rows<C, ROW> rows) {

  public MetricStream {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(events, "events");
    Objects.requireNonNull(validator, "validator");
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(windows, "windows");
    Objects.requireNonNull(components, "components");
    Objects.requireNonNull(rows, "rows");
  }

  /**
   * A job's names.
   *
   * @param prefix the start of every operator uid and name, e.g. {@code ticket}; keep it stable
   * @param id the job's name in ClickHouse ({@code cx_job_progress.job}, {@code
   *     cx_dead_letters.job}), e.g. {@code tickets}
   * @param name the Flink job name, e.g. {@code cx-pulse tickets}
   * @param plural the events in operator names, e.g. {@code ticket events}
   * @param redelivery what a redelivered event can do once de-duplication forgot it (a startup
   *     warning when the dedup TTL is shorter than window + allowed lateness)
   */
  public record Job(String prefix, String id, String name, String plural, String redelivery) {}

  /**
   * Where a record counts and how long a row waits and stays open.
   *
   * @param attribution a record's window, dimensions and salt
   * @param retention how long after its end a window still takes records: the window aggregation
   *     keeps its rows and the alert stage its evaluations that long
   * @param decisionDelay how long after the watermark passes a window's end its rows still wait for
   *     decisions: the progress records' completion delay and the alerts' evaluation delay
   */
  public record Windows<O, IN>(
      WindowAggregation.Attributor<IN> attribution,
      Function<O, Duration> retention,
      Function<O, Duration> decisionDelay) {}

  /** A row's additive components: how they start, take a record, and serialise. */
  public record Components<IN, C>(
      WindowAggregation.ComponentsFactory<C> factory,
      WindowAggregation.Adder<IN, C> adder,
      TypeInformation<C> type) {}

  /**
   * The window rows.
   *
   * @param table the ClickHouse table they go to
   * @param factory a row from its key, window end and components
   * @param windowStart where a row's window starts, for progress records
   * @param metricRows how a row reads as metric rows, for alerting
   */
  public record Rows<C, ROW>(
      ClickHouseTable<ROW> table,
      WindowAggregation.RowFactory<C, ROW> factory,
      TypeInformation<ROW> type,
      JobProgress.WindowStart<ROW> windowStart,
      AlertStage.MetricRowsOf<ROW> metricRows) {}

  /** The operator uid {@code <prefix>-<what>}. */
  private String uid(String what) {
    return job.prefix() + "-" + what;
  }

  /** The uid prefix of the window aggregation's operators. */
  private String windowUid() {
    return uid("window");
  }

  /**
   * The window rows: the job's components per tumbling window of its attribution, in two phases so
   * a hot row is spread over all subtasks, kept for the job's retention after the window's end.
   */
  public WindowAggregation<IN, C, ROW> windowAggregation(O options) {
    return WindowAggregation.<IN, C, ROW>builder(job.prefix() + " window", windowUid())
        .window(options.eventTime().window())
        .retention(windows.retention().apply(options))
        .salts(options.salts())
        .attribution(windows.attribution())
        .components(components.factory(), components.adder(), components.type())
        .rows(rows.factory(), rows.type())
        .build();
  }

  /**
   * The production sinks: JDBC into the job's window table, {@code cx_dead_letters} and {@code
   * cx_job_progress} at the ClickHouse of {@code options}, and a Kafka sink into its dead-letter
   * topic; all at-least-once, flushed on checkpoints ({@link MetricSinks#production}).
   */
  public MetricSinks<ROW> productionSinks(O options) {
    return MetricSinks.production(
        rows.table(),
        job.id(),
        options.kafka().bootstrapServers(),
        options.deadLetterTopic(),
        options.clickHouse().connectionOptions(),
        options.runtime().jdbcExecutionOptions());
  }

  /**
   * A window is complete once it fired and the job's decision delay passed, final once its allowed
   * lateness passed after that.
   */
  public JobProgress.Spec progress(O options) {
    return new JobProgress.Spec(
        job.id(),
        rows.table().name(),
        options.eventTime().window(),
        windows.decisionDelay().apply(options),
        options.eventTime().allowedLateness());
  }

  /** The Kafka topic of {@code options}, read as production does. */
  public EventInput kafkaInput(O options) {
    return EventInput.kafka(
        options.kafka().bootstrapServers(),
        options.topic(),
        options.groupId(),
        options.runtime().bounded());
  }

  /** Applies the environment-level options: checkpointing and parallelism. */
  public void configure(StreamExecutionEnvironment env, O options) {
    options.runtime().configure(env);
  }

  /**
   * What a job command's {@code call()} does: checks the options ({@code options} throws on a bad
   * value, which becomes a usage error with exit code 2, not a stack trace), then runs the job on
   * Kafka with the production sinks and the alerting of {@code alertFlags}.
   */
  public int run(CommandSpec spec, Logger log, Supplier<O> options, AlertOptions.Flags alertFlags)
      throws Exception {
    O checked;
    Alerting alerting;
    try {
      checked = options.get();
      alerting =
          alertFlags
              .options()
              .alerting(
                  checked.kafka(),
                  checked.clickHouse(),
                  checked.runtime(),
                  windows.decisionDelay().apply(checked));
    } catch (IllegalArgumentException | UncheckedIOException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    return JobLauncher.run(
        log,
        job.name(),
        checked,
        JobLauncher.dedupTtlWarnings(
            checked.gate().dedupTtl(),
            checked.eventTime().window(),
            checked.eventTime().allowedLateness(),
            job.redelivery()),
        env -> {
          configure(env, checked);
          defineWorkflow(
              env, checked, kafkaInput(checked), productionSinks(checked).withAlerting(alerting));
        });
  }

  /**
   * Builds the job graph on {@code env}: reads {@code input} ({@link #kafkaInput} in production:
   * the gate inside the Kafka source, watermarks per partition), writes to {@code sinks}.
   */
  public void defineWorkflow(
      StreamExecutionEnvironment env, O options, EventInput input, MetricSinks<ROW> sinks) {
    defineWorkflow(
        EventFront.apply(
            env,
            input,
            events,
            validator.apply(options.gate().bounds()),
            options.eventTime(),
            options.gate().dedupTtl(),
            // The job's only input: see EventFront.DownstreamIdleness.
            EventFront.DownstreamIdleness.HIDDEN,
            naming()),
        options,
        sinks);
  }

  /**
   * Builds the job graph on {@code env} from a source of raw records other than Kafka (tests):
   * watermarks per source subtask, see {@link EventInput.Raw}.
   */
  public void defineWorkflow(
      StreamExecutionEnvironment env,
      O options,
      Source<RawRecord, ?, ?> source,
      MetricSinks<ROW> sinks) {
    defineWorkflow(env, options, EventInput.of(source), sinks);
  }

  /** Builds the job graph from an existing stream of raw records. */
  public void defineWorkflow(DataStream<RawRecord> raw, O options, MetricSinks<ROW> sinks) {
    defineWorkflow(
        EventFront.apply(
            raw,
            events,
            validator.apply(options.gate().bounds()),
            options.eventTime(),
            options.gate().dedupTtl(),
            // The job's only input: see EventFront.DownstreamIdleness.
            EventFront.DownstreamIdleness.HIDDEN,
            naming()),
        options,
        sinks);
  }

  private EventFront.Naming naming() {
    return new EventFront.Naming(job.prefix(), job.prefix(), job.plural());
  }

  private void defineWorkflow(EventFront<E> front, O options, MetricSinks<ROW> sinks) {
    DataStream<IN> counted = stage.apply(this, front.counted(), options);
    WindowAggregation.Output<IN, ROW> aggregated = windowAggregation(options).apply(counted);
    DataStream<DeadLetter> deadLetters =
        stage
            .tooLate(this, aggregated.tooLate(), options)
            .map(refused -> front.deadLetters().union(refused))
            .orElseGet(front::deadLetters);

    aggregated
        .rows()
        .sinkTo(sinks.windowRows())
        .name(job.prefix() + " window rows sink")
        .uid(uid("window-sink"));
    if (sinks.progress() != null) {
      JobProgress.apply(
          aggregated.rows(), rows.windowStart(), progress(options), sinks.progress(), job.prefix());
    }
    if (sinks.alerting() != null) {
      AlertStage.apply(
          aggregated.rows(),
          rows.metricRows(),
          sinks.alerting(),
          job.prefix(),
          options.eventTime().window(),
          windows.retention().apply(options));
    }
    deadLetters
        .sinkTo(sinks.deadLetterTopic())
        .name(job.prefix() + " dead letters topic sink")
        .uid(uid("dead-letter-topic-sink"));
    deadLetters
        .sinkTo(sinks.deadLetterTable())
        .name(job.prefix() + " dead letters table sink")
        .uid(uid("dead-letter-table-sink"));
  }

  /**
   * What runs between the front and the windows: nothing ({@link #none()}, the windows count the
   * events), or the job's one keyed stage ({@link #keyed}) that turns events into facts.
   *
   * @param <IN> what the windows count
   */
  public interface Stage<O extends MetricJobOptions, E extends SpecificRecord, IN> {

    /** Adds the stage after the front's counted events. */
    DataStream<IN> apply(
        MetricStream<O, E, IN, ?, ?> stream,
        SingleOutputStreamOperator<DecodedEvent<E>> counted,
        O options);

    /**
     * Handles the records the windows refused as too late: returns their dead letters, if they are
     * dead-lettered.
     */
    Optional<DataStream<DeadLetter>> tooLate(
        MetricStream<O, E, IN, ?, ?> stream, DataStream<IN> tooLate, O options);

    /**
     * No stage: the windows count the events, and an event too late for its window (uid {@code
     * <prefix>-window-late-data}) is dead-lettered, as the front does with events too late for it.
     */
    static <O extends MetricJobOptions, E extends SpecificRecord>
        Stage<O, E, DecodedEvent<E>> none() {
      return new Stage<>() {
        @Override
        public DataStream<DecodedEvent<E>> apply(
            MetricStream<O, E, DecodedEvent<E>, ?, ?> stream,
            SingleOutputStreamOperator<DecodedEvent<E>> counted,
            O options) {
          return counted;
        }

        @Override
        public Optional<DataStream<DeadLetter>> tooLate(
            MetricStream<O, E, DecodedEvent<E>, ?, ?> stream,
            DataStream<DecodedEvent<E>> tooLate,
            O options) {
          return Optional.of(
              tooLate
                  .process(
                      new LateDataDeadLetterFunction<>(stream.events()),
                      TypeInformation.of(DeadLetter.class))
                  .name("dead-letter " + stream.job().plural() + " the window dropped")
                  .uid(stream.windowUid() + "-late-data"));
        }
      };
    }

    /**
     * A keyed stage: {@code function} keyed by {@code key} (uid {@code <prefix>-<what>}) turns
     * events into facts; facts too late for their window go to {@code tooLate}, which counts them
     * (uid {@code <prefix>-window-<tooLate.what>}); they are not events, so no dead letters.
     */
    static <O extends MetricJobOptions, E extends SpecificRecord, IN> Stage<O, E, IN> keyed(
        String what,
        String name,
        KeySelector<DecodedEvent<E>, String> key,
        Function<O, KeyedProcessFunction<String, DecodedEvent<E>, IN>> function,
        TypeInformation<IN> type,
        TooLate<O, IN, ?> tooLate) {
      return new Stage<>() {
        @Override
        public DataStream<IN> apply(
            MetricStream<O, E, IN, ?, ?> stream,
            SingleOutputStreamOperator<DecodedEvent<E>> counted,
            O options) {
          return counted
              .keyBy(key, Types.STRING)
              .process(function.apply(options), type)
              .name(name)
              .uid(stream.uid(what));
        }

        @Override
        public Optional<DataStream<DeadLetter>> tooLate(
            MetricStream<O, E, IN, ?, ?> stream, DataStream<IN> refused, O options) {
          tooLate.apply(refused, options, stream.windowUid());
          return Optional.empty();
        }
      };
    }
  }

  /**
   * Counts the facts the windows refused as too late (they are the job's own, so no dead letters).
   *
   * @param what the uid is {@code <prefix>-window-<what>}
   * @param name the operator name
   */
  public record TooLate<O, IN, OUT>(
      String what,
      String name,
      Function<O, ProcessFunction<IN, OUT>> function,
      TypeInformation<OUT> type) {

    void apply(DataStream<IN> refused, O options, String windowUid) {
      refused.process(function.apply(options), type).name(name).uid(windowUid + "-" + what);
    }
  }
}
