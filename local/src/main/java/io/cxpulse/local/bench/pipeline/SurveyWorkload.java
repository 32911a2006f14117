package io.cxpulse.local.bench.pipeline;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.events.SurveyResponse;
import io.cxpulse.events.SurveyType;
import io.cxpulse.jobs.MetricSinks;
import io.cxpulse.jobs.aggregate.WindowAggregation;
import io.cxpulse.jobs.generator.SurveyScenario;
import io.cxpulse.jobs.generator.SurveyScenario.ScenarioRecord;
import io.cxpulse.jobs.generator.SurveyTrafficGenerator;
import io.cxpulse.jobs.pipeline.ClickHouseOptions;
import io.cxpulse.jobs.pipeline.DeadLetterOutput;
import io.cxpulse.jobs.pipeline.DecodeAndValidateFunction;
import io.cxpulse.jobs.pipeline.DecodedEvent;
import io.cxpulse.jobs.pipeline.Dimensions;
import io.cxpulse.jobs.pipeline.DurableState;
import io.cxpulse.jobs.pipeline.EventGateOptions;
import io.cxpulse.jobs.pipeline.EventTimeOptions;
import io.cxpulse.jobs.pipeline.KafkaOptions;
import io.cxpulse.jobs.pipeline.RawRecord;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import io.cxpulse.jobs.survey.SurveyAccumulator;
import io.cxpulse.jobs.survey.SurveyJob;
import io.cxpulse.jobs.survey.SurveyJobOptions;
import io.cxpulse.jobs.survey.SurveyWindowRow;
import io.cxpulse.jobs.validation.RejectReason;
import io.cxpulse.jobs.validation.SurveyResponseValidator;
import io.cxpulse.local.bench.ClickHouseJdbcBenchmark;
import io.cxpulse.metrics.CsatComponents;
import io.cxpulse.metrics.NpsComponents;
import io.cxpulse.metrics.ScoreScale;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.api.config.ExecutionConfigOptions;
import org.apache.flink.table.api.config.TableConfigOptions;
import org.apache.flink.types.Row;

/**
 * The survey job's benchmark input and runs: responses from the project's traffic generator, laid
 * out by {@link SurveyScenario} with late responses, duplicates and every kind of bad record, and
 * the expected window rows computed from the responses the scenario says are counted.
 *
 * <p>The scenario has no TOO_LATE responses: whether one is dropped depends on how far the
 * watermark got before it was read, which only a producer pacing itself by the job's progress
 * controls (see {@link SurveyScenario}), and a benchmark reads as fast as it can. Every other fate
 * is certain, so every run's result is exact.
 */
public final class SurveyWorkload implements Workload {

  /** Responses per second of event time, as the end-to-end tests generate them. */
  static final double EVENTS_PER_SECOND = 8.0;

  private static final int CES_BUCKETS = ScoreScale.CES.max() - ScoreScale.CES.min() + 1;

  /** The job's options but where it reads and writes: production's defaults. */
  private static final EventTimeOptions EVENT_TIME = EventTimeOptions.DEFAULTS;

  private static final EventGateOptions GATE = EventGateOptions.DEFAULTS;

  /** A window row's key and the responses the scenario counts in it. */
  private record ExpectedRow(
      long windowStart, String channel, String segment, SurveyAccumulator components) {}

  /** The input topic: of this workload alone, as the engines serve every workload of a run. */
  private final String topic;

  private final String deadLetterTopic;
  private final InMemoryInput<RawRecord> input;
  private final List<String> keys;
  private final Map<String, ExpectedRow> expectedRows;
  private final Map<String, Long> expectedDeadLetters;
  private boolean produced;

  // Held until close, whether or not the run that made them got as far as its check.
  private final List<InMemoryInput<SurveyWindowRow>> rowInputs = new ArrayList<>();
  private final List<Path> temporaryDirectories = new ArrayList<>();

  private SurveyWorkload(
      String topic,
      List<RawRecord> records,
      List<String> keys,
      Map<String, ExpectedRow> expectedRows,
      Map<String, Long> expectedDeadLetters) {
    this.topic = topic;
    this.deadLetterTopic = topic + ".dead-letters";
    this.input = new InMemoryInput<>(records, TypeInformation.of(RawRecord.class));
    this.keys = keys;
    this.expectedRows = expectedRows;
    this.expectedDeadLetters = expectedDeadLetters;
  }

