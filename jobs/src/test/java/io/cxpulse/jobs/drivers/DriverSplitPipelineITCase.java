package io.cxpulse.jobs.drivers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.cxpulse.embedded.clickhouse.EmbeddedClickHouse;
import io.cxpulse.embedded.kafka.EmbeddedKafka;
import io.cxpulse.events.SurveyResponse;
import io.cxpulse.jobs.FlinkTestCluster;
import io.cxpulse.jobs.aggregate.WindowAggregation;
import io.cxpulse.jobs.generator.GeneratedTicket;
import io.cxpulse.jobs.generator.GeneratedTicket.SlaVerdict;
import io.cxpulse.jobs.generator.TicketFollowUpSurveys;
import io.cxpulse.jobs.generator.TicketScenario;
import io.cxpulse.jobs.pipeline.ClickHouseOptions;
import io.cxpulse.jobs.pipeline.Dimensions;
import io.cxpulse.jobs.pipeline.EventGateOptions;
import io.cxpulse.jobs.pipeline.EventTimeOptions;
import io.cxpulse.jobs.pipeline.JobLauncher;
import io.cxpulse.jobs.pipeline.KafkaOptions;
import io.cxpulse.jobs.pipeline.PipelineMetrics;
import io.cxpulse.jobs.pipeline.RawRecords;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import io.cxpulse.jobs.sql.Migrations;
import io.cxpulse.jobs.sql.SchemaMigrator;
import io.cxpulse.jobs.tickets.TicketJobOptions;
import io.cxpulse.jobs.validation.RejectReason;
import io.cxpulse.metrics.CesComponents;
import io.cxpulse.metrics.ConfidenceInterval;
import io.cxpulse.metrics.CsatComponents;
import io.cxpulse.metrics.NpsComponents;
import io.cxpulse.metrics.ScoreDifferences;
import io.cxpulse.metrics.ScoreDifferences.Difference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver split end to end on the real engines: 3,000 generated tickets ({@link TicketScenario}:
 * out of order, late replies that retract a breach, duplicates, too-late and bad records) and
 * follow-up surveys about 80 % of them ({@link TicketFollowUpSurveys}, worse scores after a breach;
 * out of order, some late, duplicated, plus surveys about unknown tickets, without a ticket, and
 * undecodable records) are produced to an in-process Kafka broker; {@link DriverSplitJob} runs on a
 * MiniCluster at parallelism 2 with its production sources and sink; and every row of {@code
 * cx_driver_window_latest} and of {@code cx_driver_split} must equal an expectation computed here
 * from the generator's truth (ticket verdicts and reply times, survey scores) with the documented
 * definitions, the maths from {@code io.cxpulse.metrics}.
 */
class DriverSplitPipelineITCase {

  private static final Logger LOG = LoggerFactory.getLogger(DriverSplitPipelineITCase.class);

  private static final long SEED = 20_251_202L;
  private static final Duration WINDOW = Duration.ofMinutes(10);
  private static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(5);
  private static final Duration ALLOWED_LATENESS = Duration.ofMinutes(20);
  private static final Duration SETTLE = ALLOWED_LATENESS.plus(WINDOW);
  private static final Duration HORIZON = Duration.ofDays(2);
  private static final String TICKET_TOPIC = "cx.tickets";
  private static final String SURVEY_TOPIC = "cx.surveys";

  private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      FlinkTestCluster.withSlots(2, REPORTER.addToConfiguration(FlinkTestCluster.noRestarts()));

  @TempDir static Path clickHouseDir;

  private static EmbeddedClickHouse clickHouse;
  private static EmbeddedKafka kafka;

  /** Where a joined survey is counted. */
  record Cell(String channel, String segment, String frtBucket) {}

  /** The components of one side (met or breached) of a cell. */
  static final class Side {
    final CsatComponents csat = new CsatComponents();
    final NpsComponents nps = new NpsComponents();
    final CesComponents ces = new CesComponents();

    void add(SurveyResponse response) {
      switch (response.getSurveyType()) {
        case CSAT -> csat.add(response.getScore());
        case NPS -> nps.add(response.getScore());
        case CES -> ces.add(response.getScore());
        default -> throw new AssertionError(response);
      }
    }
  }

