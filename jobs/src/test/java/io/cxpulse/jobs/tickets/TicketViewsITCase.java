package io.cxpulse.jobs.tickets;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.embedded.clickhouse.EmbeddedClickHouse;
import io.cxpulse.events.TicketPriority;
import io.cxpulse.jobs.aggregate.WindowKey;
import io.cxpulse.jobs.sql.Migrations;
import io.cxpulse.jobs.sql.SchemaMigrator;
import io.cxpulse.jobs.tickets.ExpectedTicketViews.BacklogRow;
import io.cxpulse.jobs.tickets.ExpectedTicketViews.Cell;
import io.cxpulse.jobs.tickets.ExpectedTicketViews.Grain;
import io.cxpulse.jobs.tickets.ExpectedTicketViews.ResponseTimesRow;
import io.cxpulse.jobs.tickets.ExpectedTicketViews.ViewKey;
import io.cxpulse.metrics.LogHistogram;
import java.lang.reflect.Array;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The ticket views against values computed in Java: hand-made window rows go into cx_ticket_window
 * through the job's own JDBC statement ({@link TicketWindowRow#TABLE}), and for every grain and
 * grouping set every column of cx_ticket_response_times_* and cx_ticket_backlog_* must equal what
 * {@link ExpectedTicketViews} computes from the newest row versions.
 */
class TicketViewsITCase {

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final long MINUTE = 60_000;
  private static final List<TicketWindowRow> ROWS = new ArrayList<>();

  /** Durations of one row, to check its percentiles against the exact quantiles. */
  private static final List<Long> KNOWN_FIRST_RESPONSES = new ArrayList<>();

  static {
    SplittableRandom random = new SplittableRandom(5);
    // A busy chat row: log-normal first responses around 3 minutes, a few breaches.
    TicketComponents busy = new TicketComponents();
    for (int i = 0; i < 1_000; i++) {
      long millis = Math.round(180_000 * Math.exp(0.9 * random.nextGaussian()));
      KNOWN_FIRST_RESPONSES.add(millis);
      busy.add(firstResponse(millis, millis > 600_000));
      busy.add(opened(false));
    }
    busy.add(breach());
    busy.add(resolved(3_600_000));
    ROWS.add(row(T0, "chat", "vip", "normal", busy));

    // Version 3 inserted before version 1 of the same key: the version decides.
    TicketComponents v3 = new TicketComponents().add(opened(false)).add(firstResponse(0, false));
    v3.add(resolved(86_400_000L * 40)); // overflow bucket (> 30.4 days)
    TicketComponents v1 = new TicketComponents().add(opened(false));
    ROWS.add(row(T0, "email", "new", "low", v3));
    ROWS.add(row(T0, "email", "new", "low", v1));

    // A breach at the deadline, then its retraction: the newest version is all zeros.
    TicketOutcome breach = breach();
    ROWS.add(row(T0.plusSeconds(60), "chat", "new", "urgent", new TicketComponents().add(breach)));
    ROWS.add(
        row(
            T0.plusSeconds(60),
            "chat",
            "new",
            "urgent",
            new TicketComponents().add(breach).add(breach.retraction())));

    // Only breaches: a rate of 100 % with its interval; and a reopened episode resolved.
    ROWS.add(
        row(
            T0.plusSeconds(120),
            "email",
            "vip",
            "high",
            new TicketComponents().add(breach()).add(breach()).add(opened(true)).add(resolved(1))));
    // Resolutions only: the backlog falls.
    TicketComponents resolving = new TicketComponents();
    for (int i = 0; i < 5; i++) {
      resolving.add(resolved(60_000L * (i + 1)));
    }
    ROWS.add(row(T0.plusSeconds(59 * 60), "chat", "vip", "normal", resolving));
    ROWS.add(
        row(
            T0.plusSeconds(65 * 60),
            "chat",
            "vip",
            "normal",
            new TicketComponents().add(firstResponse(700_000, true)).add(opened(false))));
    // The next UTC day.
    TicketComponents nextDay = new TicketComponents();
    for (int i = 0; i < 40; i++) {
      nextDay.add(opened(i % 4 == 0));
      nextDay.add(firstResponse(1_000L * (i + 1) * (i + 1), i % 3 == 0));
    }
    nextDay.add(resolved(5_000));
    ROWS.add(row(T0.plus(Duration.ofHours(14)), "web", "returning", "high", nextDay));
  }

