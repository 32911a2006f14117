package io.cxpulse.jobs.drivers;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.embedded.clickhouse.EmbeddedClickHouse;
import io.cxpulse.embedded.kafka.EmbeddedKafka;
import io.cxpulse.events.SurveyResponse;
import io.cxpulse.events.SurveyType;
import io.cxpulse.events.TicketActor;
import io.cxpulse.events.TicketEvent;
import io.cxpulse.events.TicketEventType;
import io.cxpulse.jobs.FlinkTestCluster;
import io.cxpulse.jobs.TestEvents;
import io.cxpulse.jobs.aggregate.WindowAggregation;
import io.cxpulse.jobs.generator.BadRecords;
import io.cxpulse.jobs.generator.TicketBadRecords;
import io.cxpulse.jobs.pipeline.ClickHouseOptions;
import io.cxpulse.jobs.pipeline.EventGateOptions;
import io.cxpulse.jobs.pipeline.EventTimeOptions;
import io.cxpulse.jobs.pipeline.KafkaOptions;
import io.cxpulse.jobs.pipeline.PipelineMetrics;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import io.cxpulse.jobs.sql.Migrations;
import io.cxpulse.jobs.sql.SchemaMigrator;
import io.cxpulse.jobs.survey.SurveyJob;
import io.cxpulse.jobs.survey.SurveyJobOptions;
import io.cxpulse.jobs.tickets.TicketJob;
import io.cxpulse.jobs.tickets.TicketJobOptions;
import io.cxpulse.jobs.validation.RejectReason;
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
import java.util.List;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.JobID;
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

/**
 * What the driver split job drops is dead-lettered, once, as its own: the survey job, the ticket
 * job and the driver split job read the same two topics on the real engines, each with its
 * production sinks, the owners with their default hour of allowed lateness, the driver split job
 * with local mode's shorter one ({@code LocalMode.DEFAULT_DRIVER_LATENESS}, 2 minutes). Besides
 * on-time events the topics hold records sent 30 s late (every job counts them), 10 minutes late
 * (only the driver split job drops them), 90 minutes late (every job drops them), duplicates and
 * invalid records (every job drops them). Each record's offset is known, so every dead letter is
 * checked by its Kafka coordinates: the owners' dead letters are exactly their invalid, duplicate
 * and 90-minute-late records, the driver split job's exactly the 10- and 90-minute-late ones (never
 * an invalid or duplicate one), and per job the records read = counted + dead-lettered, from its
 * metrics and from {@code cx_dead_letters}.
 */
class DriverSplitDeadLettersITCase {

  private static final String TICKET_TOPIC = "cx.tickets";
  private static final String SURVEY_TOPIC = "cx.surveys";
  private static final String DEAD_LETTER_TOPIC = "cx.dead-letters";

  private static final Duration DRIVER_ALLOWED_LATENESS = Duration.ofMinutes(2);
  private static final Duration WINDOW = Duration.ofMinutes(1);

  /** The three jobs' runtime: bounded, one subtask, frequent checkpoints and flushes. */
  private static final RuntimeOptions RUNTIME =
      new RuntimeOptions(
          Duration.ofMillis(500),
          1,
          true,
          RuntimeOptions.DEFAULT_JDBC_BATCH_SIZE,
          Duration.ofMillis(200));

  private static final int TICKETS = 150;

  /** Late, but within every job's lateness. */
  private static final Duration SLIGHTLY_LATE = Duration.ofSeconds(30);

  /** Past the driver split job's window + lateness, within the owners' (an hour). */
  private static final Duration LATE_FOR_DRIVER = Duration.ofMinutes(10);

  /** Past every job's window + lateness. */
  private static final Duration LATE_FOR_ALL = Duration.ofMinutes(90);

  private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      FlinkTestCluster.withSlots(1, REPORTER.addToConfiguration(FlinkTestCluster.noRestarts()));

  @TempDir static Path clickHouseDir;

  private static EmbeddedClickHouse clickHouse;
  private static EmbeddedKafka kafka;

  /** What a record is, for the expectation. */
  enum Kind {
    ON_TIME,
    SLIGHTLY_LATE,
    LATE_FOR_DRIVER,
    LATE_FOR_ALL,
    DUPLICATE,
    INVALID
  }

  /** A record to produce, at its place (offset) in the topic's single partition. */
  record Sent(String key, byte[] value, Kind kind) {}