  /**
   * Generates {@code events} responses (and the scenario's duplicates and bad records around them)
   * ending an hour before now, in {@code segments} segments: the generator's four, each split into
   * {@code segments / 4} evenly by event id.
   */
  public static SurveyWorkload generate(int events, int segments, long seed) {
    if (segments < 4 || segments % 4 != 0) {
      throw new IllegalArgumentException(
          "segments must be a multiple of 4 (the generator's four, split evenly): " + segments);
    }
    Instant now = Instant.now();
    Duration span = Duration.ofSeconds((long) (events / EVENTS_PER_SECOND));
    Instant start = now.minus(span).minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.HOURS);
    List<SurveyResponse> responses =
        SurveyTrafficGenerator.create(seed, start, EVENTS_PER_SECOND).take(events);
    if (segments > 4) {
      int parts = segments / 4;
      String format = "%s-%0" + String.valueOf(parts - 1).length() + "d";
      responses =
          responses.stream()
              .map(
                  response ->
                      SurveyResponse.newBuilder(response)
                          .setSegment(
                              String.format(
                                  Locale.ROOT,
                                  format,
                                  response.getSegment(),
                                  Math.floorMod(response.getEventId().hashCode(), parts)))
                          .build())
              .toList();
    }
    SurveyScenario scenario =
        SurveyScenario.builder(responses, now)
            .seed(seed)
            .windowSize(EVENT_TIME.window())
            .outOfOrderness(EVENT_TIME.outOfOrderness())
            .allowedLateness(EVENT_TIME.allowedLateness())
            .tooLateCount(0)
            .build();
    String topic = "bench.surveys." + UUID.randomUUID();
    List<ScenarioRecord> scenarioRecords = scenario.records();
    List<RawRecord> records = new ArrayList<>(scenarioRecords.size());
    List<String> keys = new ArrayList<>(scenarioRecords.size());
    for (ScenarioRecord record : scenarioRecords) {
      records.add(
          new RawRecord(
              topic, 0, records.size(), record.timestamp().toEpochMilli(), record.value()));
      keys.add(record.key());
    }
    long windowMillis = EVENT_TIME.window().toMillis();
    Map<String, ExpectedRow> rows = new LinkedHashMap<>();
    for (SurveyResponse response : scenario.countedResponses()) {
      long time = response.getEventTime().toEpochMilli();
      long windowStart = time - Math.floorMod(time, windowMillis);
      String channel = Dimensions.channel(response.getChannel());
      rows.computeIfAbsent(
              WindowResult.key(windowStart, channel, response.getSegment()),
              key ->
                  new ExpectedRow(
                      windowStart, channel, response.getSegment(), new SurveyAccumulator()))
          .components()
          .add(response);
    }
    Map<String, Long> deadLetters = new HashMap<>();
    scenario
        .fateCounts()
        .forEach(
            (fate, count) -> {
              if (!fate.isCounted()) {
                deadLetters.merge(fate.rejectReason().name(), count, Long::sum);
              }
            });
    return new SurveyWorkload(topic, records, keys, rows, deadLetters);
  }

  @Override
  public String job() {
    return SurveyJob.JOB_ID;
  }

  @Override
  public int records() {
    return input.size();
  }

  @Override
  public int windowRows() {
    return expectedRows.size();
  }

  @Override
  public Run passThrough(int parallelism) {
    StreamExecutionEnvironment env = BenchCluster.environment(parallelism);
    TallySink<DecodedEvent<SurveyResponse>> admitted = TallySink.counting("admitted");
    TallySink<DeadLetter> rejected = deadLetterTally();
    SingleOutputStreamOperator<DecodedEvent<SurveyResponse>> decoded = decode(env);
    decoded.sinkTo(admitted).name("discard admitted responses");
    decoded.getSideOutput(DeadLetterOutput.TAG).sinkTo(rejected).name("discard dead letters");
    return new Run(
        env,
        () -> {
          Map<String, Long> gateRejections = gateRejections();
          long rejectedCount = gateRejections.values().stream().mapToLong(Long::longValue).sum();
          List<String> problems = new ArrayList<>();
          problems.addAll(
              Expectations.counts(
                  "admitted", Map.of("admitted", records() - rejectedCount), release(admitted)));
          problems.addAll(Expectations.counts("dead letters", gateRejections, release(rejected)));
          return problems;
        });
  }

  @Override
  public Run jobGraph(int parallelism) {
    StreamExecutionEnvironment env = BenchCluster.environment(parallelism);
    LatestRowsSink<SurveyWindowRow> rows = new LatestRowsSink<>(SurveyWorkload::result);
    TallySink<DeadLetter> deadLetters = deadLetterTally();
    // The graph alone: Kafka and ClickHouse options unused, no checkpoints (nothing to flush).
    SurveyJob.defineWorkflow(
        env,
        options(
            KafkaOptions.DEFAULTS, ClickHouseOptions.DEFAULTS, "unused", RuntimeOptions.DEFAULTS),
        input.source(),
        new MetricSinks<>(rows, deadLetters, new DiscardingSink<>()));
    return new Run(
        env,
        () -> {
          List<String> problems = new ArrayList<>();
          problems.addAll(Expectations.windowRows(expectedResults(), rows.release()));
          problems.addAll(
              Expectations.counts("dead letters", expectedDeadLetters, release(deadLetters)));
          return problems;
        });
  }

  /**
   * The same work in Flink SQL: the decode and validate step of the job (a DataStream function),
   * then Flink SQL's documented de-duplication (first row per event_id by processing time, state
   * kept as long as the job's de-duplication TTL) and a tumbling window per channel and segment
   * counting the same components.
   *
   * <p>Window TVFs have no allowed lateness, so the table's watermark trails the job's by the
   * allowed lateness: every response the job counts, including late ones, is in its window when it
   * closes (the job keeps each window's state that long too). The job emits a row at the window end
   * and again for late responses, SQL once, later; the final rows are the same.
   */
  @Override
  public Run sql(int parallelism) {
    StreamExecutionEnvironment env = BenchCluster.environment(parallelism);
    SingleOutputStreamOperator<DecodedEvent<SurveyResponse>> decoded = decode(env);
    TallySink<DeadLetter> rejected = deadLetterTally();
    decoded.getSideOutput(DeadLetterOutput.TAG).sinkTo(rejected).name("discard dead letters");
    String[] names = {"event_id", "event_time", "channel", "segment", "survey_type", "score"};
    DataStream<Row> responses =
        decoded
            .map(SurveyWorkload::row)
            .returns(
                Types.ROW_NAMED(
                    names,
                    Types.STRING,
                    Types.INSTANT,
                    Types.STRING,
                    Types.STRING,
                    Types.STRING,
                    Types.INT))
            .name("survey responses as rows");
    StreamTableEnvironment tables = StreamTableEnvironment.create(env);
    tables.getConfig().set(TableConfigOptions.LOCAL_TIME_ZONE, "UTC");
    tables.getConfig().set(ExecutionConfigOptions.IDLE_STATE_RETENTION, GATE.dedupTtl());
    tables.createTemporaryView(
        "survey_responses",
        tables.fromDataStream(
            responses,
            Schema.newBuilder()
                .column("event_id", DataTypes.STRING())
                .column("event_time", DataTypes.TIMESTAMP_LTZ(3))
                .column("channel", DataTypes.STRING())
                .column("segment", DataTypes.STRING())
                .column("survey_type", DataTypes.STRING())
                .column("score", DataTypes.INT())
                .columnByExpression("proctime", "PROCTIME()")
                .watermark(
                    "event_time",
                    "event_time - "
                        + interval(EVENT_TIME.outOfOrderness().plus(EVENT_TIME.allowedLateness())))
                .build()));
    tables.createTemporaryView(
        "first_responses",
        tables.sqlQuery(
            "SELECT event_id, event_time, channel, segment, survey_type, score FROM ("
                + " SELECT *, ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY proctime) AS n"
                + " FROM survey_responses) WHERE n = 1"));
    Table windows = tables.sqlQuery(windowQuery());
    LatestRowsSink<Row> rows = new LatestRowsSink<>(SurveyWorkload::result);
    tables.toDataStream(windows).sinkTo(rows).name("survey window rows");
    return new Run(
        env,
        () -> {
          List<String> problems = new ArrayList<>();
          problems.addAll(Expectations.windowRows(expectedResults(), rows.release()));
          problems.addAll(Expectations.counts("dead letters", gateRejections(), release(rejected)));
          return problems;
        });
  }

  /**
   * The window aggregation as SQL: CSAT, NPS and CES components per minute, channel and segment,
   * classified by the same constants as {@link CsatComponents} and {@link NpsComponents}.
   */
  private static String windowQuery() {
    String csat = "survey_type = '" + SurveyType.CSAT.name() + "'";
    String nps = "survey_type = '" + SurveyType.NPS.name() + "'";
    String ces = "survey_type = '" + SurveyType.CES.name() + "'";
    String histogram =
        IntStream.rangeClosed(ScoreScale.CES.min(), ScoreScale.CES.max())
            .mapToObj(
                score ->
                    "COUNT(*) FILTER (WHERE " + ces + " AND score = " + score + ") AS ces_" + score)
            .collect(Collectors.joining(", "));
    return "SELECT window_start, channel, segment, COUNT(*) AS responses,"
        + (" COUNT(*) FILTER (WHERE " + csat + ") AS csat_total,")
        + (" COUNT(*) FILTER (WHERE " + csat)
        + (" AND score >= " + CsatComponents.SATISFIED_MIN_SCORE + ") AS csat_satisfied,")
        + (" COUNT(*) FILTER (WHERE " + nps)
        + (" AND score >= " + NpsComponents.PROMOTER_MIN_SCORE + ") AS nps_promoters,")
        + (" COUNT(*) FILTER (WHERE " + nps + " AND score > " + NpsComponents.DETRACTOR_MAX_SCORE)
        + (" AND score < " + NpsComponents.PROMOTER_MIN_SCORE + ") AS nps_passives,")
        + (" COUNT(*) FILTER (WHERE " + nps)
        + (" AND score <= " + NpsComponents.DETRACTOR_MAX_SCORE + ") AS nps_detractors, ")
        + histogram
        + " FROM TABLE(TUMBLE(TABLE first_responses, DESCRIPTOR(event_time), "
        + interval(EVENT_TIME.window())
        + ")) GROUP BY window_start, window_end, channel, segment";
  }

  /** {@code duration} as a Flink SQL interval literal, to the millisecond. */
  private static String interval(Duration duration) {
    return String.format(
        Locale.ROOT,
        "INTERVAL '%d %02d:%02d:%02d.%03d' DAY TO SECOND(3)",
        duration.toDays(),
        duration.toHoursPart(),
        duration.toMinutesPart(),
        duration.toSecondsPart(),
        duration.toMillisPart());
  }

  @Override
  public Run endToEnd(Engines engines, int parallelism) throws Exception {
    if (!produced) {
      engines.produce(topic, input.records(), keys);
      engines.createTopic(deadLetterTopic);
      produced = true;
    }
    engines.truncate(SurveyWindowRow.TABLE.name(), "cx_dead_letters", "cx_job_progress");
    Path checkpoints = Files.createTempDirectory("cx-pulse-bench-checkpoints-");
    temporaryDirectories.add(checkpoints);
    // Production's state and checkpoints (docker-compose.yml, local mode): RocksDB, incremental
    // checkpoints every 10 s.
    StreamExecutionEnvironment env = BenchCluster.environment(parallelism);
    env.configure(DurableState.configure(new Configuration(), checkpoints));
    SurveyJobOptions options =
        options(
            new KafkaOptions(engines.bootstrapServers()),
            new ClickHouseOptions(engines.jdbcUrl(), ClickHouseOptions.DEFAULT_USER, ""),
            "bench-survey-" + UUID.randomUUID(),
            new RuntimeOptions(
                RuntimeOptions.DEFAULT_CHECKPOINT_INTERVAL,
                parallelism,
                true,
                RuntimeOptions.DEFAULT_JDBC_BATCH_SIZE,
                RuntimeOptions.DEFAULT_JDBC_FLUSH_INTERVAL));
    SurveyJob.configure(env, options);
    SurveyJob.defineWorkflow(
        env, options, SurveyJob.kafkaInput(options), SurveyJob.productionSinks(options));
    return new Run(
        env,
        () -> {
          try (Connection connection = engines.connection()) {
            List<String> problems = new ArrayList<>();
            problems.addAll(Expectations.windowRows(expectedResults(), windowTable(connection)));
            problems.addAll(
                Expectations.counts(
                    "dead letters in ClickHouse",
                    expectedDeadLetters,
                    deadLetterTable(connection)));
            return problems;
          }
        });
  }

  @Override
  public Run sinkAlone(Engines engines, int parallelism) throws Exception {
    engines.truncate(SurveyWindowRow.TABLE.name());
    long windowMillis = EVENT_TIME.window().toMillis();
    List<SurveyWindowRow> rows =
        expectedRows.values().stream()
            .map(
                row ->
                    SurveyWindowRow.of(
                        Instant.ofEpochMilli(row.windowStart()),
                        Instant.ofEpochMilli(row.windowStart() + windowMillis),
                        row.channel(),
                        row.segment(),
                        row.components().csat(),
                        row.components().nps(),
                        row.components().ces(),
                        row.components().records()))
            .toList();
    InMemoryInput<SurveyWindowRow> rowInput =
        new InMemoryInput<>(rows, TypeInformation.of(SurveyWindowRow.class));
    rowInputs.add(rowInput);
    StreamExecutionEnvironment env = BenchCluster.environment(parallelism);
    ClickHouseOptions clickHouse =
        new ClickHouseOptions(engines.jdbcUrl(), ClickHouseOptions.DEFAULT_USER, "");
    env.fromSource(rowInput.source(), WatermarkStrategy.noWatermarks(), "survey window rows")
        .sinkTo(
            SurveyWindowRow.TABLE.sink(
                clickHouse.connectionOptions(), RuntimeOptions.DEFAULTS.jdbcExecutionOptions()))
        .name("survey window rows sink");
    return new Run(
        env,
        () -> {
          try (Connection connection = engines.connection()) {
            return Expectations.windowRows(expectedResults(), windowTable(connection));
          }
        });
  }

  @Override
  public void close() {
    input.close();
    rowInputs.forEach(InMemoryInput::close);
    for (Path directory : temporaryDirectories) {
      try {
        ClickHouseJdbcBenchmark.deleteRecursively(directory);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private SingleOutputStreamOperator<DecodedEvent<SurveyResponse>> decode(
      StreamExecutionEnvironment env) {
    return env.fromSource(
            input.source(),
            WatermarkStrategy.noWatermarks(),
            "survey responses source",
            TypeInformation.of(RawRecord.class))
        .process(
            new DecodeAndValidateFunction<>(
                SurveyJob.SURVEY_RESPONSES, new SurveyResponseValidator(GATE.bounds())),
            DecodedEvent.typeInfo(SurveyResponse.class))
        .name("decode and validate survey responses");
  }

  private SurveyJobOptions options(
      KafkaOptions kafka, ClickHouseOptions clickHouse, String groupId, RuntimeOptions runtime) {
    return new SurveyJobOptions(
        kafka,
        topic,
        deadLetterTopic,
        groupId,
        clickHouse,
        EVENT_TIME,
        GATE,
        runtime,
        WindowAggregation.DEFAULT_SALTS);
  }

  private Map<String, Long> gateRejections() {
    Map<String, Long> gate = new HashMap<>();
    expectedDeadLetters.forEach(
        (reason, count) -> {
          if (DecodeAndValidateFunction.REASONS.contains(RejectReason.valueOf(reason))) {
            gate.put(reason, count);
          }
        });
    return gate;
  }

  private Map<String, WindowResult> expectedResults() {
    Map<String, WindowResult> results = new HashMap<>();
    expectedRows.forEach(
        (key, row) ->
            results.put(
                key,
                new WindowResult(key, row.components().records(), components(row.components()))));
    return results;
  }

  /** CSAT total and satisfied, NPS promoters, passives and detractors, the CES histogram. */
  private static List<Long> components(SurveyAccumulator accumulator) {
    List<Long> components = new ArrayList<>(5 + CES_BUCKETS);
    components.addAll(
        List.of(
            accumulator.getCsatTotal(),
            accumulator.getCsatSatisfied(),
            accumulator.getNpsPromoters(),
            accumulator.getNpsPassives(),
            accumulator.getNpsDetractors()));
    Arrays.stream(accumulator.getCesHistogram()).forEach(components::add);
    return components;
  }

  private static WindowResult result(SurveyWindowRow row) {
    List<Long> components = new ArrayList<>(5 + CES_BUCKETS);
    components.addAll(
        List.of(
            row.getCsatTotal(),
            row.getCsatSatisfied(),
            row.getNpsPromoters(),
            row.getNpsPassives(),
            row.getNpsDetractors()));
    Arrays.stream(row.getCesHistogram()).forEach(components::add);
    return new WindowResult(
        WindowResult.key(row.getWindowStart().toEpochMilli(), row.getChannel(), row.getSegment()),
        row.getVersion(),
        components);
  }

  private static WindowResult result(Row row) {
    List<Long> components = new ArrayList<>(5 + CES_BUCKETS);
    for (String field :
        List.of(
            "csat_total", "csat_satisfied", "nps_promoters", "nps_passives", "nps_detractors")) {
      components.add(row.<Long>getFieldAs(field));
    }
    for (int score = ScoreScale.CES.min(); score <= ScoreScale.CES.max(); score++) {
      components.add(row.<Long>getFieldAs("ces_" + score));
    }
    LocalDateTime windowStart = row.getFieldAs("window_start");
    return new WindowResult(
        WindowResult.key(
            windowStart.toInstant(ZoneOffset.UTC).toEpochMilli(),
            row.getFieldAs("channel"),
            row.getFieldAs("segment")),
        row.<Long>getFieldAs("responses"),
        components);
  }

  private static Row row(DecodedEvent<SurveyResponse> decoded) {
    SurveyResponse response = decoded.getEvent();
    return Row.of(
        response.getEventId(),
        response.getEventTime(),
        Dimensions.channel(response.getChannel()),
        response.getSegment(),
        response.getSurveyType().name(),
        response.getScore());
  }

  /** The latest version of every row of {@code cx_survey_window}. */
  private static Map<String, WindowResult> windowTable(Connection connection) throws Exception {
    Map<String, WindowResult> rows = new HashMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT toUnixTimestamp(window_start) * 1000, channel, segment, version,"
                    + " csat_total, csat_satisfied, nps_promoters, nps_passives, nps_detractors,"
                    + " arrayStringConcat(ces_histogram, ',')"
                    + " FROM cx_survey_window FINAL")) {
      while (rs.next()) {
        List<Long> components = new ArrayList<>(5 + CES_BUCKETS);
        for (int column = 5; column <= 9; column++) {
          components.add(rs.getLong(column));
        }
        Arrays.stream(rs.getString(10).split(",")).map(Long::valueOf).forEach(components::add);
        String key = WindowResult.key(rs.getLong(1), rs.getString(2), rs.getString(3));
        rows.put(key, new WindowResult(key, rs.getLong(4), components));
      }
    }
    return rows;
  }

  /** Dead letters per reason in {@code cx_dead_letters}, one per input record. */
  private Map<String, Long> deadLetterTable(Connection connection) throws Exception {
    Map<String, Long> counts = new HashMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT reason, count() FROM cx_dead_letters FINAL WHERE source_topic = '"
                    + topic
                    + "' GROUP BY reason")) {
      while (rs.next()) {
        counts.put(rs.getString(1), rs.getLong(2));
      }
    }
    return counts;
  }

  private static TallySink<DeadLetter> deadLetterTally() {
    return new TallySink<>(deadLetter -> deadLetter.getReason().name());
  }

  private static Map<String, Long> release(TallySink<?> sink) {
    Map<String, Long> counts = sink.counts();
    sink.release();
    return counts;
  }
}
