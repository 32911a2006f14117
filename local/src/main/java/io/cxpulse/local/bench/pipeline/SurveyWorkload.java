package io.cxpulse.local.bench.pipeline;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.events.SurveyResponse;
import io.cxpulse.events.SurveyType;
import io.cxpulse.jobs.MetricStream;
import io.cxpulse.jobs.aggregate.WindowAggregation;
import io.cxpulse.jobs.generator.SurveyScenario;
import io.cxpulse.jobs.generator.SurveyScenario.ScenarioRecord;
import io.cxpulse.jobs.generator.SurveyTrafficGenerator;
import io.cxpulse.jobs.pipeline.ClickHouseOptions;
import io.cxpulse.jobs.pipeline.DeadLetterOutput;
import io.cxpulse.jobs.pipeline.DecodedEvent;
import io.cxpulse.jobs.pipeline.Dimensions;
import io.cxpulse.jobs.pipeline.KafkaOptions;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import io.cxpulse.jobs.survey.SurveyAccumulator;
import io.cxpulse.jobs.survey.SurveyJob;
import io.cxpulse.jobs.survey.SurveyJobOptions;
import io.cxpulse.jobs.survey.SurveyWindowRow;
import io.cxpulse.metrics.CsatComponents;
import io.cxpulse.metrics.NpsComponents;
import io.cxpulse.metrics.ScoreScale;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;

/**
 * The survey job's benchmark input and runs: responses from the project's traffic generator, laid
 * out by {@link SurveyScenario} with late responses, duplicates and every kind of bad record, and
 * the expected window rows computed from the responses the scenario says are counted.
 *
 * <p>Every run's rows are compared in every component: responses (the row's version), CSAT total
 * and satisfied, NPS promoters, passives and detractors, the CES histogram.
 */
