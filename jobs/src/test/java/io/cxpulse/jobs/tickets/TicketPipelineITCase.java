package io.cxpulse.jobs.tickets;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.jobs.EnginesExtension;
import io.cxpulse.jobs.FlinkTestCluster;
import io.cxpulse.jobs.generator.GeneratedTicket;
import io.cxpulse.jobs.generator.TicketScenario;
import io.cxpulse.jobs.pipeline.EventInput;
import io.cxpulse.jobs.pipeline.JobLauncher;
import io.cxpulse.jobs.pipeline.PipelineMetrics;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import io.cxpulse.jobs.tickets.ExpectedTicketViews.Cell;
import io.cxpulse.jobs.tickets.ExpectedTicketViews.Grain;
import io.cxpulse.jobs.tickets.ExpectedTicketViews.ViewKey;
import io.cxpulse.jobs.validation.RejectReason;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ticket pipeline end to end on the real engines: a generated {@link TicketScenario} (about
 * 53,000 events of 9,500 tickets, out of order, late, late replies that overtake a breach already
 * counted, duplicates, too-late events and every bad record) is produced to an in-process Kafka
 * broker, the job ({@link TicketJob#defineWorkflow} with the production Kafka source and {@link
 * TicketJob#productionSinks}) runs on a MiniCluster at parallelism 2, and ClickHouse, the
 * dead-letter topic and the counters must agree with an expectation computed from the scenario's
 * ground truth:
 *
 * <ul>
 *   <li>every row of {@code cx_ticket_response_times_minute} and {@code _hour} (every grouping set)
 *       and of {@code cx_ticket_backlog_minute} equals the expectation, percentiles also within the
 *       stated 1.98 % of the exact quantiles of the true durations;
 *   <li>in = counted + dead-lettered, per reason, from the counters, {@code cx_dead_letters FINAL}
 *       and the dead-letter topic, record by record;
 *   <li>a breach counted at its deadline was retracted by a late reply: a row with a newer version.
 * </ul>
 *
 * <p>The expectation is the generator's truth per ticket (opening, first agent reply, episodes)
 * with the documented definitions applied in {@link ExpectedTicketViews#windowCells}, not the job's
 * rules.
 */
class TicketPipelineITCase {

  private static final long SEED = 20_250_602L;

  private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      FlinkTestCluster.withSlots(2, REPORTER.addToConfiguration(FlinkTestCluster.noRestarts()));

  @RegisterExtension
  static final EnginesExtension<TicketEndToEnd> ENGINES =
      new EnginesExtension<>(TicketEndToEnd::start);

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void everyEventIsCountedOnceOrDeadLetteredAndTheViewsAreExact() throws Exception {
    TicketScenario scenario = TicketEndToEnd.scenario(SEED);
    assertThat(scenario.countedEvents()).hasSizeGreaterThanOrEqualTo(50_000);
    assertThat(scenario.kindCounts()).containsOnlyKeys(TicketScenario.Kind.values());
    List<Long> offsets = ENGINES.get().produce(scenario);
    Map<Long, RejectReason> expectedDeadLetters =
        TicketEndToEnd.expectedDeadLetters(scenario, offsets);
    Map<RejectReason, Long> expectedPerReason = TicketEndToEnd.deadLettersPerReason(scenario);
    assertThat(expectedPerReason.values()).allSatisfy(count -> assertThat(count).isPositive());
    try (Connection connection = ENGINES.get().connection()) {
      TicketEndToEnd.installEmissionLog(connection);
    }

    TicketJobOptions options =
        ENGINES
            .get()
            .options(
                "ticket-pipeline-it",
                new RuntimeOptions(Duration.ofMillis(500), 2, true, 1000, Duration.ofMillis(200)));
    // As the job runs (JobLauncher): a type Flink would serialise with Kryo fails the job.
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            JobLauncher.withoutGenericTypes(new Configuration()));
    TicketJob.configure(env, options);
    TicketJob.defineWorkflow(
        env,
        options,
        EventInput.kafka(
            options.kafka().bootstrapServers(),
            options.topic(),
            options.groupId(),
            options.runtime().bounded()),
        TicketJob.productionSinks(options));
    long started = System.nanoTime();
    JobExecutionResult result = env.execute("ticket pipeline end to end");
    long jobMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();

    // in = counted + dead-lettered, from the job's counters.
    JobID job = result.getJobID();
    Map<RejectReason, Long> deadLettered = new EnumMap<>(RejectReason.class);
    for (RejectReason reason : RejectReason.values()) {
      deadLettered.put(reason, counter(job, PipelineMetrics.deadLettered(reason)));
    }
    long recordsIn = counter(job, PipelineMetrics.RECORDS_IN);
    long recordsCounted = counter(job, PipelineMetrics.RECORDS_COUNTED);
    assertThat(recordsIn).as("recordsIn").isEqualTo(scenario.records().size());
    assertThat(recordsCounted).as("recordsCounted").isEqualTo(scenario.countedEvents().size());
    assertThat(deadLettered).as("deadLettered_<REASON>").isEqualTo(expectedPerReason);
    assertThat(recordsCounted + deadLettered.values().stream().mapToLong(Long::longValue).sum())
        .as("in = counted + dead-lettered")
        .isEqualTo(recordsIn);
    // Nothing lost between the lifecycles and the rows.
    assertThat(counter(job, TicketLifecycleFunction.EVENTS_WITHOUT_OPENING)).isZero();
    assertThat(counter(job, TooLateFactsFunction.FACTS_TOO_LATE)).isZero();
    long corrections = counter(job, TicketLifecycleFunction.CORRECTIONS);
    assertThat(corrections).as("facts corrected by late events").isPositive();

    Map<ViewKey, Cell> windows =
        ExpectedTicketViews.windowCells(scenario.tickets(), TicketEndToEnd.WINDOW);
    Map<ViewKey, Cell> minutes = ExpectedTicketViews.rollUp(windows, Grain.MINUTE);
    Map<ViewKey, Cell> hours = ExpectedTicketViews.rollUp(windows, Grain.HOUR);
    int minuteRows;
    int hourRows;
    int backlogRows;
    long retractedBreaches;
    try (Connection connection = ENGINES.get().connection()) {
      // Dead letters in ClickHouse: exactly the expected records, each with its reason.
      assertThat(deadLettersFinal(connection))
          .as("cx_dead_letters FINAL, reason by source offset")
          .isEqualTo(expectedDeadLetters);

      // The views, every row of every grouping set.
      minuteRows =
          ExpectedTicketViews.assertResponseTimes(
              minutes,
              ExpectedTicketViews.readResponseTimes(connection, "cx_ticket_response_times_minute"),
              true);
      hourRows =
          ExpectedTicketViews.assertResponseTimes(
              hours,
              ExpectedTicketViews.readResponseTimes(connection, "cx_ticket_response_times_hour"),
              true);
      backlogRows =
          ExpectedTicketViews.assertBacklog(
              minutes,
              ExpectedTicketViews.readBacklog(connection, "cx_ticket_backlog_minute"),
              Grain.MINUTE);

      // A breach counted at the deadline and retracted by a late reply: a row written with a
      // breach that a newer version of it no longer has, in the deadline window of a ticket whose
      // first reply the scenario held back.
      Set<ViewKey> retracted = retractedBreachRows(connection);
      retractedBreaches = retracted.size();
      Set<ViewKey> lateReplyDeadlines = new HashSet<>();
      for (GeneratedTicket ticket : scenario.tickets()) {
        if (scenario.lateReplyTickets().contains(ticket.ticketId())) {
          lateReplyDeadlines.add(
              ExpectedTicketViews.windowKey(ticket, ticket.deadline(), TicketEndToEnd.WINDOW));
        }
      }
      assertThat(retracted).as("rows whose breach was retracted").isNotEmpty();
      assertThat(retracted)
          .as("... among the late replies' deadlines")
          .containsAnyElementsOf(lateReplyDeadlines);
    }

    // Dead letters in Kafka: one per rejected record, each with its reason.
    Map<Long, RejectReason> fromTopic = new TreeMap<>();
    for (DeadLetter deadLetter : ENGINES.get().readDeadLetterTopic()) {
      assertThat(deadLetter.getSourceTopic()).isEqualTo(TicketEndToEnd.TICKET_TOPIC);
      assertThat(deadLetter.getSourcePartition()).isZero();
      assertThat(
              fromTopic.put(
                  deadLetter.getSourceOffset(),
                  RejectReason.valueOf(deadLetter.getReason().name())))
          .as("one dead letter for offset %d", deadLetter.getSourceOffset())
          .isNull();
    }
    assertThat(fromTopic)
        .as("dead-letter topic, reason by source offset")
        .isEqualTo(expectedDeadLetters);

    System.out.printf(
        "TicketPipelineITCase: %d records (%s), %d tickets, job %d ms, checks %d ms, %d corrections;"
            + " compared %d minute rows, %d hour rows, %d backlog rows; %d rows with a retracted"
            + " breach (%d late replies)%n",
        offsets.size(),
        scenario.kindCounts(),
        scenario.tickets().size(),
        jobMillis,
        Duration.ofNanos(System.nanoTime() - started).toMillis() - jobMillis,
        corrections,
        minuteRows,
        hourRows,
        backlogRows,
        retractedBreaches,
        scenario.lateReplyTickets().size());
  }

  /** Rows of the emission log where an earlier version had a breach the newest one has not. */
  private static Set<ViewKey> retractedBreachRows(Connection connection) throws SQLException {
    Set<ViewKey> keys = new HashSet<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT toUnixTimestamp(window_start) AS start, channel, segment, priority FROM"
                    + " (SELECT window_start, channel, segment, priority,"
                    + " max(sla_breached_unanswered) AS most,"
                    + " argMax(sla_breached_unanswered, version) AS last,"
                    + " uniqExact(version) AS versions FROM "
                    + TicketEndToEnd.EMISSION_LOG
                    + " GROUP BY window_start, channel, segment, priority)"
                    + " WHERE versions > 1 AND most > last")) {
      while (rs.next()) {
        keys.add(
            new ViewKey(
                Instant.ofEpochSecond(rs.getLong("start")),
                rs.getString("channel"),
                rs.getString("segment"),
                rs.getString("priority")));
      }
    }
    return keys;
  }

  private static Map<Long, RejectReason> deadLettersFinal(Connection connection)
      throws SQLException {
    Map<Long, RejectReason> reasons = new TreeMap<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT source_partition, source_offset, reason FROM cx_dead_letters FINAL"
                + " WHERE source_topic = ?")) {
      statement.setString(1, TicketEndToEnd.TICKET_TOPIC);
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          long offset = rs.getLong("source_offset");
          assertThat(rs.getInt("source_partition")).isZero();
          assertThat(reasons.put(offset, RejectReason.valueOf(rs.getString("reason"))))
              .as("one FINAL dead-letter row per source record, offset %d", offset)
              .isNull();
        }
      }
    }
    return reasons;
  }

  private static long counter(JobID job, String name) {
    return TicketEndToEnd.sumCounter(REPORTER, job, name);
  }
}