  @BeforeAll
  static void start() throws Exception {
    clickHouse = EmbeddedClickHouse.builder().dataDir(clickHouseDir).port(0).start();
    try (Connection connection = DriverManager.getConnection(clickHouse.jdbcUrl())) {
      new SchemaMigrator(Migrations.fromClasspath()).migrate(connection);
    }
    kafka = EmbeddedKafka.builder().port(0).brokerConfig("log.retention.ms", "-1").build().start();
    kafka.createTopics(1, TICKET_TOPIC, SURVEY_TOPIC, DEAD_LETTER_TOPIC);
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
  void theDriverJobDeadLettersWhatOnlyItDropsAndEveryJobReconciles() throws Exception {
    Instant now = Instant.now();
    Instant start = now.minus(Duration.ofDays(1)).truncatedTo(ChronoUnit.HOURS);
    List<Sent> tickets = ticketRecords(start, now);
    List<Sent> surveys = surveyRecords(start, now);
    produce(TICKET_TOPIC, tickets);
    produce(SURVEY_TOPIC, surveys);

    JobID surveyJob = runSurveyJob();
    JobID ticketJob = runTicketJob();
    JobID driverJob = runDriverJob();

    try (Connection connection = DriverManager.getConnection(clickHouse.jdbcUrl());
        Statement statement = connection.createStatement()) {
      // The owners: their invalid, duplicate and too-late records, nothing the driver job dropped.
      assertThat(deadLetterOffsets(statement, SurveyJob.JOB_ID, SURVEY_TOPIC))
          .isEqualTo(offsets(surveys, Kind.INVALID, Kind.DUPLICATE, Kind.LATE_FOR_ALL));
      assertThat(deadLetterOffsets(statement, TicketJob.JOB_ID, TICKET_TOPIC))
          .isEqualTo(offsets(tickets, Kind.INVALID, Kind.DUPLICATE, Kind.LATE_FOR_ALL));
      // The driver split job: its own too-late records only, as TOO_LATE, on both topics.
      assertThat(deadLetterOffsets(statement, DriverSplitJob.JOB_ID, SURVEY_TOPIC))
          .isEqualTo(offsets(surveys, Kind.LATE_FOR_DRIVER, Kind.LATE_FOR_ALL))
          .isNotEmpty();
      assertThat(deadLetterOffsets(statement, DriverSplitJob.JOB_ID, TICKET_TOPIC))
          .isEqualTo(offsets(tickets, Kind.LATE_FOR_DRIVER, Kind.LATE_FOR_ALL))
          .isNotEmpty();
      assertThat(
              strings(
                  statement,
                  "SELECT DISTINCT reason FROM cx_dead_letters FINAL WHERE job = '"
                      + DriverSplitJob.JOB_ID
                      + "'"))
          .containsExactly("TOO_LATE");
      assertThat(strings(statement, "SELECT DISTINCT job FROM cx_dead_letters FINAL ORDER BY job"))
          .containsExactly(DriverSplitJob.JOB_ID, SurveyJob.JOB_ID, TicketJob.JOB_ID);

      // Per job: read = counted + dead-lettered, and the table holds each job's dead letters.
      for (JobID owner : List.of(surveyJob, ticketJob)) {
        long deadLettered = deadLetteredMetric(owner);
        assertThat(counter(owner, PipelineMetrics.RECORDS_COUNTED) + deadLettered)
            .isEqualTo(counter(owner, PipelineMetrics.RECORDS_IN));
      }
      assertThat(counter(surveyJob, PipelineMetrics.RECORDS_IN)).isEqualTo(surveys.size());
      assertThat(counter(ticketJob, PipelineMetrics.RECORDS_IN)).isEqualTo(tickets.size());
      assertThat(deadLetteredMetric(surveyJob)).isEqualTo(rows(statement, SurveyJob.JOB_ID));
      assertThat(deadLetteredMetric(ticketJob)).isEqualTo(rows(statement, TicketJob.JOB_ID));
      // The survey job counted the records late for the driver only: its rows hold them.
      assertThat(longValue(statement, "SELECT sum(csat_total) FROM cx_survey_window_latest"))
          .isEqualTo(
              surveys.size()
                  - offsets(surveys, Kind.INVALID, Kind.DUPLICATE, Kind.LATE_FOR_ALL).size());

      // The driver job: read = counted + its own dead letters + the owners' other dead letters.
      long driverIn = counter(driverJob, PipelineMetrics.RECORDS_IN);
      assertThat(driverIn).isEqualTo(surveys.size() + tickets.size());
      long ownersOther =
          longValue(
              statement,
              "SELECT count() FROM cx_dead_letters FINAL WHERE job IN ('"
                  + SurveyJob.JOB_ID
                  + "', '"
                  + TicketJob.JOB_ID
                  + "') AND reason != 'TOO_LATE'");
      assertThat(
              counter(driverJob, PipelineMetrics.RECORDS_COUNTED)
                  + rows(statement, DriverSplitJob.JOB_ID)
                  + ownersOther)
          .isEqualTo(driverIn);
      assertThat(counter(driverJob, PipelineMetrics.deadLettered(RejectReason.TOO_LATE)))
          .isEqualTo(rows(statement, DriverSplitJob.JOB_ID));
      assertThat(counter(driverJob, DriverSplitCounters.JOINED_TOO_LATE)).isZero();
      // The join worked on what the driver job counted.
      assertThat(counter(driverJob, SurveyTicketJoinFunction.SURVEYS_JOINED)).isPositive();

      // The owners' view counts each record once, the driver job's dead letters left out; the
      // view by job shows them.
      assertThat(longValue(statement, "SELECT sum(dead_letters) FROM cx_dead_letter_counts"))
          .isEqualTo(rows(statement, SurveyJob.JOB_ID) + rows(statement, TicketJob.JOB_ID));
      assertThat(
              longValue(
                  statement,
                  "SELECT sum(dead_letters) FROM cx_dead_letter_counts_by_job WHERE job = '"
                      + DriverSplitJob.JOB_ID
                      + "'"))
          .isEqualTo(rows(statement, DriverSplitJob.JOB_ID));
    }
  }

  /**
   * Tickets opened one a minute, each answered after 2 minutes and resolved after 10, in event-time
   * order; some events sent late; bad records and duplicates among them.
   */
  private static List<Sent> ticketRecords(Instant start, Instant now) {
    List<Timed> events = new ArrayList<>();
    for (int i = 0; i < TICKETS; i++) {
      Instant opened = start.plus(Duration.ofMinutes(i));
      String ticketId = "tkt-" + i;
      events.add(
          timed(ticket(ticketId, i, "o", TicketEventType.OPENED, TicketActor.CUSTOMER, opened)));
      events.add(
          timed(
              ticket(
                  ticketId,
                  i,
                  "r",
                  TicketEventType.AGENT_REPLY,
                  TicketActor.AGENT,
                  opened.plus(Duration.ofMinutes(2)))));
      events.add(
          timed(
              ticket(
                  ticketId,
                  i,
                  "x",
                  TicketEventType.RESOLVED,
                  TicketActor.AGENT,
                  opened.plus(Duration.ofMinutes(10)))));
    }
    List<TicketBadRecords.BadRecord> bad =
        TicketBadRecords.allVariants(
            ticket("tkt-bad", 0, "b", TicketEventType.OPENED, TicketActor.CUSTOMER, start), now);
    return place(
        events,
        bad.stream().map(b -> new Sent(b.key(), b.value(), Kind.INVALID)).toList(),
        event -> ((TicketEvent) event).getTicketId());
  }

  /** A CSAT survey about each ticket 15 minutes after it opened, the same mix as the tickets. */
  private static List<Sent> surveyRecords(Instant start, Instant now) {
    List<Timed> events = new ArrayList<>();
    for (int i = 0; i < TICKETS; i++) {
      events.add(
          timed(
              TestEvents.survey()
                  .setEventId("svy-" + i)
                  .setResponseId("resp-" + i)
                  .setEventTime(start.plus(Duration.ofMinutes(i + 15)))
                  .setChannel(io.cxpulse.events.Channel.CHAT)
                  .setSegment("vip")
                  .setSurveyType(SurveyType.CSAT)
                  .setScore(1 + i % 5)
                  .setTicketId("tkt-" + i)
                  .build()));
    }
    SurveyResponse template =
        TestEvents.survey().setEventId("svy-bad").setEventTime(start.plusSeconds(90)).build();
    return place(
        events,
        BadRecords.oneOfEach(template, now).stream()
            .map(b -> new Sent(b.key(), b.value(), Kind.INVALID))
            .toList(),
        event -> ((SurveyResponse) event).getEventId());
  }

  private static TicketEvent ticket(
      String ticketId,
      int i,
      String suffix,
      TicketEventType type,
      TicketActor actor,
      Instant time) {
    return TestEvents.ticket()
        .setEventId("evt-" + i + "-" + suffix + "-" + ticketId)
        .setTicketId(ticketId)
        .setEventType(type)
        .setActor(actor)
        .setEventTime(time)
        .build();
  }

  /** An event with its event time. */
  record Timed(SpecificRecordBase event, Instant time) {}

  private static Timed timed(SpecificRecordBase event) {
    return new Timed(event, (Instant) event.get("event_time"));
  }

  /**
   * The topic's records in send order: the events in event-time order, except that every 10th is
   * sent {@link #SLIGHTLY_LATE}, every 15th {@link #LATE_FOR_DRIVER} and every 40th {@link
   * #LATE_FOR_ALL} (a late one goes after the first event that much later); a copy of every 25th is
   * sent again 3 events on (a duplicate), and the bad records go in the middle.
   */
  private static List<Sent> place(
      List<Timed> events,
      List<Sent> bad,
      java.util.function.Function<SpecificRecordBase, String> key) {
    events.sort(Comparator.comparing(Timed::time));
    // Send position (in event-time units) -> records sent there, in order.
    TreeMap<Long, List<Sent>> bySlot = new TreeMap<>();
    Instant last = events.get(events.size() - 1).time();
    for (int i = 0; i < events.size(); i++) {
      Timed timed = events.get(i);
      byte[] value = BadRecords.encode(timed.event());
      String recordKey = key.apply(timed.event());
      Duration delay = Duration.ZERO;
      Kind kind = Kind.ON_TIME;
      if (i % 40 == 7) {
        delay = LATE_FOR_ALL;
        kind = Kind.LATE_FOR_ALL;
      } else if (i % 15 == 4) {
        delay = LATE_FOR_DRIVER;
        kind = Kind.LATE_FOR_DRIVER;
      } else if (i % 10 == 3) {
        delay = SLIGHTLY_LATE;
        kind = Kind.SLIGHTLY_LATE;
      }
      Instant sendAt = timed.time().plus(delay);
      if (sendAt.isAfter(last)) {
        // Nothing later to send it after: on time.
        sendAt = timed.time();
        kind = Kind.ON_TIME;
      }
      // Late records go after every event timed up to their send time; +1 ms per index keeps the
      // event-time order of equal times.
      long slot = sendAt.toEpochMilli() * 10_000L + (delay.isZero() ? i : 9_999L);
      bySlot.computeIfAbsent(slot, s -> new ArrayList<>()).add(new Sent(recordKey, value, kind));
      if (i % 25 == 11) {
        Instant later = events.get(Math.min(i + 3, events.size() - 1)).time();
        bySlot
            .computeIfAbsent(later.toEpochMilli() * 10_000L + 9_998L, s -> new ArrayList<>())
            .add(new Sent(recordKey, value, Kind.DUPLICATE));
      }
    }
    List<Sent> sent = new ArrayList<>();
    int middle = bySlot.size() / 2;
    int n = 0;
    for (List<Sent> slot : bySlot.values()) {
      if (n++ == middle) {
        sent.addAll(bad);
      }
      sent.addAll(slot);
    }
    // Each kind this test is about is there.
    for (Kind kind : Kind.values()) {
      assertThat(sent).as("%s", kind).anyMatch(s -> s.kind() == kind);
    }
    return sent;
  }

  private static void produce(String topic, List<Sent> records) throws Exception {
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (Sent record : records) {
        producer.send(
            new ProducerRecord<>(
                topic, 0, record.key().getBytes(StandardCharsets.UTF_8), record.value()));
      }
      producer.flush();
    }
  }