  /** A row of the view: met and breached sides. */
  static final class Split {
    final Side met = new Side();
    final Side breached = new Side();
  }

  /** One joined survey of the expectation. */
  record Joined(SurveyResponse response, String slaOutcome, String frtBucket) {}

  @BeforeAll
  static void start() throws Exception {
    clickHouse = EmbeddedClickHouse.builder().dataDir(clickHouseDir).port(0).start();
    try (Connection connection = DriverManager.getConnection(clickHouse.jdbcUrl())) {
      new SchemaMigrator(Migrations.fromClasspath()).migrate(connection);
    }
    kafka = EmbeddedKafka.builder().port(0).brokerConfig("log.retention.ms", "-1").build().start();
    kafka.createTopics(1, TICKET_TOPIC, SURVEY_TOPIC);
  }

  @AfterAll
  static void stop() {
    try {
      if (kafka != null) {
        kafka.close();
      }
    } finally {
      if (clickHouse != null) {
        clickHouse.close();
      }
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void theDriverSplitViewEqualsTheExpectationFromTheGeneratedTruth() throws Exception {
    Instant now = Instant.now();
    Instant start = now.minus(Duration.ofDays(6)).truncatedTo(ChronoUnit.HOURS);
    // No LATE ticket events: a late first reply to a breached ticket could arrive after the join
    // decided; the late replies that retract a breach (LATE_REPLY) are in.
    TicketScenario scenario =
        TicketScenario.builder(SEED, start, now.minus(Duration.ofDays(2)))
            .tickets(3_000)
            .ticketsPerSecond(0.2)
            .windowSize(WINDOW)
            .outOfOrderness(OUT_OF_ORDERNESS)
            .allowedLateness(ALLOWED_LATENESS)
            .lateFraction(0)
            .build();
    List<GeneratedTicket> tickets = scenario.tickets();
    List<SurveyResponse> followUps =
        new TicketFollowUpSurveys(
                SEED, 0.8, TicketFollowUpSurveys.DEFAULT_BREACH_TILT, Duration.ofDays(1))
            .surveys(tickets);
    List<SurveyResponse> extras = extraSurveys(followUps);
    List<Placed> surveyRecords = placeSurveys(followUps, extras);

    produce(
        TICKET_TOPIC,
        scenario.records().stream()
            .map(r -> new Placed(r.key(), r.value(), r.timestamp().toEpochMilli()))
            .toList());
    produce(SURVEY_TOPIC, surveyRecords);

    // The expectation, from the truth only.
    Map<String, GeneratedTicket> byId = new HashMap<>();
    tickets.forEach(t -> byId.put(t.ticketId(), t));
    List<Joined> joined = new ArrayList<>();
    long withoutOutcome = 0;
    for (SurveyResponse survey : concat(followUps, extras)) {
      if (survey.getTicketId() == null) {
        continue;
      }
      Optional<Joined> j = expectedJoin(survey, byId.get(survey.getTicketId()));
      if (j.isPresent()) {
        joined.add(j.get());
      } else {
        withoutOutcome++;
      }
    }
    assertThat(joined).hasSizeGreaterThan(2_000);
    assertThat(joined).anyMatch(j -> j.frtBucket().equals("no_reply"));
    assertThat(joined).anyMatch(j -> j.slaOutcome().equals("met"));
    assertThat(withoutOutcome).isPositive();

    DriverSplitJobOptions options =
        new DriverSplitJobOptions(
            new KafkaOptions(kafka.bootstrapServers()),
            TICKET_TOPIC,
            SURVEY_TOPIC,
            "driver-split-it",
            new ClickHouseOptions(clickHouse.jdbcUrl(), ClickHouseOptions.DEFAULT_USER, ""),
            TicketJobOptions.BUNDLED_SLA_TARGETS,
            new EventTimeOptions(
                WINDOW, OUT_OF_ORDERNESS, EventTimeOptions.DEFAULT_IDLENESS, ALLOWED_LATENESS),
            HORIZON,
            EventGateOptions.DEFAULTS,
            new RuntimeOptions(
                Duration.ofMillis(500),
                2,
                true,
                RuntimeOptions.DEFAULT_JDBC_BATCH_SIZE,
                Duration.ofMillis(200)),
            WindowAggregation.DEFAULT_SALTS);
    // As the job runs (JobLauncher): a type Flink would serialise with Kryo fails the job.
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            JobLauncher.withoutGenericTypes(new Configuration()));
    DriverSplitJob.configure(env, options);
    DriverSplitJob.defineWorkflow(
        env,
        options,
        DriverSplitJob.ticketSource(options),
        DriverSplitJob.surveySource(options),
        DriverSplitJob.productionSinks(options));
    JobExecutionResult result = env.execute("driver split end to end");
    JobID job = result.getJobID();

    // Nothing silent: every record is counted somewhere.
    long recordsIn = counter(job, PipelineMetrics.RECORDS_IN);
    long deadLettered = 0;
    for (RejectReason reason : RejectReason.values()) {
      deadLettered += counter(job, PipelineMetrics.deadLettered(reason));
    }
    assertThat(recordsIn).isEqualTo(scenario.records().size() + surveyRecords.size());
    assertThat(counter(job, PipelineMetrics.RECORDS_COUNTED) + deadLettered).isEqualTo(recordsIn);
    assertThat(counter(job, SurveyTicketJoinFunction.SURVEYS_JOINED)).isEqualTo(joined.size());
    assertThat(counter(job, SurveyTicketJoinFunction.SURVEYS_WITHOUT_OUTCOME))
        .isEqualTo(withoutOutcome);
    assertThat(counter(job, DriverSplitCounters.SURVEYS_WITHOUT_TICKET))
        .isEqualTo(extras.stream().filter(s -> s.getTicketId() == null).count());
    assertThat(counter(job, DriverSplitCounters.JOINED_TOO_LATE)).isZero();

    try (Connection connection = DriverManager.getConnection(clickHouse.jdbcUrl())) {
      assertWindowRows(connection, joined);
      int rows = assertSplitView(connection, joined);
      assertThat(rows).isGreaterThan(100);
      assertTimeRange(connection, joined);
      // The effect built into the generator shows: breached tickets' customers are less satisfied.
      try (Statement st = connection.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT csat_diff_ci_low, nps_diff_ci_low, ces_diff_ci_high FROM cx_driver_split"
                      + " WHERE channel = 'all' AND segment = 'all' AND frt_bucket = 'all'")) {
        assertThat(rs.next()).isTrue();
        LOG.info(
            "{} ticket records, {} survey records; {} surveys joined, {} without outcome;"
                + " {} view rows; overall CSAT diff lower bound {}, NPS {}, CES upper bound {}",
            scenario.records().size(),
            surveyRecords.size(),
            joined.size(),
            withoutOutcome,
            rows,
            rs.getDouble(1),
            rs.getDouble(2),
            rs.getDouble(3));
        assertThat(rs.getDouble(1)).as("CSAT met − breached, lower bound").isPositive();
        assertThat(rs.getDouble(2)).as("NPS met − breached, lower bound").isPositive();
        assertThat(rs.getDouble(3)).as("CES met − breached, upper bound").isNegative();
      }
    }
  }