  @TempDir static Path dataDir;

  private static EmbeddedClickHouse clickHouse;
  private static Connection connection;

  @BeforeAll
  static void startAndLoad() throws Exception {
    clickHouse = EmbeddedClickHouse.builder().dataDir(dataDir).port(0).start();
    connection = DriverManager.getConnection(clickHouse.jdbcUrl());
    new SchemaMigrator(Migrations.fromClasspath()).migrate(connection);
    // One INSERT per row, so that the versions of a key land in different parts and FINAL, not
    // an insert-time merge, has to pick the newest.
    JdbcStatementBuilder<TicketWindowRow> statement = TicketWindowRow.TABLE.statement();
    try (PreparedStatement insert =
        connection.prepareStatement(TicketWindowRow.TABLE.insertSql())) {
      for (TicketWindowRow row : ROWS) {
        statement.accept(insert, row);
        insert.executeUpdate();
      }
    }
  }

  @AfterAll
  static void stop() throws SQLException {
    if (connection != null) {
      connection.close();
    }
    if (clickHouse != null) {
      clickHouse.close();
    }
  }

  @Test
  void latestViewHoldsTheNewestVersionOfEachRowWithEveryColumn() throws SQLException {
    Map<String, TicketWindowRow> stored = new TreeMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT * FROM cx_ticket_window_latest")) {
      while (rs.next()) {
        TicketWindowRow row = new TicketWindowRow();
        row.setWindowStart(rs.getObject("window_start", OffsetDateTime.class).toInstant());
        row.setWindowEnd(rs.getObject("window_end", OffsetDateTime.class).toInstant());
        row.setChannel(rs.getString("channel"));
        row.setSegment(rs.getString("segment"));
        row.setPriority(rs.getString("priority"));
        row.setTicketsOpened(rs.getLong("tickets_opened"));
        row.setTicketsReopened(rs.getLong("tickets_reopened"));
        row.setFirstResponses(rs.getLong("first_responses"));
        row.setFirstResponseSumMillis(rs.getLong("first_response_sum_ms"));
        row.setFirstResponseBuckets(ints(rs.getArray("first_response_buckets").getArray()));
        row.setFirstResponseCounts(longs(rs.getArray("first_response_counts").getArray()));
        row.setSlaMet(rs.getLong("sla_met"));
        row.setSlaBreached(rs.getLong("sla_breached"));
        row.setSlaBreachedUnanswered(rs.getLong("sla_breached_unanswered"));
        row.setResolved(rs.getLong("resolved"));
        row.setResolutionSumMillis(rs.getLong("resolution_sum_ms"));
        row.setResolutionBuckets(ints(rs.getArray("resolution_buckets").getArray()));
        row.setResolutionCounts(longs(rs.getArray("resolution_counts").getArray()));
        row.setBacklogDelta(rs.getLong("backlog_delta"));
        row.setAwaitingFirstResponseDelta(rs.getLong("awaiting_first_response_delta"));
        row.setVersion(rs.getLong("version"));
        assertThat(stored.put(key(row), row)).as("one row per key").isNull();
      }
    }
    // Every newest row but those whose facts were all taken back (V009).
    Map<String, TicketWindowRow> withFacts = new TreeMap<>(newest());
    withFacts.values().removeIf(row -> row.getVersion() > 0 && !cellOf(row).hasFacts());
    assertThat(withFacts).as("a row without facts was stored").hasSizeLessThan(newest().size());
    assertThat(stored).isEqualTo(withFacts);
    // Version 3 (three facts) won over version 1, which was inserted after it.
    assertThat(stored.get(key(ROWS.get(1))).getVersion()).isEqualTo(3);
  }

  @ParameterizedTest
  @EnumSource(Grain.class)
  void responseTimesAgreeWithJavaForEveryGroupingSet(Grain grain) throws SQLException {
    Map<ViewKey, Cell> expected = ExpectedTicketViews.rollUp(windowCells(), grain);
    Map<ViewKey, ResponseTimesRow> actual =
        ExpectedTicketViews.readResponseTimes(
            connection, "cx_ticket_response_times_" + grain.suffix());

    ExpectedTicketViews.assertResponseTimes(expected, actual, false);
    // Eight grouping sets: the next day's bucket holds a single key, so exactly eight rows.
    Instant nextDay = grain.truncate.apply(T0.plus(Duration.ofHours(14)));
    assertThat(actual.keySet().stream().filter(k -> k.bucketStart().equals(nextDay)).count())
        .isEqualTo(8);
    // The all-zero row of the retracted breach is no row: nothing happened there.
    if (grain == Grain.MINUTE) {
      assertThat(actual)
          .doesNotContainKey(new ViewKey(T0.plusSeconds(60), "chat", "new", "urgent"));
    }
    // The parameterised view is the same SQL.
    Map<ViewKey, ResponseTimesRow> parameterised =
        ExpectedTicketViews.readResponseTimes(
            connection, "cx_ticket_response_times(grain = '" + grain.suffix() + "')");
    assertThat(parameterised).usingRecursiveComparison().isEqualTo(actual);
  }

  @ParameterizedTest
  @EnumSource(Grain.class)
  void backlogIsTheRunningSumOfOpenedMinusResolved(Grain grain) throws SQLException {
    Map<ViewKey, Cell> expected = ExpectedTicketViews.rollUp(windowCells(), grain);
    Map<ViewKey, BacklogRow> actual =
        ExpectedTicketViews.readBacklog(connection, "cx_ticket_backlog_" + grain.suffix());

    ExpectedTicketViews.assertBacklog(expected, actual, grain);
    assertThat(
            ExpectedTicketViews.readBacklog(
                connection, "cx_ticket_backlog(grain = '" + grain.suffix() + "')"))
        .isEqualTo(actual);
  }

  @Test
  void backlogValuesDoNotChangeWhenAQueryFiltersTheView() throws SQLException {
    Map<ViewKey, BacklogRow> all =
        ExpectedTicketViews.readBacklog(connection, "cx_ticket_backlog_minute");
    Map<ViewKey, BacklogRow> later =
        ExpectedTicketViews.readBacklog(
            connection,
            "cx_ticket_backlog_minute WHERE bucket_start >= toDateTime('2026-03-01 10:30:00', 'UTC')"
                + " AND channel = 'chat'");

    assertThat(later).isNotEmpty();
    later.forEach((key, row) -> assertThat(row).as("%s", key).isEqualTo(all.get(key)));
    // chat/vip/normal: 1,000 opened at 10:00, 1 resolved; 5 resolved at 10:59; 1 opened at 11:05.
    assertThat(all.get(new ViewKey(T0.plusSeconds(59 * 60), "chat", "vip", "normal")).openAtEnd())
        .isEqualTo(994);
    assertThat(later.get(new ViewKey(T0.plusSeconds(65 * 60), "chat", "vip", "normal")).openAtEnd())
        .isEqualTo(995);
  }

  @Test
  void percentilesAreWithinTheStatedBoundOfTheExactQuantiles() throws SQLException {
    ResponseTimesRow row =
        ExpectedTicketViews.readResponseTimes(connection, "cx_ticket_response_times_minute")
            .get(new ViewKey(T0, "chat", "vip", "normal"));
    List<Long> sorted = new ArrayList<>(KNOWN_FIRST_RESPONSES);
    Collections.sort(sorted);
    for (int i = 0; i < ExpectedTicketViews.QUANTILES.length; i++) {
      long exact =
          sorted.get((int) LogHistogram.rank(ExpectedTicketViews.QUANTILES[i], sorted.size()) - 1);
      double reported = row.firstResponseQuantiles()[i];
      assertThat(Math.abs(reported - exact) / exact)
          .as("p%s: %s ms vs exact %s ms", ExpectedTicketViews.QUANTILES[i], reported, exact)
          .isLessThanOrEqualTo(LogHistogram.RELATIVE_ERROR_BOUND);
    }
    assertThat(row.firstResponses()).isEqualTo(1_000);
  }

  /** The newest version of each key, by "window_start channel/segment/priority". */
  private static Map<String, TicketWindowRow> newest() {
    return ROWS.stream()
        .collect(
            Collectors.toMap(
                TicketViewsITCase::key,
                r -> r,
                (a, b) -> a.getVersion() >= b.getVersion() ? a : b,
                LinkedHashMap::new));
  }

  private static Cell cellOf(TicketWindowRow row) {
    Cell cell = new Cell();
    cell.addRow(row);
    return cell;
  }

  private static Map<ViewKey, Cell> windowCells() {
    Map<ViewKey, Cell> cells = new TreeMap<>();
    for (TicketWindowRow row : newest().values()) {
      Cell cell = new Cell();
      cell.addRow(row);
      if (!cell.hasFacts()) {
        continue;
      }
      cells.put(
          new ViewKey(row.getWindowStart(), row.getChannel(), row.getSegment(), row.getPriority()),
          cell);
    }
    return cells;
  }

  private static String key(TicketWindowRow row) {
    return row.getWindowStart()
        + " "
        + row.getChannel()
        + "/"
        + row.getSegment()
        + "/"
        + row.getPriority();
  }

  private static TicketWindowRow row(
      Instant windowStart, String channel, String segment, String priority, TicketComponents c) {
    return TicketWindowRow.of(
        WindowKey.of(windowStart.toEpochMilli(), channel, segment, priority),
        windowStart.toEpochMilli() + MINUTE,
        c);
  }

  private static TicketOutcome fact(TicketOutcomeKind kind) {
    TicketOutcome fact = new TicketOutcome();
    fact.setTicketId("t");
    fact.setKind(kind);
    fact.setVersion(1);
    fact.setSign(TicketOutcome.ADD);
    fact.setAt(T0);
    fact.setOpenedAt(T0);
    fact.setChannel("chat");
    fact.setSegment("vip");
    fact.setPriority(TicketPriority.NORMAL);
    return fact;
  }

  private static TicketOutcome opened(boolean reopened) {
    TicketOutcome fact = fact(TicketOutcomeKind.OPENED);
    fact.setReopened(reopened);
    return fact;
  }

  private static TicketOutcome firstResponse(long millis, boolean breached) {
    TicketOutcome fact = fact(TicketOutcomeKind.FIRST_RESPONSE);
    fact.setDurationMillis(millis);
    fact.setSlaBreached(breached);
    return fact;
  }

  private static TicketOutcome breach() {
    TicketOutcome fact = fact(TicketOutcomeKind.SLA_BREACHED_UNANSWERED);
    fact.setSlaBreached(true);
    return fact;
  }

  private static TicketOutcome resolved(long millis) {
    TicketOutcome fact = fact(TicketOutcomeKind.RESOLVED);
    fact.setDurationMillis(millis);
    return fact;
  }

  private static int[] ints(Object array) {
    int[] values = new int[Array.getLength(array)];
    for (int i = 0; i < values.length; i++) {
      values[i] = ((Number) Array.get(array, i)).intValue();
    }
    return values;
  }

  private static long[] longs(Object array) {
    long[] values = new long[Array.getLength(array)];
    for (int i = 0; i < values.length; i++) {
      values[i] = ((Number) Array.get(array, i)).longValue();
    }
    return values;
  }
}