  private static JobID runSurveyJob() throws Exception {
    SurveyJobOptions options =
        new SurveyJobOptions(
            kafkaOptions(),
            SURVEY_TOPIC,
            DEAD_LETTER_TOPIC,
            "dead-letters-it-survey",
            clickHouseOptions(),
            eventTime(EventTimeOptions.DEFAULT_ALLOWED_LATENESS),
            EventGateOptions.DEFAULTS,
            RUNTIME,
            WindowAggregation.DEFAULT_SALTS);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    SurveyJob.configure(env, options);
    SurveyJob.defineWorkflow(
        env, options, SurveyJob.kafkaInput(options), SurveyJob.productionSinks(options));
    return env.execute("survey job").getJobID();
  }

  private static JobID runTicketJob() throws Exception {
    TicketJobOptions options =
        new TicketJobOptions(
            kafkaOptions(),
            TICKET_TOPIC,
            DEAD_LETTER_TOPIC,
            "dead-letters-it-tickets",
            clickHouseOptions(),
            TicketJobOptions.BUNDLED_SLA_TARGETS,
            eventTime(EventTimeOptions.DEFAULT_ALLOWED_LATENESS),
            EventGateOptions.DEFAULTS,
            RUNTIME,
            WindowAggregation.DEFAULT_SALTS);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    TicketJob.configure(env, options);
    TicketJob.defineWorkflow(
        env, options, TicketJob.kafkaInput(options), TicketJob.productionSinks(options));
    return env.execute("ticket job").getJobID();
  }

