package io.cxpulse.local.bench.pipeline;

import io.cxpulse.events.CheckoutEvent;
import io.cxpulse.events.DeadLetter;
import io.cxpulse.events.FunnelStep;
import io.cxpulse.jobs.MetricStream;
import io.cxpulse.jobs.aggregate.WindowAggregation;
import io.cxpulse.jobs.checkout.CheckoutJob;
import io.cxpulse.jobs.checkout.CheckoutJobOptions;
import io.cxpulse.jobs.checkout.CheckoutWindowRow;
import io.cxpulse.jobs.generator.BadRecords;
import io.cxpulse.jobs.generator.CheckoutScenario;
import io.cxpulse.jobs.generator.CheckoutScenario.ScenarioRecord;
import io.cxpulse.jobs.generator.CheckoutTruth;
import io.cxpulse.jobs.pipeline.ClickHouseOptions;
import io.cxpulse.jobs.pipeline.DeadLetterOutput;
import io.cxpulse.jobs.pipeline.DecodedEvent;
import io.cxpulse.jobs.pipeline.Dimensions;
import io.cxpulse.jobs.pipeline.EventTimeOptions;
import io.cxpulse.jobs.pipeline.KafkaOptions;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import io.cxpulse.metrics.LogHistogram;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;

/**
 * The checkout job's benchmark input and runs: whole checkouts from the project's traffic
 * generator, laid out by {@link CheckoutScenario} (the oracle of the checkout pipeline tests) with
 * steps out of order, late events, orders arriving after their checkout was counted abandoned,
 * duplicates and every kind of bad record; and the expected window rows summed from the truth of
 * every checkout (what the generator recorded while it made it up), not from the job's rules.
 *
 * <p>The job's rows, from (b), (d) and the sink alone, are compared in every component: started,
 * completed, abandoned, pending (none at the end), abandoned value per currency, abandoned
 * checkouts per highest step and per last payment-failure reason, the completion-time histogram and
 * its sum. Not the version: it counts the outcome records a row absorbed, corrections included, and
 * how many corrections happen depends on how far the watermark got when a late event was read.
 */