  /** The documented join rule applied to the generator's truth (see the README). */
  private static Optional<Joined> expectedJoin(SurveyResponse survey, GeneratedTicket ticket) {
    if (ticket == null || ticket.slaVerdict() == SlaVerdict.NONE) {
      return Optional.empty();
    }
    Instant reply = ticket.firstAgentReplyAt();
    Instant deadline = ticket.deadline();
    String sla;
    Instant outcomeAt;
    boolean replyCounts;
    if (ticket.slaVerdict() == SlaVerdict.MET) {
      sla = "met";
      outcomeAt = reply;
      replyCounts = true;
    } else if (ticket.slaVerdict() == SlaVerdict.BREACHED_AT_REPLY) {
      sla = "breached";
      outcomeAt = reply;
      replyCounts = true;
    } else {
      sla = "breached";
      outcomeAt = deadline;
      replyCounts = reply != null && !reply.isAfter(deadline.plus(SETTLE));
    }
    long distance = Math.abs(Duration.between(outcomeAt, survey.getEventTime()).toMillis());
    if (distance > HORIZON.toMillis()) {
      return Optional.empty();
    }
    String bucket = replyCounts ? bucketOf(Duration.between(ticket.openedAt(), reply)) : "no_reply";
    return Optional.of(new Joined(survey, sla, bucket));
  }