  private static JobID runDriverJob() throws Exception {
    DriverSplitJobOptions options =
        new DriverSplitJobOptions(
            kafkaOptions(),
            TICKET_TOPIC,
            SURVEY_TOPIC,
            "dead-letters-it-driver",
            clickHouseOptions(),
            TicketJobOptions.BUNDLED_SLA_TARGETS,
            eventTime(DRIVER_ALLOWED_LATENESS),
            Duration.ofHours(1),
            EventGateOptions.DEFAULTS,
            RUNTIME,
            WindowAggregation.DEFAULT_SALTS);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    DriverSplitJob.configure(env, options);
    DriverSplitJob.defineWorkflow(
        env,
        options,
        DriverSplitJob.ticketSource(options),
        DriverSplitJob.surveySource(options),
        DriverSplitJob.productionSinks(options));
    return env.execute("driver split job").getJobID();
  }

  private static KafkaOptions kafkaOptions() {
    return new KafkaOptions(kafka.bootstrapServers());
  }

  private static ClickHouseOptions clickHouseOptions() {
    return new ClickHouseOptions(clickHouse.jdbcUrl(), ClickHouseOptions.DEFAULT_USER, "");
  }

  /** {@link #WINDOW}, the default watermarks, {@code allowedLateness}. */
  private static EventTimeOptions eventTime(Duration allowedLateness) {
    return new EventTimeOptions(
        WINDOW,
        EventTimeOptions.DEFAULT_OUT_OF_ORDERNESS,
        EventTimeOptions.DEFAULT_IDLENESS,
        allowedLateness);
  }