public final class SurveyWorkload
    extends JobWorkload<SurveyResponse, SurveyWindowRow, SurveyJobOptions> {

  /** Responses per second of event time, as the end-to-end tests generate them. */
  static final double EVENTS_PER_SECOND = 8.0;

  /** The responses the scenario counts in one window row. */
  private record Cell(long windowStart, String channel, String segment, SurveyAccumulator sum) {}

  private final String topic;

  private SurveyWorkload(
      Input input, int events, List<SurveyWindowRow> rows, Map<SurveyScenario.Fate, Long> fates) {
    super(input, events, rows, fates);
    this.topic = input.topic();
  }

  /**
   * Generates {@code events} responses (and the scenario's duplicates and bad records around them)
   * ending an hour before now, in {@code segments} segments (see {@link #segment}).
   */
  public static SurveyWorkload generate(int events, int segments, long seed) {
    Instant now = Instant.now();
    Duration span = Duration.ofSeconds((long) (events / EVENTS_PER_SECOND));
    Instant start = now.minus(span).minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.HOURS);
    List<SurveyResponse> responses =
        SurveyTrafficGenerator.create(seed, start, EVENTS_PER_SECOND).take(events).stream()
            .map(
                response ->
                    SurveyResponse.newBuilder(response)
                        .setSegment(segment(response.getSegment(), response.getEventId(), segments))
                        .build())
            .toList();
    SurveyScenario scenario =
        SurveyScenario.builder(responses, now)
            .seed(seed)
            .windowSize(EVENT_TIME.window())
            .outOfOrderness(EVENT_TIME.outOfOrderness())
            .allowedLateness(EVENT_TIME.allowedLateness())
            .tooLateCount(0)
            .build();
    Input input = new Input(SurveyJob.JOB_ID);
    for (ScenarioRecord record : scenario.records()) {
      input.add(record.value(), record.timestamp(), record.key());
    }
    long windowMillis = EVENT_TIME.window().toMillis();
    Map<String, Cell> cells = new LinkedHashMap<>();
    for (SurveyResponse response : scenario.countedResponses()) {
      long time = response.getEventTime().toEpochMilli();
      long windowStart = time - Math.floorMod(time, windowMillis);
      String channel = Dimensions.channel(response.getChannel());
      cells
          .computeIfAbsent(
              WindowResult.key(windowStart, channel, response.getSegment()),
              key -> new Cell(windowStart, channel, response.getSegment(), new SurveyAccumulator()))
          .sum()
          .add(response);
    }
    List<SurveyWindowRow> rows = new ArrayList<>(cells.size());
    for (Cell cell : cells.values()) {
      rows.add(
          SurveyWindowRow.of(
              Instant.ofEpochMilli(cell.windowStart()),
              Instant.ofEpochMilli(cell.windowStart() + windowMillis),
              cell.channel(),
              cell.segment(),
              cell.sum().csat(),
              cell.sum().nps(),
              cell.sum().ces(),
              cell.sum().records()));
    }
    return new SurveyWorkload(input, responses.size(), rows, scenario.fateCounts());
  }

  @Override
  public String job() {
    return SurveyJob.JOB_ID;
  }

  @Override
  protected MetricStream<SurveyJobOptions, SurveyResponse, ?, ?, SurveyWindowRow> stream() {
    return SurveyJob.STREAM;
  }

  @Override
  protected SurveyJobOptions options(
      KafkaOptions kafka, ClickHouseOptions clickHouse, String groupId, RuntimeOptions runtime) {
    return new SurveyJobOptions(
        kafka,
        topic,
        topic + ".dead-letters",
        groupId,
        clickHouse,
        EVENT_TIME,
        GATE,
        runtime,
        WindowAggregation.DEFAULT_SALTS);
  }

  @Override
  protected LatestRowsSink.Reduction<SurveyWindowRow> reduction() {
    return SurveyWorkload::result;
  }

  /**
   * The same work in Flink SQL: the decode and validate step of the job (a DataStream function),
   * then Flink SQL's documented de-duplication (first row per event_id by processing time, state
   * kept as long as the job's de-duplication TTL) and a tumbling window per channel and segment
   * counting the same components. Its rows are compared with the job's in every component.
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
    StreamTableEnvironment tables = tables(env);
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
        tables.sqlQuery(firstRows("survey_responses", String.join(", ", names))));
    Table windows = tables.sqlQuery(windowQuery());
    LatestRowsSink<Row> rows = new LatestRowsSink<>(SurveyWorkload::result);
    tables.toDataStream(windows).sinkTo(rows).name("survey window rows");
    return new Run(
        env,
        () -> {
          List<String> problems = new ArrayList<>();
          problems.addAll(Expectations.windowRows(expectedRows(), rows.release()));
          problems.addAll(Expectations.counts("dead letters", gateRejections(), release(rejected)));
          return problems;
        });
  }

  /**
   * The window aggregation as SQL: CSAT, NPS and CES components per minute, channel and segment,
   * classified by the same constants as {@link CsatComponents} and {@link NpsComponents}; the
   * columns named as {@link #result(SurveyWindowRow)} names the components.
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

  /** The names of the scalar components, as the SQL query's columns and the table's. */
  private static final List<String> COUNTS =
      List.of("csat_total", "csat_satisfied", "nps_promoters", "nps_passives", "nps_detractors");

  /**
   * Responses (the version), CSAT total and satisfied, NPS promoters, passives and detractors, the
   * CES histogram as {@code ces_<score>}.
   */
  private static WindowResult result(SurveyWindowRow row) {
    SortedMap<String, Long> components = new TreeMap<>();
    components.put("responses", row.getVersion());
    long[] counts = {
      row.getCsatTotal(),
      row.getCsatSatisfied(),
      row.getNpsPromoters(),
      row.getNpsPassives(),
      row.getNpsDetractors()
    };
    for (int i = 0; i < counts.length; i++) {
      components.put(COUNTS.get(i), counts[i]);
    }
    long[] ces = row.getCesHistogram();
    for (int i = 0; i < ces.length; i++) {
      components.put("ces_" + (ScoreScale.CES.min() + i), ces[i]);
    }
    return new WindowResult(
        WindowResult.key(row.getWindowStart().toEpochMilli(), row.getChannel(), row.getSegment()),
        row.getVersion(),
        components);
  }

  private static WindowResult result(Row row) {
    SortedMap<String, Long> components = new TreeMap<>();
    components.put("responses", row.<Long>getFieldAs("responses"));
    for (String field : COUNTS) {
      components.put(field, row.<Long>getFieldAs(field));
    }
    for (int score = ScoreScale.CES.min(); score <= ScoreScale.CES.max(); score++) {
      components.put("ces_" + score, row.<Long>getFieldAs("ces_" + score));
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

  @Override
  protected Map<String, WindowResult> windowTable(Connection connection) throws SQLException {
    return readRows(
        connection,
        "SELECT toUnixTimestamp(window_start) AS start_epoch, * FROM cx_survey_window FINAL",
        rs -> {
          SurveyWindowRow row = new SurveyWindowRow();
          row.setWindowStart(windowStart(rs));
          row.setChannel(rs.getString("channel"));
          row.setSegment(rs.getString("segment"));
          row.setVersion(rs.getLong("version"));
          row.setCsatTotal(rs.getLong("csat_total"));
          row.setCsatSatisfied(rs.getLong("csat_satisfied"));
          row.setNpsPromoters(rs.getLong("nps_promoters"));
          row.setNpsPassives(rs.getLong("nps_passives"));
          row.setNpsDetractors(rs.getLong("nps_detractors"));
          row.setCesHistogram(longs(rs, "ces_histogram"));
          return row;
        });
  }
}