  /** The README's buckets, written out independently of {@link FirstResponseBucket}. */
  private static String bucketOf(Duration frt) {
    long minutes = frt.toMillis();
    if (minutes < Duration.ofMinutes(5).toMillis()) {
      return "lt_5m";
    }
    if (minutes < Duration.ofMinutes(30).toMillis()) {
      return "5m_30m";
    }
    if (minutes < Duration.ofHours(2).toMillis()) {
      return "30m_2h";
    }
    if (minutes < Duration.ofHours(8).toMillis()) {
      return "2h_8h";
    }
    return "ge_8h";
  }

  /** Surveys about tickets that do not exist, and surveys about no ticket. */
  private static List<SurveyResponse> extraSurveys(List<SurveyResponse> followUps) {
    List<SurveyResponse> extras = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      SurveyResponse model = followUps.get(i * 13);
      extras.add(
          SurveyResponse.newBuilder(model)
              .setEventId("svy-extra-" + i)
              .setResponseId("resp-extra-" + i)
              .setTicketId(i % 2 == 0 ? "tkt-unknown-" + i : null)
              .build());
    }
    return extras;
  }

  /** A record for Kafka at a stream position (its timestamp). */
  record Placed(String key, byte[] value, long position) {}

  /**
   * Survey records in bounded disorder, 5 % held back (late but within the allowed lateness), 3 %
   * re-sent byte-identical, and three undecodable records.
   */
  private static List<Placed> placeSurveys(
      List<SurveyResponse> followUps, List<SurveyResponse> extras) {
    Random random = new Random(SEED);
    List<Placed> placed = new ArrayList<>();
    long bound = OUT_OF_ORDERNESS.toMillis();
    long lateMax = ALLOWED_LATENESS.minus(Duration.ofMinutes(2)).toMillis();
    for (SurveyResponse survey : concat(followUps, extras)) {
      byte[] value = RawRecords.encode(survey);
      long time = survey.getEventTime().toEpochMilli();
      double role = random.nextDouble();
      long position =
          role < 0.05
              ? time + bound + 1 + (long) (random.nextDouble() * (lateMax - bound))
              : time + (long) (random.nextDouble() * bound);
      placed.add(new Placed(key(survey), value, position));
      if (role > 0.97) {
        placed.add(
            new Placed(key(survey), value, position + (long) (random.nextDouble() * 120_000)));
      }
    }
    long last = placed.stream().mapToLong(Placed::position).max().orElseThrow();
    for (int i = 0; i < 3; i++) {
      placed.add(new Placed("bad-" + i, new byte[] {1, 2, 3, (byte) i}, last - 60_000 * (i + 1)));
    }
    placed.sort(Comparator.comparingLong(Placed::position));
    return placed;
  }

  private static String key(SurveyResponse survey) {
    return survey.getTicketId() != null ? survey.getTicketId() : survey.getEventId();
  }

  private static void produce(String topic, List<Placed> records) throws Exception {
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (Placed record : records) {
        producer.send(
            new ProducerRecord<>(
                topic,
                0,
                record.position(),
                record.key().getBytes(StandardCharsets.UTF_8),
                record.value()));
      }
      producer.flush();
    }
  }

  /** Every row of cx_driver_window_latest against the joined surveys per window. */
  private static void assertWindowRows(Connection connection, List<Joined> joined)
      throws SQLException {
    record Row(Instant windowStart, String channel, String segment, String sla, String bucket) {}
    Map<Row, Side> expected = new HashMap<>();
    long windowMillis = WINDOW.toMillis();
    for (Joined j : joined) {
      long time = j.response().getEventTime().toEpochMilli();
      Row row =
          new Row(
              Instant.ofEpochMilli(time - Math.floorMod(time, windowMillis)),
              Dimensions.channel(j.response().getChannel()),
              j.response().getSegment(),
              j.slaOutcome(),
              j.frtBucket());
      expected.computeIfAbsent(row, r -> new Side()).add(j.response());
    }
    Map<Row, long[]> actual = new HashMap<>();
    try (Statement st = connection.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT window_start, channel, segment, sla_outcome, frt_bucket, csat_total,"
                    + " csat_satisfied, nps_promoters, nps_passives, nps_detractors, ces_count,"
                    + " ces_sum, ces_sum_squares, version FROM cx_driver_window_latest")) {
      while (rs.next()) {
        Row row =
            new Row(
                rs.getTimestamp(1).toInstant(),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5));
        long[] values = new long[9];
        for (int i = 0; i < values.length; i++) {
          values[i] = rs.getLong(6 + i);
        }
        actual.put(row, values);
      }
    }
    Map<Row, long[]> expectedValues = new HashMap<>();
    expected.forEach(
        (row, side) ->
            expectedValues.put(
                row,
                new long[] {
                  side.csat.total(),
                  side.csat.satisfied(),
                  side.nps.promoters(),
                  side.nps.passives(),
                  side.nps.detractors(),
                  side.ces.count(),
                  side.ces.sum(),
                  side.ces.sumOfSquares(),
                  side.csat.total() + side.nps.total() + side.ces.count()
                }));
    assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expectedValues.keySet());
    expectedValues.forEach(
        (row, values) -> assertThat(actual.get(row)).as("window row %s", row).isEqualTo(values));
  }

  /** cx_driver_split_between counts only the windows starting in [from_time, to_time). */
  private static void assertTimeRange(Connection connection, List<Joined> joined)
      throws SQLException {
    List<Long> times =
        joined.stream().map(j -> j.response().getEventTime().toEpochMilli()).sorted().toList();
    long windowMillis = WINDOW.toMillis();
    long median = times.get(times.size() / 2);
    Instant from = Instant.ofEpochMilli(median - Math.floorMod(median, windowMillis));
    Instant to = from.plus(Duration.ofDays(1));
    long expected =
        times.stream()
            .filter(t -> t - Math.floorMod(t, windowMillis) >= from.toEpochMilli())
            .filter(t -> t - Math.floorMod(t, windowMillis) < to.toEpochMilli())
            .count();
    try (Statement st = connection.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT responses FROM cx_driver_split_between(from_time = '"
                    + from.toString().replace('T', ' ').replace("Z", "")
                    + "', to_time = '"
                    + to.toString().replace('T', ' ').replace("Z", "")
                    + "') WHERE channel = 'all' AND segment = 'all' AND frt_bucket = 'all'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(1)).isEqualTo(expected).isPositive().isLessThan(joined.size());
    }
  }

  /** Every row of cx_driver_split (all grouping sets) against the Java maths; returns the rows. */
  private static int assertSplitView(Connection connection, List<Joined> joined)
      throws SQLException {
    Map<Cell, Split> expected = new HashMap<>();
    for (Joined j : joined) {
      String channel = Dimensions.channel(j.response().getChannel());
      String segment = j.response().getSegment();
      for (int set = 0; set < 8; set++) {
        Cell cell =
            new Cell(
                (set & 1) == 0 ? channel : "all",
                (set & 2) == 0 ? segment : "all",
                (set & 4) == 0 ? j.frtBucket() : "all");
        Split split = expected.computeIfAbsent(cell, c -> new Split());
        (j.slaOutcome().equals("met") ? split.met : split.breached).add(j.response());
      }
    }
    int rows = 0;
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("SELECT * FROM cx_driver_split")) {
      while (rs.next()) {
        rows++;
        Cell cell =
            new Cell(rs.getString("channel"), rs.getString("segment"), rs.getString("frt_bucket"));
        Split split = expected.get(cell);
        assertThat(split).as("unexpected row %s", cell).isNotNull();
        assertSplitRow(rs, cell, split);
      }
    }
    assertThat(rows).as("rows of cx_driver_split").isEqualTo(expected.size());
    return rows;
  }

  private static void assertSplitRow(ResultSet rs, Cell cell, Split split) throws SQLException {
    Side met = split.met;
    Side breached = split.breached;
    String as = cell.toString();
    assertThat(rs.getLong("csat_total_met")).as(as).isEqualTo(met.csat.total());
    assertThat(rs.getLong("csat_satisfied_met")).as(as).isEqualTo(met.csat.satisfied());
    assertThat(rs.getLong("csat_total_breached")).as(as).isEqualTo(breached.csat.total());
    assertThat(rs.getLong("csat_satisfied_breached")).as(as).isEqualTo(breached.csat.satisfied());
    assertThat(rs.getLong("nps_total_met")).as(as).isEqualTo(met.nps.total());
    assertThat(rs.getLong("nps_promoters_met")).as(as).isEqualTo(met.nps.promoters());
    assertThat(rs.getLong("nps_detractors_breached")).as(as).isEqualTo(breached.nps.detractors());
    assertThat(rs.getLong("ces_count_met")).as(as).isEqualTo(met.ces.count());
    assertThat(rs.getLong("ces_sum_breached")).as(as).isEqualTo(breached.ces.sum());
    assertThat(rs.getLong("ces_sum_squares_breached"))
        .as(as)
        .isEqualTo(breached.ces.sumOfSquares());
    long responses =
        met.csat.total()
            + met.nps.total()
            + met.ces.count()
            + breached.csat.total()
            + breached.nps.total()
            + breached.ces.count();
    assertThat(rs.getLong("responses")).as(as).isEqualTo(responses);

    CsatComponents csat = met.csat.copy().merge(breached.csat);
    NpsComponents nps = met.nps.copy().merge(breached.nps);
    CesComponents ces = met.ces.copy().merge(breached.ces);
    assertNullable(rs, "csat_pct", csat.csat().isPresent() ? csat.csat().getAsDouble() : null, as);
    assertNullable(rs, "nps", nps.nps().isPresent() ? nps.nps().getAsDouble() : null, as);
    assertNullable(rs, "ces_mean", ces.mean().isPresent() ? ces.mean().getAsDouble() : null, as);
    assertNullable(
        rs, "csat_met_pct", met.csat.csat().isPresent() ? met.csat.csat().getAsDouble() : null, as);
    assertNullable(
        rs,
        "nps_breached",
        breached.nps.nps().isPresent() ? breached.nps.nps().getAsDouble() : null,
        as);
    assertNullable(
        rs,
        "ces_breached_mean",
        breached.ces.mean().isPresent() ? breached.ces.mean().getAsDouble() : null,
        as);
    assertDifference(rs, "csat_diff", ScoreDifferences.csat(met.csat, breached.csat), as);
    assertDifference(rs, "nps_diff", ScoreDifferences.nps(met.nps, breached.nps), as);
    assertDifference(rs, "ces_diff", ScoreDifferences.ces(met.ces, breached.ces), as);
  }

  private static void assertDifference(
      ResultSet rs, String column, Optional<Difference> expected, String as) throws SQLException {
    assertNullable(rs, column, expected.map(Difference::estimate).orElse(null), as);
    Function<Function<ConfidenceInterval, Double>, Double> bound =
        f -> expected.map(d -> f.apply(d.interval())).orElse(null);
    assertNullable(rs, column + "_ci_low", bound.apply(ConfidenceInterval::lower), as);
    assertNullable(rs, column + "_ci_high", bound.apply(ConfidenceInterval::upper), as);
  }

  private static void assertNullable(ResultSet rs, String column, Double expected, String as)
      throws SQLException {
    double value = rs.getDouble(column);
    if (expected == null) {
      assertThat(rs.wasNull()).as("%s %s is NULL", as, column).isTrue();
    } else {
      assertThat(rs.wasNull()).as("%s %s is not NULL", as, column).isFalse();
      assertThat(value).as("%s %s", as, column).isCloseTo(expected, within(1e-8));
    }
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static long counter(JobID job, String name) {
    return REPORTER.getMetricsByGroup().entrySet().stream()
        .filter(group -> job.toString().equals(group.getKey().getAllVariables().get("<job_id>")))
        .map(group -> group.getValue().get(name))
        .filter(Counter.class::isInstance)
        .mapToLong(counter -> ((Counter) counter).getCount())
        .sum();
  }
}