  private static TreeSet<Long> offsets(List<Sent> records, Kind... kinds) {
    TreeSet<Long> offsets = new TreeSet<>();
    for (int i = 0; i < records.size(); i++) {
      if (List.of(kinds).contains(records.get(i).kind())) {
        offsets.add((long) i);
      }
    }
    return offsets;
  }

  private static TreeSet<Long> deadLetterOffsets(Statement statement, String job, String topic)
      throws SQLException {
    TreeSet<Long> offsets = new TreeSet<>();
    try (ResultSet rs =
        statement.executeQuery(
            "SELECT source_offset FROM cx_dead_letters FINAL WHERE job = '"
                + job
                + "' AND source_topic = '"
                + topic
                + "'")) {
      while (rs.next()) {
        offsets.add(rs.getLong(1));
      }
    }
    return offsets;
  }

  private static long rows(Statement statement, String job) throws SQLException {
    return longValue(
        statement, "SELECT count() FROM cx_dead_letters FINAL WHERE job = '" + job + "'");
  }

  private static long longValue(Statement statement, String sql) throws SQLException {
    try (ResultSet rs = statement.executeQuery(sql)) {
      assertThat(rs.next()).isTrue();
      return rs.getLong(1);
    }
  }

  private static List<String> strings(Statement statement, String sql) throws SQLException {
    List<String> values = new ArrayList<>();
    try (ResultSet rs = statement.executeQuery(sql)) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    }
    return values;
  }

  private static long deadLetteredMetric(JobID job) {
    long sum = 0;
    for (RejectReason reason : RejectReason.values()) {
      sum += counter(job, PipelineMetrics.deadLettered(reason));
    }
    return sum;
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
