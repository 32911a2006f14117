package io.cxpulse.local.bench.pipeline;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.events.TicketEvent;
import io.cxpulse.events.TicketEventType;
import io.cxpulse.jobs.MetricStream;
import io.cxpulse.jobs.aggregate.WindowAggregation;
import io.cxpulse.jobs.generator.BadRecords;
import io.cxpulse.jobs.generator.GeneratedTicket;
import io.cxpulse.jobs.generator.TicketScenario;
import io.cxpulse.jobs.generator.TicketScenario.ScenarioRecord;
import io.cxpulse.jobs.pipeline.ClickHouseOptions;
import io.cxpulse.jobs.pipeline.DeadLetterOutput;
import io.cxpulse.jobs.pipeline.DecodedEvent;
import io.cxpulse.jobs.pipeline.Dimensions;
import io.cxpulse.jobs.pipeline.KafkaOptions;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import io.cxpulse.jobs.tickets.TicketJob;
import io.cxpulse.jobs.tickets.TicketJobOptions;
import io.cxpulse.jobs.tickets.TicketWindowRow;
import io.cxpulse.metrics.LogHistogram;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
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
 * The ticket job's benchmark input and runs: tickets from the project's traffic generator, laid out
 * by {@link TicketScenario} (the oracle of the ticket pipeline test) with events out of order, late
 * events, first replies held back past a breach already counted, duplicates and every kind of bad
 * record; and the expected window rows from each ticket's ground truth (opening, first agent reply,
 * episodes) with the documented definitions applied, as {@code TicketPipelineITCase} does, not the
 * job's rules.
 *
 * <p>The job's rows, from (b), (d) and the sink alone, are compared in every component: tickets
 * opened and reopened, the first-response histogram and sum (its count the first responses), SLA
 * met, breached and breached unanswered, resolutions with their histogram and sum, and the change
 * of tickets awaiting a first response. Not the version: it counts the facts a row absorbed,
 * retractions included, which depends on how far the watermark got when a late event was read.
 */