public final class CheckoutWorkload
    extends JobWorkload<CheckoutEvent, CheckoutWindowRow, CheckoutJobOptions> {

  /** Checkouts starting per second of event time: the scenario's default (5.5 events a second). */
  static final double CHECKOUTS_PER_SECOND = 1.5;

  /** The components the Flink SQL variant computes too; see {@link #sql}. */
  private static final List<String> SQL_COMPONENTS =
      List.of("started", "completed", "abandoned", "completion_time.sum_ms");

  private static final String SQL_STEP_PREFIX = "abandoned_step.";

  private final String topic;
  private final Duration jobWindow;

  /** The truth of one window row: the checkouts that started in it. */
  private static final class Sums {
    long started;
    long completed;
    long abandoned;
    final SortedMap<String, Long> value = new TreeMap<>();
    final SortedMap<String, Long> steps = new TreeMap<>();
    final SortedMap<String, Long> reasons = new TreeMap<>();
    final LogHistogram completionTimes = new LogHistogram();

    void add(CheckoutTruth truth) {
      started++;
      if (truth.completed()) {
        completed++;
        completionTimes.add(truth.completionTimeMillis());
      } else {
        abandoned++;
        value.merge(truth.currency(), truth.cartValueMinor(), Long::sum);
        steps.merge(stepKey(truth.lastStep()), 1L, Long::sum);
        if (truth.lastPaymentFailureReason() != null) {
          reasons.merge(truth.lastPaymentFailureReason(), 1L, Long::sum);
        }
      }
    }
  }

  private CheckoutWorkload(
      Input input,
      int events,
      List<CheckoutWindowRow> rows,
      CheckoutScenario scenario,
      Duration jobWindow) {
    super(input, events, rows, scenario.fateCounts());
    this.topic = input.topic();
    this.jobWindow = jobWindow;
  }

  /**
   * Generates whole checkouts of at least {@code events} events (and the scenario's duplicates and
   * bad records around them) ending well before now, in {@code segments} segments, split by
   * checkout id.
   */
  public static CheckoutWorkload generate(int events, int segments, long seed) {
    return generate(events, segments, seed, EVENT_TIME.window());
  }

  /**
   * As {@link #generate(int, int, long)}, but the job's graph, (b) and (d), runs with windows of
   * {@code jobWindow} while the expectation keeps production's: with another window the job's rows
   * are wrong, and their checks must say so (the benchmark's test).
   */
  public static CheckoutWorkload generate(int events, int segments, long seed, Duration jobWindow) {
    Instant now = Instant.now();
    CheckoutScenario scenario =
        CheckoutScenario.builder(
                seed, CheckoutScenario.startFor(now, events, CHECKOUTS_PER_SECOND), now)
            .events(events)
            .checkoutsPerSecond(CHECKOUTS_PER_SECOND)
            .windowSize(EVENT_TIME.window())
            .outOfOrderness(EVENT_TIME.outOfOrderness())
            .allowedLateness(EVENT_TIME.allowedLateness())
            .inactivityTimeout(CheckoutJobOptions.DEFAULT_INACTIVITY_TIMEOUT)
            .tooLateCheckouts(0)
            .build();
    Input input = new Input(CheckoutJob.JOB_ID);
    for (ScenarioRecord record : scenario.records()) {
      byte[] value = record.value();
      if (segments != 4 && record.kind() != CheckoutScenario.Kind.BAD) {
        // Bad records stay as they are: their fault may be in the segment.
        CheckoutEvent event = record.event().orElseThrow();
        value =
            BadRecords.encode(
                CheckoutEvent.newBuilder(event)
                    .setSegment(segment(event.getSegment(), event.getCheckoutId(), segments))
                    .build());
      }
      input.add(value, record.timestamp(), record.key());
    }
    long windowMillis = EVENT_TIME.window().toMillis();
    Map<String, Sums> sums = new LinkedHashMap<>();
    Map<String, CheckoutWindowRow> rows = new LinkedHashMap<>();
    for (CheckoutTruth truth : scenario.countedCheckouts()) {
      long start = truth.start().toEpochMilli();
      long windowStart = start - Math.floorMod(start, windowMillis);
      String segment = segment(truth.segment(), truth.checkoutId(), segments);
      String key = WindowResult.key(windowStart, truth.channel(), segment);
      sums.computeIfAbsent(key, k -> new Sums()).add(truth);
      rows.computeIfAbsent(
          key,
          k -> {
            CheckoutWindowRow row = new CheckoutWindowRow();
            row.setWindowStart(Instant.ofEpochMilli(windowStart));
            row.setWindowEnd(Instant.ofEpochMilli(windowStart + windowMillis));
            row.setChannel(truth.channel());
            row.setSegment(segment);
            return row;
          });
    }
    rows.forEach((key, row) -> fill(row, sums.get(key)));
    int generated = scenario.checkouts().stream().mapToInt(c -> c.events().size()).sum();
    return new CheckoutWorkload(
        input, generated, new ArrayList<>(rows.values()), scenario, jobWindow);
  }

  /** Sets the components of {@code row} to {@code sums}; its version to the checkouts. */
  private static void fill(CheckoutWindowRow row, Sums sums) {
    row.setStarted(sums.started);
    row.setCompleted(sums.completed);
    row.setAbandoned(sums.abandoned);
    row.setPending(0);
    row.setAbandonedValueCurrencies(sums.value.keySet().toArray(String[]::new));
    row.setAbandonedValueMinor(sums.value.values().stream().mapToLong(Long::longValue).toArray());
    row.setAbandonedSteps(sums.steps.keySet().toArray(String[]::new));
    row.setAbandonedStepCounts(sums.steps.values().stream().mapToLong(Long::longValue).toArray());
    row.setAbandonedReasons(sums.reasons.keySet().toArray(String[]::new));
    row.setAbandonedReasonCounts(
        sums.reasons.values().stream().mapToLong(Long::longValue).toArray());
    row.setCompletionTimeBuckets(sums.completionTimes.bucketIndexes());
    row.setCompletionTimeCounts(sums.completionTimes.bucketCounts());
    row.setCompletionTimeSumMillis(sums.completionTimes.sum());
    row.setVersion(sums.started);
  }

  /** A funnel step as the job's rows name it: lower case. */
  private static String stepKey(FunnelStep step) {
    return step.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String job() {
    return CheckoutJob.JOB_ID;
  }

  @Override
  protected MetricStream<CheckoutJobOptions, CheckoutEvent, ?, ?, CheckoutWindowRow> stream() {
    return CheckoutJob.STREAM;
  }

  @Override
  protected CheckoutJobOptions options(
      KafkaOptions kafka, ClickHouseOptions clickHouse, String groupId, RuntimeOptions runtime) {
    return new CheckoutJobOptions(
        kafka,
        topic,
        topic + ".dead-letters",
        groupId,
        clickHouse,
        new EventTimeOptions(
            jobWindow,
            EVENT_TIME.outOfOrderness(),
            EVENT_TIME.idleness(),
            EVENT_TIME.allowedLateness()),
        CheckoutJobOptions.DEFAULT_INACTIVITY_TIMEOUT,
        CheckoutJobOptions.DEFAULT_MAX_CHECKOUT_DURATION,
        GATE,
        runtime,
        WindowAggregation.DEFAULT_SALTS);
  }

  @Override
  protected LatestRowsSink.Reduction<CheckoutWindowRow> reduction() {
    return CheckoutWorkload::result;
  }

  /**
   * Started, completed, abandoned, pending, {@code abandoned_value.<currency>}, {@code
   * abandoned_step.<step>}, {@code abandoned_reason.<reason>}, {@code
   * completion_time.bucket.<index>} and {@code completion_time.sum_ms}.
   */
  private static WindowResult result(CheckoutWindowRow row) {
    SortedMap<String, Long> components = new TreeMap<>();
    add(components, "started", row.getStarted());
    add(components, "completed", row.getCompleted());
    add(components, "abandoned", row.getAbandoned());
    add(components, "pending", row.getPending());
    addEntries(
        components,
        "abandoned_value",
        row.getAbandonedValueCurrencies(),
        row.getAbandonedValueMinor());
    addEntries(components, "abandoned_step", row.getAbandonedSteps(), row.getAbandonedStepCounts());
    addEntries(
        components, "abandoned_reason", row.getAbandonedReasons(), row.getAbandonedReasonCounts());
    addHistogram(
        components,
        "completion_time",
        row.getCompletionTimeBuckets(),
        row.getCompletionTimeCounts(),
        row.getCompletionTimeSumMillis());
    return new WindowResult(
        WindowResult.key(row.getWindowStart().toEpochMilli(), row.getChannel(), row.getSegment()),
        row.getVersion(),
        components);
  }

  /**
   * The nearest Flink SQL has to the job: after the job's decode and validate step (a DataStream
   * function) and Flink SQL's documented de-duplication (first row per event_id by processing
   * time), a {@code SESSION} window per checkout_id with the job's inactivity timeout as the gap,
   * which gives each checkout its start (first event), whether an order was placed, its highest
   * step and its completion time (order − start); then a (non-windowed, updating) aggregation of
   * the checkouts per minute of their start × channel × segment: started, completed, abandoned,
   * abandoned checkouts per highest step, the sum of completion times. Those are compared with the
   * expectation; the SQL does not compute the abandoned value per currency, the payment-failure
   * reasons or the completion-time histogram (they need the last event's fields or a histogram
   * function), nor pending checkouts or corrections: its watermark trails the job's by the allowed
   * lateness, so a session closes only when no late event of it can come, and each checkout is
   * emitted once, decided.
   *
   * <p>The job decides a checkout at its order or at its last step + the inactivity timeout, and
   * corrects it for late events; the generated checkouts' steps are at most 10 minutes apart, so
   * the session of a checkout is the whole checkout and both decide the same.
   */
  @Override
  public Run sql(int parallelism) {
    StreamExecutionEnvironment env = BenchCluster.environment(parallelism);
    SingleOutputStreamOperator<DecodedEvent<CheckoutEvent>> decoded = decode(env);
    TallySink<DeadLetter> rejected = deadLetterTally();
    decoded.getSideOutput(DeadLetterOutput.TAG).sinkTo(rejected).name("discard dead letters");
    String[] names = {
      "event_id", "checkout_id", "event_time", "event_millis", "channel", "segment", "step_rank"
    };
    DataStream<Row> checkoutEvents =
        decoded
            .map(CheckoutWorkload::row)
            .returns(
                Types.ROW_NAMED(
                    names,
                    Types.STRING,
                    Types.STRING,
                    Types.INSTANT,
                    Types.LONG,
                    Types.STRING,
                    Types.STRING,
                    Types.INT))
            .name("checkout events as rows");
    StreamTableEnvironment tables = tables(env);
    tables.createTemporaryView(
        "checkout_events",
        tables.fromDataStream(
            checkoutEvents,
            Schema.newBuilder()
                .column("event_id", DataTypes.STRING())
                .column("checkout_id", DataTypes.STRING())
                .column("event_time", DataTypes.TIMESTAMP_LTZ(3))
                .column("event_millis", DataTypes.BIGINT())
                .column("channel", DataTypes.STRING())
                .column("segment", DataTypes.STRING())
                .column("step_rank", DataTypes.INT())
                .columnByExpression("proctime", "PROCTIME()")
                .watermark(
                    "event_time",
                    "event_time - "
                        + interval(EVENT_TIME.outOfOrderness().plus(EVENT_TIME.allowedLateness())))
                .build()));
    tables.createTemporaryView(
        "first_events", tables.sqlQuery(firstRows("checkout_events", String.join(", ", names))));
    int ordered = FunnelStep.ORDER_PLACED.ordinal();
    tables.createTemporaryView(
        "checkouts",
        tables.sqlQuery(
            "SELECT checkout_id, MIN(channel) AS channel, MIN(segment) AS segment,"
                + " MIN(event_millis) AS started_ms, MAX(step_rank) AS last_step_rank,"
                + (" MIN(event_millis) FILTER (WHERE step_rank = " + ordered + ") AS ordered_ms")
                + " FROM TABLE(SESSION(TABLE first_events PARTITION BY checkout_id,"
                + (" DESCRIPTOR(event_time), "
                    + interval(CheckoutJobOptions.DEFAULT_INACTIVITY_TIMEOUT)
                    + "))")
                + " GROUP BY checkout_id, window_start, window_end"));
    long windowMillis = EVENT_TIME.window().toMillis();
    String steps =
        List.of(FunnelStep.values()).stream()
            .filter(step -> step != FunnelStep.ORDER_PLACED)
            .map(
                step ->
                    "COUNT(*) FILTER (WHERE ordered_ms IS NULL AND last_step_rank = "
                        + step.ordinal()
                        + ") AS abandoned_step_"
                        + stepKey(step))
            .collect(Collectors.joining(", "));
    var windows =
        tables.sqlQuery(
            "SELECT started_ms - MOD(started_ms, "
                + windowMillis
                + ") AS window_start, channel, segment, COUNT(*) AS started,"
                + " COUNT(ordered_ms) AS completed,"
                + " COUNT(*) FILTER (WHERE ordered_ms IS NULL) AS abandoned,"
                + " COALESCE(SUM(ordered_ms - started_ms), 0) AS completion_time_sum_ms, "
                + steps
                + " FROM checkouts GROUP BY started_ms - MOD(started_ms, "
                + windowMillis
                + "), channel, segment");
    LatestRowsSink<Row> rows = LatestRowsSink.lastWritten(CheckoutWorkload::result);
    tables
        .toChangelogStream(windows)
        .filter(row -> row.getKind() == RowKind.INSERT || row.getKind() == RowKind.UPDATE_AFTER)
        .name("checkout window rows, latest")
        .sinkTo(rows)
        .name("checkout window rows");
    Map<String, WindowResult> expected = new LinkedHashMap<>();
    expectedRows()
        .forEach(
            (key, row) ->
                expected.put(
                    key,
                    row.only(
                        name ->
                            SQL_COMPONENTS.contains(name) || name.startsWith(SQL_STEP_PREFIX))));
    return new Run(
        env,
        () -> {
          List<String> problems = new ArrayList<>();
          problems.addAll(Expectations.windowRows(expected, rows.release()));
          problems.addAll(Expectations.counts("dead letters", gateRejections(), release(rejected)));
          return problems;
        });
  }

  private static WindowResult result(Row row) {
    SortedMap<String, Long> components = new TreeMap<>();
    add(components, "started", row.<Long>getFieldAs("started"));
    add(components, "completed", row.<Long>getFieldAs("completed"));
    add(components, "abandoned", row.<Long>getFieldAs("abandoned"));
    add(components, "completion_time.sum_ms", row.<Long>getFieldAs("completion_time_sum_ms"));
    for (FunnelStep step : FunnelStep.values()) {
      if (step != FunnelStep.ORDER_PLACED) {
        add(
            components,
            SQL_STEP_PREFIX + stepKey(step),
            row.<Long>getFieldAs("abandoned_step_" + stepKey(step)));
      }
    }
    return new WindowResult(
        WindowResult.key(
            row.<Long>getFieldAs("window_start"),
            row.getFieldAs("channel"),
            row.getFieldAs("segment")),
        row.<Long>getFieldAs("started"),
        components);
  }

  private static Row row(DecodedEvent<CheckoutEvent> decoded) {
    CheckoutEvent event = decoded.getEvent();
    return Row.of(
        event.getEventId(),
        event.getCheckoutId(),
        event.getEventTime(),
        event.getEventTime().toEpochMilli(),
        Dimensions.channel(event.getChannel()),
        event.getSegment(),
        event.getStep().ordinal());
  }

  @Override
  protected Map<String, WindowResult> windowTable(Connection connection) throws SQLException {
    return readRows(
        connection,
        "SELECT toUnixTimestamp(window_start) AS start_epoch, * FROM cx_checkout_window FINAL",
        rs -> {
          CheckoutWindowRow row = new CheckoutWindowRow();
          row.setWindowStart(windowStart(rs));
          row.setChannel(rs.getString("channel"));
          row.setSegment(rs.getString("segment"));
          row.setStarted(rs.getLong("started"));
          row.setCompleted(rs.getLong("completed"));
          row.setAbandoned(rs.getLong("abandoned"));
          row.setPending(rs.getLong("pending"));
          row.setAbandonedValueCurrencies(strings(rs, "abandoned_value_currencies"));
          row.setAbandonedValueMinor(longs(rs, "abandoned_value_minor"));
          row.setAbandonedSteps(strings(rs, "abandoned_steps"));
          row.setAbandonedStepCounts(longs(rs, "abandoned_step_counts"));
          row.setAbandonedReasons(strings(rs, "abandoned_reasons"));
          row.setAbandonedReasonCounts(longs(rs, "abandoned_reason_counts"));
          row.setCompletionTimeBuckets(ints(rs, "completion_time_buckets"));
          row.setCompletionTimeCounts(longs(rs, "completion_time_counts"));
          row.setCompletionTimeSumMillis(rs.getLong("completion_time_sum_ms"));
          row.setVersion(rs.getLong("version"));
          return row;
        });
  }
}
