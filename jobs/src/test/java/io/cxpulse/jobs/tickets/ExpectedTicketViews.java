package io.cxpulse.jobs.tickets;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.jobs.generator.GeneratedTicket;
import io.cxpulse.jobs.pipeline.Dimensions;
import io.cxpulse.metrics.ConfidenceInterval;
import io.cxpulse.metrics.Intervals;
import io.cxpulse.metrics.LogHistogram;
import java.lang.reflect.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The ticket views' expected values, computed in Java from window cells (sums of facts per window ×
 * channel × segment × priority), and the views' actual rows read back from ClickHouse, for {@link
 * TicketViewsITCase} and {@link TicketPipelineITCase}.
 *
 * <p>The expectation is computed here, independently of the SQL: the eight grouping sets by plain
 * loops, percentiles with {@link LogHistogram#quantile} (the rule the view's comment states),
 * averages as sum ÷ count, the breach rate's interval with {@link Intervals#wilson}, and the
 * backlog as a running sum per series.
 */
public final class ExpectedTicketViews {

  /** Relative tolerance for derived doubles: same formulas, but pow may differ in the last bit. */
  static final double RELATIVE_TOLERANCE = 1e-9;

  static final String ALL = "all";

  static final double[] QUANTILES = {0.5, 0.9, 0.95};

  private ExpectedTicketViews() {}

  /** A view's time grain and how Java truncates a window start to it (UTC). */
  enum Grain {
    MINUTE(t -> t.truncatedTo(ChronoUnit.MINUTES), 60_000L),
    HOUR(t -> t.truncatedTo(ChronoUnit.HOURS), 3_600_000L),
    DAY(t -> t.atOffset(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS).toInstant(), 86_400_000L);

    final UnaryOperator<Instant> truncate;
    final long millis;

    Grain(UnaryOperator<Instant> truncate, long millis) {
      this.truncate = truncate;
      this.millis = millis;
    }

    String suffix() {
      return name().toLowerCase();
    }
  }

  /** A row key of a view: bucket and the three dimensions ({@value #ALL} when rolled up). */
  record ViewKey(Instant bucketStart, String channel, String segment, String priority)
      implements Comparable<ViewKey> {

    private static final Comparator<ViewKey> ORDER =
        Comparator.comparing(ViewKey::bucketStart)
            .thenComparing(ViewKey::channel)
            .thenComparing(ViewKey::segment)
            .thenComparing(ViewKey::priority);

    /** The series: the dimensions without the bucket. */
    String series() {
      return channel + "/" + segment + "/" + priority;
    }

    @Override
    public int compareTo(ViewKey other) {
      return ORDER.compare(this, other);
    }
  }

  /**
   * Summed components of some facts. Durations are kept raw as well when known (facts from ground
   * truth), to check percentiles against the exact quantiles.
   */
  static final class Cell {
    long opened;
    long reopened;
    long slaMet;
    long slaBreached;
    long slaBreachedUnanswered;
    long resolved;
    long awaitingDelta;
    LogHistogram firstResponses = new LogHistogram();
    LogHistogram resolutions = new LogHistogram();
    final List<Long> rawFirstResponses = new ArrayList<>();
    final List<Long> rawResolutions = new ArrayList<>();
    boolean raw = true;

    void addFirstResponse(long millis) {
      firstResponses.add(millis);
      rawFirstResponses.add(millis);
    }

    void addResolution(long millis) {
      resolved++;
      resolutions.add(millis);
      rawResolutions.add(millis);
    }

    /** Adds a stored row's components (raw durations unknown from here on). */
    void addRow(TicketWindowRow row) {
      opened += row.getTicketsOpened();
      reopened += row.getTicketsReopened();
      slaMet += row.getSlaMet();
      slaBreached += row.getSlaBreached();
      slaBreachedUnanswered += row.getSlaBreachedUnanswered();
      resolved += row.getResolved();
      awaitingDelta += row.getAwaitingFirstResponseDelta();
      firstResponses.merge(row.firstResponseHistogram());
      resolutions.merge(row.resolutionHistogram());
      raw = false;
    }

    Cell merge(Cell other) {
      opened += other.opened;
      reopened += other.reopened;
      slaMet += other.slaMet;
      slaBreached += other.slaBreached;
      slaBreachedUnanswered += other.slaBreachedUnanswered;
      resolved += other.resolved;
      awaitingDelta += other.awaitingDelta;
      firstResponses.merge(other.firstResponses);
      resolutions.merge(other.resolutions);
      rawFirstResponses.addAll(other.rawFirstResponses);
      rawResolutions.addAll(other.rawResolutions);
      raw &= other.raw;
      return this;
    }

    long backlogDelta() {
      return opened + reopened - resolved;
    }

    /** Whether any fact is left: a window row without one is no row in the views (V009). */
    boolean hasFacts() {
      return opened != 0
          || reopened != 0
          || slaMet != 0
          || slaBreached != 0
          || slaBreachedUnanswered != 0
          || resolved != 0
          || !firstResponses.isEmpty();
    }
  }

  /**
   * Asserts that the minute and hour response-time views and the minute backlog view hold exactly
   * the rows {@code tickets} give with windows of {@code window}, every grouping set; for tests
   * outside this package (the cluster's). Returns the number of minute rows compared.
   */
  public static int assertViewsMatch(
      Connection connection, List<GeneratedTicket> tickets, Duration window) throws SQLException {
    Map<ViewKey, Cell> windows = windowCells(tickets, window);
    Map<ViewKey, Cell> minutes = rollUp(windows, Grain.MINUTE);
    int minuteRows =
        assertResponseTimes(
            minutes, readResponseTimes(connection, "cx_ticket_response_times_minute"), true);
    assertResponseTimes(
        rollUp(windows, Grain.HOUR),
        readResponseTimes(connection, "cx_ticket_response_times_hour"),
        true);
    assertBacklog(minutes, readBacklog(connection, "cx_ticket_backlog_minute"), Grain.MINUTE);
    return minuteRows;
  }

  /**
   * The expected window cells, from the ground truth and the documented definitions: each ticket
   * counts as opened in the window of its opening and each reopen as a reopened episode in the
   * window of the reopen; each resolution with its episode's resolution time in the window of the
   * resolution; the first agent reply with its first-response time in its window, as met if it came
   * by the deadline; a breach once, at the deadline if the ticket was still waiting then, else at
   * the late reply. Channel, segment and priority are the opening's.
   */
  static Map<ViewKey, Cell> windowCells(List<GeneratedTicket> tickets, Duration window) {
    Map<ViewKey, Cell> cells = new TreeMap<>();
    for (GeneratedTicket ticket : tickets) {
      for (GeneratedTicket.Episode episode : ticket.episodes()) {
        Cell opened = cell(cells, ticket, episode.start(), window);
        if (episode.reopened()) {
          opened.reopened++;
        } else {
          opened.opened++;
        }
        if (episode.resolvedAt() != null) {
          cell(cells, ticket, episode.resolvedAt(), window)
              .addResolution(episode.resolutionTime().orElseThrow().toMillis());
        }
      }
      // The original episode waits for a first response within its SLA from its opening until
      // its deadline (breached there), else until its on-time reply or its resolution, whichever
      // came first.
      GeneratedTicket.Episode original = ticket.episodes().get(0);
      if (!original.reopened()) {
        cell(cells, ticket, original.start(), window).awaitingDelta++;
        Instant waitEnd;
        if (ticket.slaVerdict() == GeneratedTicket.SlaVerdict.BREACHED_AT_DEADLINE) {
          waitEnd = ticket.deadline();
        } else {
          Instant reply = ticket.firstAgentReplyAt();
          Instant resolved = original.resolvedAt();
          boolean replyOnTime = reply != null && !reply.isAfter(ticket.deadline());
          waitEnd =
              replyOnTime && (resolved == null || !reply.isAfter(resolved)) ? reply : resolved;
        }
        cell(cells, ticket, waitEnd, window).awaitingDelta--;
      }
      if (ticket.firstAgentReplyAt() != null) {
        Cell reply = cell(cells, ticket, ticket.firstAgentReplyAt(), window);
        reply.addFirstResponse(ticket.firstResponseTime().orElseThrow().toMillis());
        if (ticket.slaVerdict() == GeneratedTicket.SlaVerdict.MET) {
          reply.slaMet++;
        }
      }
      switch (ticket.slaVerdict()) {
        case BREACHED_AT_DEADLINE -> {
          Cell breach = cell(cells, ticket, ticket.deadline(), window);
          breach.slaBreached++;
          breach.slaBreachedUnanswered++;
        }
        case BREACHED_AT_REPLY ->
            cell(cells, ticket, ticket.firstAgentReplyAt(), window).slaBreached++;
        case MET, NONE -> {}
      }
    }
    return cells;
  }

  private static Cell cell(
      Map<ViewKey, Cell> cells, GeneratedTicket ticket, Instant at, Duration window) {
    return cells.computeIfAbsent(windowKey(ticket, at, window), k -> new Cell());
  }

  static ViewKey windowKey(GeneratedTicket ticket, Instant at, Duration window) {
    long millis = at.toEpochMilli();
    long start = millis - Math.floorMod(millis, window.toMillis());
    return new ViewKey(
        Instant.ofEpochMilli(start),
        Dimensions.channel(ticket.channel()),
        ticket.segment(),
        TicketJob.priority(ticket.priority()));
  }

  /** Every grouping set of (channel, segment, priority) per bucket of {@code grain}. */
  static Map<ViewKey, Cell> rollUp(Map<ViewKey, Cell> windowCells, Grain grain) {
    Map<ViewKey, Cell> rolled = new TreeMap<>();
    for (Map.Entry<ViewKey, Cell> entry : windowCells.entrySet()) {
      ViewKey w = entry.getKey();
      Instant bucket = grain.truncate.apply(w.bucketStart());
      for (String channel : List.of(w.channel(), ALL)) {
        for (String segment : List.of(w.segment(), ALL)) {
          for (String priority : List.of(w.priority(), ALL)) {
            rolled
                .computeIfAbsent(new ViewKey(bucket, channel, segment, priority), k -> new Cell())
                .merge(entry.getValue());
          }
        }
      }
    }
    return rolled;
  }

  /** A row of cx_ticket_response_times*, as read. */
  record ResponseTimesRow(
      long ticketsOpened,
      long ticketsReopened,
      long firstResponses,
      long firstResponseSumMillis,
      Double firstResponseAvg,
      Double[] firstResponseQuantiles,
      long[] firstResponseBuckets,
      long[] firstResponseCounts,
      long slaMet,
      long slaBreached,
      long slaBreachedUnanswered,
      Double breachRatePct,
      Double breachRateCiLow,
      Double breachRateCiHigh,
      long resolved,
      long resolutionSumMillis,
      Double resolutionAvg,
      Double[] resolutionQuantiles,
      long[] resolutionBuckets,
      long[] resolutionCounts,
      long backlogDelta) {

    boolean isEmpty() {
      return ticketsOpened == 0
          && ticketsReopened == 0
          && firstResponses == 0
          && firstResponseSumMillis == 0
          && firstResponseBuckets.length == 0
          && slaMet == 0
          && slaBreached == 0
          && slaBreachedUnanswered == 0
          && resolved == 0
          && resolutionSumMillis == 0
          && resolutionBuckets.length == 0
          && backlogDelta == 0;
    }
  }

  /** A row of cx_ticket_backlog*, as read. */
  record BacklogRow(
      Instant bucketEnd,
      long opened,
      long resolved,
      long backlogDelta,
      long openAtEnd,
      long awaitingDelta,
      long awaitingAtEnd) {}

  /** Every row of {@code from} (a response-times view or view call), by key. */
  static Map<ViewKey, ResponseTimesRow> readResponseTimes(Connection connection, String from)
      throws SQLException {
    Map<ViewKey, ResponseTimesRow> rows = new TreeMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT toUnixTimestamp(bucket_start) AS bucket_epoch, * FROM " + from)) {
      while (rs.next()) {
        ViewKey key = key(rs);
        ResponseTimesRow row =
            new ResponseTimesRow(
                rs.getLong("tickets_opened"),
                rs.getLong("tickets_reopened"),
                rs.getLong("first_responses"),
                rs.getLong("first_response_sum_ms"),
                nullableDouble(rs, "first_response_avg_ms"),
                new Double[] {
                  nullableDouble(rs, "first_response_p50_ms"),
                  nullableDouble(rs, "first_response_p90_ms"),
                  nullableDouble(rs, "first_response_p95_ms")
                },
                longs(rs.getArray("first_response_buckets").getArray()),
                longs(rs.getArray("first_response_counts").getArray()),
                rs.getLong("sla_met"),
                rs.getLong("sla_breached"),
                rs.getLong("sla_breached_unanswered"),
                nullableDouble(rs, "breach_rate_pct"),
                nullableDouble(rs, "breach_rate_ci_low"),
                nullableDouble(rs, "breach_rate_ci_high"),
                rs.getLong("resolved"),
                rs.getLong("resolution_sum_ms"),
                nullableDouble(rs, "resolution_avg_ms"),
                new Double[] {
                  nullableDouble(rs, "resolution_p50_ms"),
                  nullableDouble(rs, "resolution_p90_ms"),
                  nullableDouble(rs, "resolution_p95_ms")
                },
                longs(rs.getArray("resolution_buckets").getArray()),
                longs(rs.getArray("resolution_counts").getArray()),
                rs.getLong("backlog_delta"));
        assertThat(rows.put(key, row)).as("one row per key: %s", key).isNull();
      }
    }
    return rows;
  }

  /** Every row of {@code from} (a backlog view or view call), by key. */
  static Map<ViewKey, BacklogRow> readBacklog(Connection connection, String from)
      throws SQLException {
    Map<ViewKey, BacklogRow> rows = new TreeMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT toUnixTimestamp(bucket_start) AS bucket_epoch,"
                    + " toUnixTimestamp(bucket_end) AS bucket_end_epoch, * FROM "
                    + from)) {
      while (rs.next()) {
        ViewKey key = key(rs);
        BacklogRow row =
            new BacklogRow(
                Instant.ofEpochSecond(rs.getLong("bucket_end_epoch")),
                rs.getLong("opened"),
                rs.getLong("resolved"),
                rs.getLong("backlog_delta"),
                rs.getLong("open_at_end"),
                rs.getLong("awaiting_first_response_delta"),
                rs.getLong("awaiting_first_response"));
        assertThat(rows.put(key, row)).as("one backlog row per key: %s", key).isNull();
      }
    }
    return rows;
  }

  /**
   * Every expected row is in the view with every value as computed here; a view row without an
   * expectation must be empty (a window whose facts were all retracted still has a row, of zeros).
   *
   * @param exactQuantileBound also check each percentile against the exact nearest-rank quantile of
   *     the raw durations, within {@link LogHistogram#RELATIVE_ERROR_BOUND}
   * @return how many rows were compared with an expectation
   */
  static int assertResponseTimes(
      Map<ViewKey, Cell> expected,
      Map<ViewKey, ResponseTimesRow> actual,
      boolean exactQuantileBound) {
    assertThat(missing(expected.keySet(), actual.keySet()))
        .as("expected rows missing from the view")
        .isEmpty();
    for (Map.Entry<ViewKey, ResponseTimesRow> entry : actual.entrySet()) {
      if (!expected.containsKey(entry.getKey())) {
        assertThat(entry.getValue().isEmpty())
            .as("a view row without facts is empty: %s %s", entry.getKey(), entry.getValue())
            .isTrue();
      }
    }
    for (Map.Entry<ViewKey, Cell> entry : expected.entrySet()) {
      assertRow(entry.getKey(), entry.getValue(), actual.get(entry.getKey()), exactQuantileBound);
    }
    return expected.size();
  }

  private static void assertRow(
      ViewKey key, Cell cell, ResponseTimesRow row, boolean exactQuantileBound) {
    String k = key.bucketStart() + " " + key.series();
    assertThat(row.ticketsOpened()).as("%s tickets_opened", k).isEqualTo(cell.opened);
    assertThat(row.ticketsReopened()).as("%s tickets_reopened", k).isEqualTo(cell.reopened);
    assertThat(row.firstResponses())
        .as("%s first_responses", k)
        .isEqualTo(cell.firstResponses.count());
    assertThat(row.firstResponseSumMillis())
        .as("%s first_response_sum_ms", k)
        .isEqualTo(cell.firstResponses.sum());
    assertHistogram(
        k + " first_response",
        cell.firstResponses,
        row.firstResponseBuckets(),
        row.firstResponseCounts());
    assertClose(k + " first_response_avg_ms", row.firstResponseAvg(), mean(cell.firstResponses));
    assertQuantiles(
        k + " first_response",
        cell.firstResponses,
        row.firstResponseQuantiles(),
        exactQuantileBound && cell.raw ? cell.rawFirstResponses : null);
    assertThat(row.slaMet()).as("%s sla_met", k).isEqualTo(cell.slaMet);
    assertThat(row.slaBreached()).as("%s sla_breached", k).isEqualTo(cell.slaBreached);
    assertThat(row.slaBreachedUnanswered())
        .as("%s sla_breached_unanswered", k)
        .isEqualTo(cell.slaBreachedUnanswered);
    long verdicts = cell.slaMet + cell.slaBreached;
    if (verdicts == 0) {
      assertThat(row.breachRatePct()).as("%s breach_rate_pct", k).isNull();
      assertThat(row.breachRateCiLow()).as("%s breach_rate_ci_low", k).isNull();
      assertThat(row.breachRateCiHigh()).as("%s breach_rate_ci_high", k).isNull();
    } else {
      ConfidenceInterval ci = Intervals.wilson(cell.slaBreached, verdicts, Intervals.Z_95);
      assertClose(k + " breach_rate_pct", row.breachRatePct(), 100.0 * cell.slaBreached / verdicts);
      assertClose(k + " breach_rate_ci_low", row.breachRateCiLow(), 100 * ci.lower());
      assertClose(k + " breach_rate_ci_high", row.breachRateCiHigh(), 100 * ci.upper());
    }
    assertThat(row.resolved()).as("%s resolved", k).isEqualTo(cell.resolved);
    assertThat(row.resolved())
        .as("%s resolved = histogram count", k)
        .isEqualTo(cell.resolutions.count());
    assertThat(row.resolutionSumMillis())
        .as("%s resolution_sum_ms", k)
        .isEqualTo(cell.resolutions.sum());
    assertHistogram(
        k + " resolution", cell.resolutions, row.resolutionBuckets(), row.resolutionCounts());
    assertClose(k + " resolution_avg_ms", row.resolutionAvg(), mean(cell.resolutions));
    assertQuantiles(
        k + " resolution",
        cell.resolutions,
        row.resolutionQuantiles(),
        exactQuantileBound && cell.raw ? cell.rawResolutions : null);
    assertThat(row.backlogDelta()).as("%s backlog_delta", k).isEqualTo(cell.backlogDelta());
  }

  private static Double mean(LogHistogram histogram) {
    return histogram.isEmpty() ? null : histogram.mean().getAsDouble();
  }

  private static void assertHistogram(
      String what, LogHistogram expected, long[] buckets, long[] counts) {
    assertThat(buckets)
        .as("%s buckets", what)
        .containsExactly(Arrays.stream(expected.bucketIndexes()).asLongStream().toArray());
    assertThat(counts).as("%s counts", what).containsExactly(expected.bucketCounts());
  }

  private static void assertQuantiles(
      String what, LogHistogram histogram, Double[] actual, List<Long> raw) {
    List<Long> sorted = null;
    if (raw != null) {
      sorted = new ArrayList<>(raw);
      Collections.sort(sorted);
    }
    for (int i = 0; i < QUANTILES.length; i++) {
      double q = QUANTILES[i];
      String name = what + " p" + Math.round(q * 100);
      if (histogram.isEmpty()) {
        assertThat(actual[i]).as(name).isNull();
        continue;
      }
      double estimate = histogram.quantile(q).getAsDouble();
      assertClose(name, actual[i], estimate);
      if (sorted != null
          && histogram.quantileBucket(q).getAsInt() != LogHistogram.OVERFLOW_BUCKET) {
        long exact = sorted.get((int) LogHistogram.rank(q, sorted.size()) - 1);
        if (exact == 0) {
          assertThat(actual[i]).as("%s of zeros", name).isZero();
        } else {
          assertThat(Math.abs(actual[i] - exact) / exact)
              .as("%s against the exact quantile %d ms", name, exact)
              .isLessThanOrEqualTo(LogHistogram.RELATIVE_ERROR_BOUND + 1e-12);
        }
      }
    }
  }

  private static void assertClose(String what, Double actual, Double expected) {
    if (expected == null) {
      assertThat(actual).as(what).isNull();
      return;
    }
    assertThat(actual).as(what).isNotNull();
    double tolerance = RELATIVE_TOLERANCE * Math.max(1.0, Math.abs(expected));
    assertThat(Math.abs(actual - expected))
        .as("%s: %s vs expected %s", what, actual, expected)
        .isLessThanOrEqualTo(tolerance);
  }

  /**
   * Every expected (bucket, series) is in the backlog view with its opened, resolved and delta;
   * every row's open_at_end is the running sum of the expected deltas of its series up to its
   * bucket; rows without an expectation (windows whose facts were all retracted) have no delta.
   *
   * @return how many rows were compared
   */
  static int assertBacklog(
      Map<ViewKey, Cell> rolledUp, Map<ViewKey, BacklogRow> actual, Grain grain) {
    Map<String, NavigableMap<Instant, Long>> running = new TreeMap<>();
    Map<String, NavigableMap<Instant, Long>> awaiting = new TreeMap<>();
    for (Map.Entry<ViewKey, Cell> entry : rolledUp.entrySet()) { // in bucket order per series
      NavigableMap<Instant, Long> series =
          running.computeIfAbsent(entry.getKey().series(), s -> new TreeMap<>());
      long before = series.isEmpty() ? 0 : series.lastEntry().getValue();
      series.put(entry.getKey().bucketStart(), before + entry.getValue().backlogDelta());
      NavigableMap<Instant, Long> waiting =
          awaiting.computeIfAbsent(entry.getKey().series(), s -> new TreeMap<>());
      long waitingBefore = waiting.isEmpty() ? 0 : waiting.lastEntry().getValue();
      waiting.put(entry.getKey().bucketStart(), waitingBefore + entry.getValue().awaitingDelta);
    }
    assertThat(missing(rolledUp.keySet(), actual.keySet()))
        .as("expected rows missing from the backlog view")
        .isEmpty();
    for (Map.Entry<ViewKey, BacklogRow> entry : actual.entrySet()) {
      ViewKey key = entry.getKey();
      BacklogRow row = entry.getValue();
      String k = key.bucketStart() + " " + key.series();
      Cell cell = rolledUp.get(key);
      assertThat(row.bucketEnd())
          .as("%s bucket_end", k)
          .isEqualTo(key.bucketStart().plusMillis(grain.millis));
      assertThat(row.opened())
          .as("%s opened", k)
          .isEqualTo(cell == null ? 0 : cell.opened + cell.reopened);
      assertThat(row.resolved()).as("%s resolved", k).isEqualTo(cell == null ? 0 : cell.resolved);
      assertThat(row.backlogDelta())
          .as("%s backlog_delta", k)
          .isEqualTo(cell == null ? 0 : cell.backlogDelta());
      NavigableMap<Instant, Long> series = running.get(key.series());
      Map.Entry<Instant, Long> upTo = series == null ? null : series.floorEntry(key.bucketStart());
      assertThat(row.openAtEnd())
          .as("%s open_at_end", k)
          .isEqualTo(upTo == null ? 0 : upTo.getValue());
      assertThat(row.awaitingDelta())
          .as("%s awaiting_first_response_delta", k)
          .isEqualTo(cell == null ? 0 : cell.awaitingDelta);
      NavigableMap<Instant, Long> waiting = awaiting.get(key.series());
      Map.Entry<Instant, Long> waitingUpTo =
          waiting == null ? null : waiting.floorEntry(key.bucketStart());
      assertThat(row.awaitingAtEnd())
          .as("%s awaiting_first_response", k)
          .isEqualTo(waitingUpTo == null ? 0 : waitingUpTo.getValue());
    }
    return actual.size();
  }

  /**
   * The keys of {@code expected} not in {@code actual} (a set difference; AssertJ's containsAll is
   * quadratic).
   */
  private static List<ViewKey> missing(Set<ViewKey> expected, Set<ViewKey> actual) {
    List<ViewKey> missing = new ArrayList<>();
    for (ViewKey key : expected) {
      if (!actual.contains(key)) {
        missing.add(key);
      }
    }
    return missing;
  }

  private static ViewKey key(ResultSet rs) throws SQLException {
    return new ViewKey(
        Instant.ofEpochSecond(rs.getLong("bucket_epoch")),
        rs.getString("channel"),
        rs.getString("segment"),
        rs.getString("priority"));
  }

  private static Double nullableDouble(ResultSet rs, String column) throws SQLException {
    double value = rs.getDouble(column);
    return rs.wasNull() ? null : value;
  }

  private static long[] longs(Object array) {
    long[] values = new long[Array.getLength(array)];
    for (int i = 0; i < values.length; i++) {
      values[i] = ((Number) Array.get(array, i)).longValue();
    }
    return values;
  }
}