public final class TicketWorkload
    extends JobWorkload<TicketEvent, TicketWindowRow, TicketJobOptions> {

  /** Openings per second of event time: the scenario's default. */
  static final double TICKETS_PER_SECOND = 1.0;

  /** Events per generated ticket, about: the scenario's 9,500 default tickets have 53,000. */
  static final double EVENTS_PER_TICKET = 53_000.0 / 9_500;

  /**
   * How long before now the traffic starts beyond its openings: tickets live up to three and a half
   * days of event time, and every event must lie before now.
   */
  private static final Duration TAIL = Duration.ofDays(5);

  private final String topic;
  private final Map<String, WindowResult> expectedSqlRows;

  /** The facts of one window row, summed from the truth. */
  private static final class Cell {
    long facts;
    long opened;
    long reopened;
    long slaMet;
    long slaBreached;
    long slaBreachedUnanswered;
    long awaitingDelta;
    final LogHistogram firstResponses = new LogHistogram();
    final LogHistogram resolutions = new LogHistogram();
  }

  private TicketWorkload(
      Input input,
      int events,
      List<TicketWindowRow> rows,
      TicketScenario scenario,
      Map<String, WindowResult> expectedSqlRows) {
    super(input, events, rows, scenario.fateCounts());
    this.topic = input.topic();
    this.expectedSqlRows = expectedSqlRows;
  }

  /**
   * Generates tickets with about {@code events} events (and the scenario's duplicates and bad
   * records around them) ending before now, in {@code segments} segments, split by ticket id.
   */
  public static TicketWorkload generate(int events, int segments, long seed) {
    int tickets = Math.max(1, (int) Math.round(events / EVENTS_PER_TICKET));
    Instant now = Instant.now();
    Instant start =
        now.minus(Duration.ofSeconds((long) (tickets / TICKETS_PER_SECOND)))
            .minus(TAIL)
            .truncatedTo(ChronoUnit.HOURS);
    TicketScenario scenario =
        TicketScenario.builder(seed, start, now)
            .tickets(tickets)
            .ticketsPerSecond(TICKETS_PER_SECOND)
            .windowSize(EVENT_TIME.window())
            .outOfOrderness(EVENT_TIME.outOfOrderness())
            .allowedLateness(EVENT_TIME.allowedLateness())
            .tooLateCount(0)
            .build();
    Input input = new Input(TicketJob.JOB_ID);
    for (ScenarioRecord record : scenario.records()) {
      byte[] value = record.value();
      if (segments != 4 && record.kind() != TicketScenario.Kind.BAD) {
        // Bad records stay as they are: their fault may be in the segment.
        TicketEvent event = record.event().orElseThrow();
        value =
            BadRecords.encode(
                TicketEvent.newBuilder(event)
                    .setSegment(segment(event.getSegment(), event.getTicketId(), segments))
                    .build());
      }
      input.add(value, record.timestamp(), record.key());
    }
    Map<String, TicketWindowRow> rows = new LinkedHashMap<>();
    Map<String, Cell> cells = new LinkedHashMap<>();
    Map<String, SortedMap<String, Long>> sqlRows = new LinkedHashMap<>();
    int generated = 0;
    for (GeneratedTicket ticket : scenario.tickets()) {
      generated += ticket.events().size();
      String segment = segment(ticket.segment(), ticket.ticketId(), segments);
      addFacts(ticket, (at) -> cell(rows, cells, ticket, segment, at));
      // What the SQL variant computes: per window of the opening, the tickets opened and the
      // first responses with their sum.
      SortedMap<String, Long> opening =
          sqlRows.computeIfAbsent(key(ticket, segment, ticket.openedAt()), key -> new TreeMap<>());
      add(opening, "opened", 1);
      ticket
          .firstResponseTime()
          .ifPresent(
              time -> {
                add(opening, "first_responses", 1);
                add(opening, "first_response.sum_ms", time.toMillis());
              });
    }
    rows.forEach((key, row) -> fill(row, cells.get(key)));
    Map<String, WindowResult> expectedSql = new LinkedHashMap<>();
    sqlRows.forEach(
        (key, components) ->
            expectedSql.put(key, new WindowResult(key, components.get("opened"), components)));
    return new TicketWorkload(
        input, generated, new ArrayList<>(rows.values()), scenario, expectedSql);
  }

  /** Where a fact at some time counts: the cell of its window, the ticket's dimensions. */
  @FunctionalInterface
  private interface Cells {
    Cell at(Instant time);
  }

  /**
   * The facts of one ticket, from its ground truth and the documented definitions (as {@code
   * TicketPipelineITCase.windowCells}): the opening in the window of its opening and each reopen as
   * a reopened episode in the window of the reopen; each resolution with its episode's resolution
   * time in the window of the resolution; the first agent reply with its first-response time in its
   * window, as met if it came by the deadline; a breach once, at the deadline if the ticket was
   * still waiting then, else at the late reply; the wait for a first response from the opening to
   * the deadline (breached), else to the on-time reply or the resolution, whichever came first.
   */
  private static void addFacts(GeneratedTicket ticket, Cells cells) {
    for (GeneratedTicket.Episode episode : ticket.episodes()) {
      Cell opened = cells.at(episode.start());
      opened.facts++;
      if (episode.reopened()) {
        opened.reopened++;
      } else {
        opened.opened++;
      }
      if (episode.resolvedAt() != null) {
        Cell resolved = cells.at(episode.resolvedAt());
        resolved.facts++;
        resolved.resolutions.add(episode.resolutionTime().orElseThrow().toMillis());
      }
    }
    GeneratedTicket.Episode original = ticket.episodes().get(0);
    if (!original.reopened()) {
      cells.at(original.start()).awaitingDelta++;
      Instant waitEnd;
      if (ticket.slaVerdict() == GeneratedTicket.SlaVerdict.BREACHED_AT_DEADLINE) {
        waitEnd = ticket.deadline();
      } else {
        Instant reply = ticket.firstAgentReplyAt();
        Instant resolved = original.resolvedAt();
        boolean replyOnTime = reply != null && !reply.isAfter(ticket.deadline());
        waitEnd = replyOnTime && (resolved == null || !reply.isAfter(resolved)) ? reply : resolved;
      }
      cells.at(waitEnd).awaitingDelta--;
    }
    if (ticket.firstAgentReplyAt() != null) {
      Cell reply = cells.at(ticket.firstAgentReplyAt());
      reply.facts++;
      reply.firstResponses.add(ticket.firstResponseTime().orElseThrow().toMillis());
      if (ticket.slaVerdict() == GeneratedTicket.SlaVerdict.MET) {
        reply.slaMet++;
      }
    }
    switch (ticket.slaVerdict()) {
      case BREACHED_AT_DEADLINE -> {
        Cell breach = cells.at(ticket.deadline());
        breach.facts++;
        breach.slaBreached++;
        breach.slaBreachedUnanswered++;
      }
      case BREACHED_AT_REPLY -> cells.at(ticket.firstAgentReplyAt()).slaBreached++;
      case MET, NONE -> {}
    }
  }

  private static Cell cell(
      Map<String, TicketWindowRow> rows,
      Map<String, Cell> cells,
      GeneratedTicket ticket,
      String segment,
      Instant at) {
    String key = key(ticket, segment, at);
    rows.computeIfAbsent(
        key,
        k -> {
          long start = windowStart(at);
          TicketWindowRow row = new TicketWindowRow();
          row.setWindowStart(Instant.ofEpochMilli(start));
          row.setWindowEnd(Instant.ofEpochMilli(start + EVENT_TIME.window().toMillis()));
          row.setChannel(Dimensions.channel(ticket.channel()));
          row.setSegment(segment);
          row.setPriority(TicketJob.priority(ticket.priority()));
          return row;
        });
    return cells.computeIfAbsent(key, k -> new Cell());
  }

  private static long windowStart(Instant at) {
    long millis = at.toEpochMilli();
    return millis - Math.floorMod(millis, EVENT_TIME.window().toMillis());
  }

  /** The key of the window row of {@code ticket}'s dimensions at {@code at}. */
  private static String key(GeneratedTicket ticket, String segment, Instant at) {
    return WindowResult.key(
        windowStart(at),
        Dimensions.channel(ticket.channel()),
        segment,
        TicketJob.priority(ticket.priority()));
  }

  /** Sets the components of {@code row} to {@code cell}'s; its version to the facts. */
  private static void fill(TicketWindowRow row, Cell cell) {
    row.setTicketsOpened(cell.opened);
    row.setTicketsReopened(cell.reopened);
    row.setFirstResponses(cell.firstResponses.count());
    row.setFirstResponseSumMillis(cell.firstResponses.sum());
    row.setFirstResponseBuckets(cell.firstResponses.bucketIndexes());
    row.setFirstResponseCounts(cell.firstResponses.bucketCounts());
    row.setSlaMet(cell.slaMet);
    row.setSlaBreached(cell.slaBreached);
    row.setSlaBreachedUnanswered(cell.slaBreachedUnanswered);
    row.setResolved(cell.resolutions.count());
    row.setResolutionSumMillis(cell.resolutions.sum());
    row.setResolutionBuckets(cell.resolutions.bucketIndexes());
    row.setResolutionCounts(cell.resolutions.bucketCounts());
    row.setBacklogDelta(cell.opened + cell.reopened - cell.resolutions.count());
    row.setAwaitingFirstResponseDelta(cell.awaitingDelta);
    row.setVersion(cell.facts);
  }

  @Override
  public String job() {
    return TicketJob.JOB_ID;
  }

  @Override
  protected MetricStream<TicketJobOptions, TicketEvent, ?, ?, TicketWindowRow> stream() {
    return TicketJob.STREAM;
  }

  @Override
  protected TicketJobOptions options(
      KafkaOptions kafka, ClickHouseOptions clickHouse, String groupId, RuntimeOptions runtime) {
    return new TicketJobOptions(
        kafka,
        topic,
        topic + ".dead-letters",
        groupId,
        clickHouse,
        TicketJobOptions.BUNDLED_SLA_TARGETS,
        EVENT_TIME,
        GATE,
        runtime,
        WindowAggregation.DEFAULT_SALTS);
  }

  @Override
  protected LatestRowsSink.Reduction<TicketWindowRow> reduction() {
    return TicketWorkload::result;
  }

  /**
   * Opened, reopened, first responses, {@code first_response.bucket.<index>} and {@code
   * first_response.sum_ms}, SLA met, breached and breached unanswered, resolved, {@code
   * resolution.bucket.<index>} and {@code resolution.sum_ms}, the awaiting-first-response delta.
   */
  private static WindowResult result(TicketWindowRow row) {
    SortedMap<String, Long> components = new TreeMap<>();
    add(components, "opened", row.getTicketsOpened());
    add(components, "reopened", row.getTicketsReopened());
    add(components, "first_responses", row.getFirstResponses());
    addHistogram(
        components,
        "first_response",
        row.getFirstResponseBuckets(),
        row.getFirstResponseCounts(),
        row.getFirstResponseSumMillis());
    add(components, "sla_met", row.getSlaMet());
    add(components, "sla_breached", row.getSlaBreached());
    add(components, "sla_breached_unanswered", row.getSlaBreachedUnanswered());
    add(components, "resolved", row.getResolved());
    addHistogram(
        components,
        "resolution",
        row.getResolutionBuckets(),
        row.getResolutionCounts(),
        row.getResolutionSumMillis());
    add(components, "awaiting_first_response_delta", row.getAwaitingFirstResponseDelta());
    return new WindowResult(
        WindowResult.key(
            row.getWindowStart().toEpochMilli(),
            row.getChannel(),
            row.getSegment(),
            row.getPriority()),
        row.getVersion(),
        components);
  }

  /**
   * A small part of the job's work in Flink SQL, the part plain SQL expresses: after the job's
   * decode and validate step (a DataStream function) and Flink SQL's documented de-duplication
   * (first row per event_id by processing time), each ticket's opening (time, channel, segment,
   * priority) and first agent reply, by a (non-windowed, updating) aggregation per ticket_id over
   * the OPENED and AGENT_REPLY events; then per minute of the opening × channel × segment ×
   * priority, the tickets opened, their first responses and the sum of their first-response times.
   *
   * <p>Not the job's rows: the job counts each fact in the window it happened in (a first response
   * in the reply's window), keeps the SLA verdict with event-time timers at each deadline,
   * retracting a breach when a late reply overtakes it, counts reopens and resolutions with their
   * histograms, the waits for a first response, and first-response histograms. So this run is
   * checked against its own expectation from the same truth (tickets opened, first responses and
   * their sum per window of the opening), and (b)/(c) compares a job that does several times the
   * work with a lower bound of it.
   */
  @Override
  public Run sql(int parallelism) {
    StreamExecutionEnvironment env = BenchCluster.environment(parallelism);
    SingleOutputStreamOperator<DecodedEvent<TicketEvent>> decoded = decode(env);
    TallySink<DeadLetter> rejected = deadLetterTally();
    decoded.getSideOutput(DeadLetterOutput.TAG).sinkTo(rejected).name("discard dead letters");
    String[] names = {
      "event_id", "ticket_id", "event_type", "event_millis", "channel", "segment", "priority"
    };
    DataStream<Row> ticketEvents =
        decoded
            .map(TicketWorkload::row)
            .returns(
                Types.ROW_NAMED(
                    names,
                    Types.STRING,
                    Types.STRING,
                    Types.STRING,
                    Types.LONG,
                    Types.STRING,
                    Types.STRING,
                    Types.STRING))
            .name("ticket events as rows");
    StreamTableEnvironment tables = tables(env);
    tables.createTemporaryView(
        "ticket_events",
        tables.fromDataStream(
            ticketEvents,
            Schema.newBuilder()
                .column("event_id", DataTypes.STRING())
                .column("ticket_id", DataTypes.STRING())
                .column("event_type", DataTypes.STRING())
                .column("event_millis", DataTypes.BIGINT())
                .column("channel", DataTypes.STRING())
                .column("segment", DataTypes.STRING())
                .column("priority", DataTypes.STRING())
                .columnByExpression("proctime", "PROCTIME()")
                .build()));
    tables.createTemporaryView(
        "first_events", tables.sqlQuery(firstRows("ticket_events", String.join(", ", names))));
    String opened = "event_type = '" + TicketEventType.OPENED.name() + "'";
    String reply = "event_type = '" + TicketEventType.AGENT_REPLY.name() + "'";
    tables.createTemporaryView(
        "tickets",
        tables.sqlQuery(
            "SELECT ticket_id,"
                + (" MIN(event_millis) FILTER (WHERE " + opened + ") AS opened_ms,")
                + (" MIN(channel) FILTER (WHERE " + opened + ") AS channel,")
                + (" MIN(segment) FILTER (WHERE " + opened + ") AS segment,")
                + (" MIN(priority) FILTER (WHERE " + opened + ") AS priority,")
                + (" MIN(event_millis) FILTER (WHERE " + reply + ") AS first_reply_ms")
                + (" FROM first_events WHERE " + opened + " OR " + reply)
                + " GROUP BY ticket_id"));
    long windowMillis = EVENT_TIME.window().toMillis();
    String windowStart = "opened_ms - MOD(opened_ms, " + windowMillis + ")";
    var windows =
        tables.sqlQuery(
            "SELECT "
                + windowStart
                + " AS window_start, channel, segment, priority, COUNT(*) AS opened,"
                + " COUNT(first_reply_ms) AS first_responses,"
                + " COALESCE(SUM(first_reply_ms - opened_ms), 0) AS first_response_sum_ms"
                + " FROM tickets WHERE opened_ms IS NOT NULL GROUP BY "
                + windowStart
                + ", channel, segment, priority");
    LatestRowsSink<Row> rows = LatestRowsSink.lastWritten(TicketWorkload::result);
    tables
        .toChangelogStream(windows)
        .filter(row -> row.getKind() == RowKind.INSERT || row.getKind() == RowKind.UPDATE_AFTER)
        .name("ticket window rows, latest")
        .sinkTo(rows)
        .name("ticket window rows");
    return new Run(
        env,
        () -> {
          List<String> problems = new ArrayList<>();
          problems.addAll(Expectations.windowRows(expectedSqlRows, rows.release()));
          problems.addAll(Expectations.counts("dead letters", gateRejections(), release(rejected)));
          return problems;
        });
  }

  private static WindowResult result(Row row) {
    SortedMap<String, Long> components = new TreeMap<>();
    add(components, "opened", row.<Long>getFieldAs("opened"));
    add(components, "first_responses", row.<Long>getFieldAs("first_responses"));
    add(components, "first_response.sum_ms", row.<Long>getFieldAs("first_response_sum_ms"));
    return new WindowResult(
        WindowResult.key(
            row.<Long>getFieldAs("window_start"),
            row.getFieldAs("channel"),
            row.getFieldAs("segment"),
            row.getFieldAs("priority")),
        row.<Long>getFieldAs("opened"),
        components);
  }

  private static Row row(DecodedEvent<TicketEvent> decoded) {
    TicketEvent event = decoded.getEvent();
    return Row.of(
        event.getEventId(),
        event.getTicketId(),
        event.getEventType().name(),
        event.getEventTime().toEpochMilli(),
        Dimensions.channel(event.getChannel()),
        event.getSegment(),
        TicketJob.priority(event.getPriority()));
  }

  @Override
  protected Map<String, WindowResult> windowTable(Connection connection) throws SQLException {
    return readRows(
        connection,
        "SELECT toUnixTimestamp(window_start) AS start_epoch, * FROM cx_ticket_window FINAL",
        rs -> {
          TicketWindowRow row = new TicketWindowRow();
          row.setWindowStart(windowStart(rs));
          row.setChannel(rs.getString("channel"));
          row.setSegment(rs.getString("segment"));
          row.setPriority(rs.getString("priority"));
          row.setTicketsOpened(rs.getLong("tickets_opened"));
          row.setTicketsReopened(rs.getLong("tickets_reopened"));
          row.setFirstResponses(rs.getLong("first_responses"));
          row.setFirstResponseSumMillis(rs.getLong("first_response_sum_ms"));
          row.setFirstResponseBuckets(ints(rs, "first_response_buckets"));
          row.setFirstResponseCounts(longs(rs, "first_response_counts"));
          row.setSlaMet(rs.getLong("sla_met"));
          row.setSlaBreached(rs.getLong("sla_breached"));
          row.setSlaBreachedUnanswered(rs.getLong("sla_breached_unanswered"));
          row.setResolved(rs.getLong("resolved"));
          row.setResolutionSumMillis(rs.getLong("resolution_sum_ms"));
          row.setResolutionBuckets(ints(rs, "resolution_buckets"));
          row.setResolutionCounts(longs(rs, "resolution_counts"));
          row.setAwaitingFirstResponseDelta(rs.getLong("awaiting_first_response_delta"));
          row.setVersion(rs.getLong("version"));
          return row;
        });
  }
}
