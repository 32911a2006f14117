package io.cxpulse.jobs.tickets;

import io.cxpulse.embedded.kafka.EmbeddedKafka;
import io.cxpulse.events.DeadLetter;
import io.cxpulse.jobs.EndToEndEngines;
import io.cxpulse.jobs.aggregate.WindowAggregation;
import io.cxpulse.jobs.generator.TicketScenario;
import io.cxpulse.jobs.generator.TicketScenario.ScenarioRecord;
import io.cxpulse.jobs.pipeline.EventGateOptions;
import io.cxpulse.jobs.pipeline.EventTimeOptions;
import io.cxpulse.jobs.pipeline.KafkaOptions;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import io.cxpulse.jobs.validation.RejectReason;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.testutils.InMemoryReporter;

/**
 * The pieces of the end-to-end ticket test: the real engines (an in-process Kafka broker and the
 * embedded ClickHouse engine with the migrations applied), a generated {@link TicketScenario},
 * producing it to Kafka as it prescribes, reading the dead-letter topic back, and summing job
 * counters. The survey's {@code SurveyEndToEnd}, for tickets.
 */
final class TicketEndToEnd implements AutoCloseable {

  static final Duration WINDOW = Duration.ofMinutes(1);
  static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(5);

  /**
   * Long enough for late replies (a reply held back past its deadline, up to a few minutes after
   * it) and the scenario's margins; short enough that TOO_LATE records fit into the stream.
   */
  static final Duration ALLOWED_LATENESS = Duration.ofMinutes(20);

  static final String TICKET_TOPIC = "cx.tickets";
  static final String DEAD_LETTER_TOPIC = "cx.dead-letters";

  /** The emission log: every row ever inserted into cx_ticket_window. */
  static final String EMISSION_LOG = "test_ticket_window_emissions";

  private final EndToEndEngines engines;

  private TicketEndToEnd(EndToEndEngines engines) {
    this.engines = engines;
  }

  /** ClickHouse in {@code clickHouseDir}, migrated; Kafka with both topics (one partition). */
  static TicketEndToEnd start(Path clickHouseDir) throws Exception {
    // The scenario's event times (and Kafka timestamps) go back days: keep every record.
    return new TicketEndToEnd(
        EndToEndEngines.start(
            clickHouseDir,
            EmbeddedKafka.builder().brokerConfig("log.retention.ms", "-1"),
            TICKET_TOPIC,
            DEAD_LETTER_TOPIC));
  }

  Connection connection() throws SQLException {
    return engines.connection();
  }

  /** Job options against these engines, matching {@link #scenario}, bounded. */
  TicketJobOptions options(String groupId, RuntimeOptions runtime) {
    return new TicketJobOptions(
        new KafkaOptions(engines.bootstrapServers()),
        TICKET_TOPIC,
        DEAD_LETTER_TOPIC,
        groupId,
        engines.clickHouseOptions(),
        TicketJobOptions.BUNDLED_SLA_TARGETS,
        new EventTimeOptions(
            WINDOW, OUT_OF_ORDERNESS, EventTimeOptions.DEFAULT_IDLENESS, ALLOWED_LATENESS),
        EventGateOptions.DEFAULTS,
        runtime,
        WindowAggregation.DEFAULT_SALTS);
  }

  /**
   * The default-sized scenario (about 53,000 events from 9,500 tickets over three and a half days
   * of event time) ending before the wall clock.
   */
  static TicketScenario scenario(long seed) {
    Instant now = Instant.now();
    Instant start = now.minus(Duration.ofDays(5)).truncatedTo(ChronoUnit.HOURS);
    return TicketScenario.builder(seed, start, now)
        .windowSize(WINDOW)
        .outOfOrderness(OUT_OF_ORDERNESS)
        .allowedLateness(ALLOWED_LATENESS)
        .build();
  }

  /** Expected dead letters per reason (every reason present, zero if none). */
  static Map<RejectReason, Long> deadLettersPerReason(TicketScenario scenario) {
    return EndToEndEngines.deadLettersPerReason(scenario.fateCounts());
  }

  /**
   * Produces every record to partition 0 of the ticket topic, in order, idempotently, with the
   * records' own timestamps; returns each record's offset.
   */
  List<Long> produce(TicketScenario scenario) throws Exception {
    return engines.produceInOrder(
        TICKET_TOPIC,
        scenario.records(),
        ScenarioRecord::timestamp,
        ScenarioRecord::key,
        ScenarioRecord::value);
  }

  /** Reason by source offset of every record the scenario dead-letters. */
  static Map<Long, RejectReason> expectedDeadLetters(TicketScenario scenario, List<Long> offsets) {
    return EndToEndEngines.expectedDeadLetters(
        scenario.records().stream().map(ScenarioRecord::fate).toList(), offsets);
  }

  /** Every record of the dead-letter topic, decoded; fails on one that does not decode. */
  List<DeadLetter> readDeadLetterTopic() {
    return engines.readDeadLetters(DEAD_LETTER_TOPIC);
  }

  /** The sum of the counter {@code name} over every operator and subtask of {@code job}. */
  static long sumCounter(InMemoryReporter reporter, JobID job, String name) {
    return EndToEndEngines.sumCounter(reporter, job, name);
  }

  /**
   * A materialized view copying every row inserted into cx_ticket_window into a plain MergeTree, so
   * every version the sink wrote stays visible; call before the job runs.
   */
  static void installEmissionLog(Connection connection) throws SQLException {
    try (var statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE "
              + EMISSION_LOG
              + " (window_start DateTime('UTC'), channel String, segment String, priority String,"
              + " version UInt64, sla_breached Int64, sla_breached_unanswered Int64)"
              + " ENGINE = MergeTree ORDER BY tuple()");
      statement.execute(
          "CREATE MATERIALIZED VIEW "
              + EMISSION_LOG
              + "_mv TO "
              + EMISSION_LOG
              + " AS SELECT window_start, channel, segment, priority, version, sla_breached,"
              + " sla_breached_unanswered FROM cx_ticket_window");
    }
  }

  @Override
  public void close() {
    engines.close();
  }
}
