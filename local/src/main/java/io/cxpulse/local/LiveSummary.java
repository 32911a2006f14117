package io.cxpulse.local;

import io.cxpulse.jobs.generator.live.LiveTraffic;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Prints a compact summary every few seconds: what the generator sent, what ClickHouse holds, the
 * scores of the last complete minute for all channels and each channel, the open alerts and the
 * latest alert state changes, the driver split (CSAT after SLA met vs breached), and the dead
 * letters by job and reason. Reads ClickHouse through JDBC, like any BI tool.
 */
final class LiveSummary implements AutoCloseable {

  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter MINUTE =
      DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);
  private static final String ROW = "  %-13s %9s %7s %7s %9s";

  static final String TOTALS_QUERY =
      "SELECT count() AS window_rows, sum(csat_total + nps_total + ces_count) AS responses"
          + " FROM cx_survey_window_latest";

  /**
   * How far each job's windows are complete, as the jobs say it (cx_job_progress): the summary
   * shows the newest complete minute of each table, never one still filling nor the partial first
   * minute of a run.
   */
  static final String PROGRESS_QUERY =
      "SELECT table_name, toUnixTimestamp(complete_before) AS complete_before,"
          + " toUnixTimestamp(ifNull(run_first_window, toDateTime64(0, 3))) AS run_first_window"
          + " FROM cx_job_progress_latest";

  static final String MINUTE_QUERY =
      "SELECT channel, csat_total + nps_total + ces_count AS responses, csat_pct, nps, ces_mean"
          + " FROM cx_survey_scores_minute"
          + " WHERE segment = 'all' AND toUnixTimestamp(bucket_start) = %d"
          + " ORDER BY channel = 'all' DESC, responses DESC, channel";

  /** Checkouts started and not decided yet, over all windows (cx_checkout_window.pending). */
  static final String OPEN_CHECKOUTS_QUERY =
      "SELECT sum(pending) AS pending FROM cx_checkout_window_latest";

  static final String CHECKOUT_QUERY =
      "SELECT channel, started, abandoned, abandonment_pct FROM cx_checkout_abandonment_minute"
          + " WHERE segment = 'all' AND toUnixTimestamp(bucket_start) = %d"
          + " ORDER BY channel = 'all' DESC, started DESC, channel";

  static final String TICKET_QUERY =
      "SELECT channel, first_responses, first_response_p90_ms, breach_rate_pct"
          + " FROM cx_ticket_response_times_minute"
          + " WHERE segment = 'all' AND priority = 'all' AND toUnixTimestamp(bucket_start) = %d"
          + " AND (first_responses > 0 OR channel = 'all')"
          + " ORDER BY channel = 'all' DESC, first_responses DESC, channel";

  /** At most this many open alerts and this many latest state changes are listed. */
  static final int MAX_ALERT_LINES = 5;

  static final String OPEN_ALERTS_QUERY =
      "SELECT 'FIRING' AS status, severity, rule_id, metric, channel, segment, value,"
          + " toUnixTimestamp64Milli(since) AS at_ms FROM cx_alerts_open";

  static final String ALERT_CHANGES_QUERY =
      "SELECT status, severity, rule_id, metric, channel, segment, value,"
          + " toUnixTimestamp64Milli(window_end) AS at_ms FROM cx_alerts FINAL"
          + " ORDER BY window_end DESC, status = 'FIRING', rule_id, channel, segment LIMIT "
          + MAX_ALERT_LINES;

  /**
   * The latest evaluation of every rule on every series: firing ones first, then those waiting for
   * data (min_samples, a baseline), so a rule that has not fired says why.
   */
  static final String RULE_STATUS_QUERY =
      "SELECT rule_id, metric, channel, segment, verdict, value, samples, waiting_for, firing"
          + " FROM cx_alert_rule_status"
          + " ORDER BY firing DESC, waiting_for != '' DESC, rule_id, channel, segment";

  static final String DRIVER_QUERY =
      "SELECT responses, csat_total_met, csat_total_breached, csat_met_pct, csat_breached_pct"
          + " FROM cx_driver_split WHERE channel = 'all' AND segment = 'all' AND frt_bucket = 'all'";

  /** Every job's dead letters by reason: a record two jobs dropped counts once for each. */
  static final String DEAD_LETTER_QUERY =
      "SELECT job, reason, count() AS n FROM cx_dead_letters FINAL"
          + " GROUP BY job, reason ORDER BY job, reason";

  private final String jdbcUrl;
  // As any BI tool: the read-only user.
  private final Properties credentials;
  private final Duration interval;
  private final Duration checkoutTimeout;
  private final Supplier<String> jobStatus;
  private final Supplier<LiveTraffic.Counts> traffic;
  private final PrintStream out;
  // Null: append each summary (a log, a pipe); else redraw the screen with this above it.
  private final String screenHeader;
  private final ScheduledExecutorService scheduler;
  private Connection connection;
  private volatile boolean closed;

  /**
   * @param checkoutTimeout the checkout job's inactivity timeout: a minute's abandonment is only
   *     final that long after it, so the summary shows the latest minute that old
   * @param traffic the generator's counts; null when the generator is off
   * @param screenHeader on a terminal, the banner to keep above a summary redrawn in place; null to
   *     append summaries
   */
  LiveSummary(
      String jdbcUrl,
      Properties credentials,
      Duration interval,
      Duration checkoutTimeout,
      Supplier<String> jobStatus,
      Supplier<LiveTraffic.Counts> traffic,
      PrintStream out,
      String screenHeader) {
    this.jdbcUrl = jdbcUrl;
    this.screenHeader = screenHeader;
    this.credentials = credentials;
    this.interval = interval;
    this.checkoutTimeout = checkoutTimeout;
    this.jobStatus = jobStatus;
    this.traffic = traffic;
    this.out = out;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "cx-pulse-summary");
              thread.setDaemon(true);
              return thread;
            });
  }

  LiveSummary start() {
    long millis = interval.toMillis();
    scheduler.scheduleWithFixedDelay(this::printSafely, millis, millis, TimeUnit.MILLISECONDS);
    return this;
  }

  private void printSafely() {
    String text;
    try {
      text = render(Instant.now());
    } catch (SQLException | RuntimeException e) {
      closeConnection();
      text = "[" + CLOCK.format(Instant.now()) + "] summary unavailable: " + e.getMessage() + "\n";
    }
    if (!closed) {
      out.print(frame(screenHeader, text));
      out.flush();
    }
  }

  /** ANSI: cursor home, then clear the screen. */
  static final String CLEAR_SCREEN = "\u001b[H\u001b[2J";

  /**
   * What one refresh prints: on a terminal ({@code header} not null) the whole screen again, the
   * banner with its addresses on top, so they never scroll away; elsewhere the summary alone, one
   * after another, as a log.
   */
  static String frame(String header, String summary) {
    return header == null ? summary : CLEAR_SCREEN + header + "\n\n" + summary;
  }

  /** A table's progress: epoch seconds. */
  record Progress(long completeBefore, long runFirstWindow) {}

  /**
   * The start (epoch seconds) of the newest complete minute of {@code table}; 0 if none. The run's
   * first minute holds only part of its data (the run started inside it), so it is none either.
   */
  static long newestCompleteMinute(Map<String, Progress> progress, String table) {
    Progress p = progress.getOrDefault(table, new Progress(0, 0));
    // Before any progress the column reads the epoch; a minute ending there is no minute.
    long minute = p.completeBefore() <= 60 ? 0 : p.completeBefore() - 60;
    return minute <= p.runFirstWindow() ? 0 : minute;
  }

  /** The summary as of {@code now}, ending with a blank line. */
  String render(Instant now) throws SQLException {
    Connection db = connection();
    StringBuilder text = new StringBuilder();
    try (Statement statement = db.createStatement()) {
      long windowRows;
      long counted;
      try (ResultSet rs = statement.executeQuery(TOTALS_QUERY)) {
        rs.next();
        windowRows = rs.getLong("window_rows");
        counted = rs.getLong("responses");
      }
      Map<String, Progress> completeBefore = new HashMap<>();
      try (ResultSet rs = statement.executeQuery(PROGRESS_QUERY)) {
        while (rs.next()) {
          completeBefore.put(
              rs.getString("table_name"),
              new Progress(rs.getLong("complete_before"), rs.getLong("run_first_window")));
        }
      }
      long lastMinute = newestCompleteMinute(completeBefore, "cx_survey_window");
      List<DeadLetterCount> deadLetters = new ArrayList<>();
      try (ResultSet rs = statement.executeQuery(DEAD_LETTER_QUERY)) {
        while (rs.next()) {
          deadLetters.add(
              new DeadLetterCount(rs.getString("job"), rs.getString("reason"), rs.getLong("n")));
        }
      }

      text.append(
          String.format(Locale.ROOT, "[%s UTC] job %s", CLOCK.format(now), jobStatus.get()));
      if (traffic != null) {
        LiveTraffic.Counts sent = traffic.get();
        text.append(
            String.format(
                Locale.ROOT,
                " | sent %s (%s bad, %s duplicate%s)",
                count(sent.total()),
                count(sent.badRecords()),
                count(sent.duplicates()),
                sent.failures() > 0 ? ", " + count(sent.failures()) + " FAILED" : ""));
      }
      text.append(
              String.format(
                  Locale.ROOT,
                  " | ClickHouse %s window rows, %s responses counted",
                  count(windowRows),
                  count(counted)))
          .append('\n');

      if (lastMinute <= 0) {
        text.append(
            "  no complete minute yet: the first minute after a start is partial, the next one"
                + " shows once it ends\n");
      } else {
        String minute = "minute " + MINUTE.format(Instant.ofEpochSecond(lastMinute));
        text.append(String.format(Locale.ROOT, ROW, minute, "responses", "CSAT %", "NPS", "CES"))
            .append('\n');
        try (ResultSet rs =
            statement.executeQuery(String.format(Locale.ROOT, MINUTE_QUERY, lastMinute))) {
          while (rs.next()) {
            text.append(
                    String.format(
                        Locale.ROOT,
                        ROW,
                        rs.getString("channel"),
                        count(rs.getLong("responses")),
                        decimal(rs, "csat_pct", "%.1f"),
                        decimal(rs, "nps", "%+.1f"),
                        decimal(rs, "ces_mean", "%.2f")))
                .append('\n');
          }
        }
      }
      long ticketMinute = newestCompleteMinute(completeBefore, "cx_ticket_window");
      if (ticketMinute > 0) {
        text.append(
                String.format(
                    Locale.ROOT,
                    ROW,
                    "tickets " + MINUTE.format(Instant.ofEpochSecond(ticketMinute)),
                    "replies",
                    "FRT p90",
                    "breach%",
                    ""))
            .append('\n');
        try (ResultSet rs =
            statement.executeQuery(String.format(Locale.ROOT, TICKET_QUERY, ticketMinute))) {
          while (rs.next()) {
            double p90 = rs.getDouble("first_response_p90_ms");
            // Whole seconds: the column is a glance, and "43 s 811 ms" does not fit it.
            String frt =
                rs.wasNull()
                    ? "-"
                    : HumanDuration.format(Duration.ofSeconds(Math.round(p90 / 1000)));
            text.append(
                    String.format(
                        Locale.ROOT,
                        ROW,
                        rs.getString("channel"),
                        count(rs.getLong("first_responses")),
                        frt,
                        decimal(rs, "breach_rate_pct", "%.1f"),
                        ""))
                .append('\n');
          }
        }
      }
      // Abandonment is decided an inactivity timeout after a checkout's last step: the checkout
      // job's progress says which minute that makes complete.
      long checkoutMinute = newestCompleteMinute(completeBefore, "cx_checkout_window");
      long openCheckouts;
      try (ResultSet rs = statement.executeQuery(OPEN_CHECKOUTS_QUERY)) {
        openCheckouts = rs.next() ? rs.getLong("pending") : 0;
      }
      String openNote =
          count(openCheckouts)
              + " checkouts open, decided "
              + HumanDuration.format(checkoutTimeout)
              + " after their last step";
      if (checkoutMinute <= 0) {
        text.append("  checkouts: no minute complete yet (").append(openNote).append(")\n");
      } else {
        text.append("  checkouts: ").append(openNote).append('\n');
        text.append(
                String.format(
                    Locale.ROOT,
                    ROW,
                    "checkouts " + MINUTE.format(Instant.ofEpochSecond(checkoutMinute)),
                    "started",
                    "abandon%",
                    "",
                    ""))
            .append('\n');
        try (ResultSet rs =
            statement.executeQuery(String.format(Locale.ROOT, CHECKOUT_QUERY, checkoutMinute))) {
          boolean any = false;
          while (rs.next()) {
            any = true;
            text.append(
                    String.format(
                        Locale.ROOT,
                        ROW,
                        rs.getString("channel"),
                        count(rs.getLong("started")),
                        decimal(rs, "abandonment_pct", "%.1f"),
                        "",
                        ""))
                .append('\n');
          }
          if (!any) {
            text.append("  (no checkout started in that minute)\n");
          }
        }
      }
      List<AlertRow> open = new ArrayList<>();
      try (ResultSet rs = statement.executeQuery(OPEN_ALERTS_QUERY)) {
        while (rs.next()) {
          open.add(AlertRow.of(rs));
        }
      }
      List<AlertRow> changes = new ArrayList<>();
      try (ResultSet rs = statement.executeQuery(ALERT_CHANGES_QUERY)) {
        while (rs.next()) {
          changes.add(AlertRow.of(rs));
        }
      }
      alertLines(open, changes).forEach(line -> text.append(line).append('\n'));
      List<RuleStatus> rules = new ArrayList<>();
      try (ResultSet rs = statement.executeQuery(RULE_STATUS_QUERY)) {
        while (rs.next()) {
          rules.add(RuleStatus.of(rs));
        }
      }
      ruleLines(rules).forEach(line -> text.append(line).append('\n'));
      try (ResultSet rs = statement.executeQuery(DRIVER_QUERY)) {
        if (rs.next()) {
          text.append(
                  String.format(
                      Locale.ROOT,
                      "  driver split (follow-up surveys, all windows): %s responses; CSAT after"
                          + " SLA met %s %% (%s), breached %s %% (%s)",
                      count(rs.getLong("responses")),
                      decimal(rs, "csat_met_pct", "%.1f"),
                      count(rs.getLong("csat_total_met")),
                      decimal(rs, "csat_breached_pct", "%.1f"),
                      count(rs.getLong("csat_total_breached"))))
              .append('\n');
        } else {
          text.append("  driver split: no follow-up survey joined with its ticket yet\n");
        }
      }
      text.append(deadLetterLine(deadLetters)).append("\n\n");
    }
    return text.toString();
  }

  /** Dead letters of one job for one reason ({@code job} empty: written before jobs were named). */
  record DeadLetterCount(String job, String reason, long count) {}

  /**
   * The dead letters per job and reason, on one line: {@code dead letters 12: survey UNDECODABLE 3,
   * DUPLICATE 5; driver-split TOO_LATE 4}. Each job's own, so what only the driver split job
   * dropped (records its topic's owner counted) shows under its name.
   */
  static String deadLetterLine(List<DeadLetterCount> counts) {
    Map<String, List<String>> byJob = new LinkedHashMap<>();
    long total = 0;
    for (DeadLetterCount c : counts) {
      total += c.count();
      // Rows from before V012 have no job; then only the topics' owners wrote dead letters.
      String job = c.job().isEmpty() ? "(before V012)" : c.job();
      byJob.computeIfAbsent(job, j -> new ArrayList<>()).add(c.reason() + " " + count(c.count()));
    }
    List<String> jobs = new ArrayList<>();
    byJob.forEach((job, reasons) -> jobs.add(job + " " + String.join(", ", reasons)));
    return "  dead letters "
        + count(total)
        + (jobs.isEmpty() ? "" : ": " + String.join("; ", jobs));
  }

  /**
   * One alert as the summary shows it: an open episode (status FIRING, {@code at} when it fired) or
   * a state change (FIRING or RESOLVED at {@code at}, the end of the window that changed it).
   *
   * @param value the metric over the window (percent, NPS points, CES mean, or milliseconds for
   *     frt_p90); null when not finite
   */
  record AlertRow(
      String status,
      String severity,
      String ruleId,
      String metric,
      String channel,
      String segment,
      Double value,
      Instant at) {

    /** The current row of a result with the columns of {@link #OPEN_ALERTS_QUERY}. */
    static AlertRow of(ResultSet rs) throws SQLException {
      double value = rs.getDouble("value");
      Double nullable = rs.wasNull() ? null : value;
      return new AlertRow(
          rs.getString("status"),
          rs.getString("severity"),
          rs.getString("rule_id"),
          rs.getString("metric"),
          rs.getString("channel"),
          rs.getString("segment"),
          nullable,
          Instant.ofEpochMilli(rs.getLong("at_ms")));
    }
  }

  /**
   * The alert block: a header with the number of open alerts, up to {@link #MAX_ALERT_LINES} open
   * ones (most severe and oldest first, as the view orders them), then the latest state changes,
   * newest first. Times are event times (window ends), as the alerts carry them.
   */
  static List<String> alertLines(List<AlertRow> open, List<AlertRow> changes) {
    List<String> lines = new ArrayList<>();
    lines.add(
        open.isEmpty()
            ? "  alerts: none open"
            : "  alerts: " + open.size() + " open (severity, rule, channel/segment, value, since)");
    for (AlertRow alert : open.subList(0, Math.min(open.size(), MAX_ALERT_LINES))) {
      lines.add(
          String.format(
              Locale.ROOT,
              "    %-8s %-38s %-20s %-16s since %s",
              alert.severity(),
              alert.ruleId(),
              alert.channel() + "/" + alert.segment(),
              alertValue(alert.metric(), alert.value()),
              CLOCK.format(alert.at())));
    }
    if (open.size() > MAX_ALERT_LINES) {
      lines.add(
          "    ... " + (open.size() - MAX_ALERT_LINES) + " more: SELECT * FROM cx_alerts_open");
    }
    if (!changes.isEmpty()) {
      lines.add("  latest alert changes (event time):");
      for (AlertRow change : changes.subList(0, Math.min(changes.size(), MAX_ALERT_LINES))) {
        lines.add(
            String.format(
                Locale.ROOT,
                "    %s %-8s %-38s %-20s %s",
                CLOCK.format(change.at()),
                change.status(),
                change.ruleId(),
                change.channel() + "/" + change.segment(),
                alertValue(change.metric(), change.value())));
      }
    }
    return lines;
  }

  /** The latest evaluation of one rule on one series, as cx_alert_rule_status shows it. */
  record RuleStatus(
      String ruleId,
      String metric,
      String channel,
      String segment,
      String verdict,
      Double value,
      long samples,
      String waitingFor,
      boolean firing) {

    static RuleStatus of(ResultSet rs) throws SQLException {
      double value = rs.getDouble("value");
      Double valueOrNull = rs.wasNull() ? null : value;
      return new RuleStatus(
          rs.getString("rule_id"),
          rs.getString("metric"),
          rs.getString("channel"),
          rs.getString("segment"),
          rs.getString("verdict"),
          valueOrNull,
          rs.getLong("samples"),
          rs.getString("waiting_for"),
          rs.getBoolean("firing"));
    }
  }

  /**
   * One line on the rules' latest evaluations, then firing and waiting series (at most {@link
   * #MAX_ALERT_LINES}): what a rule that has not fired is waiting for.
   */
  static List<String> ruleLines(List<RuleStatus> rules) {
    if (rules.isEmpty()) {
      return List.of("  rules: no evaluation yet (a rule is first evaluated when its window ends)");
    }
    long waiting = rules.stream().filter(r -> !r.waitingFor().isEmpty()).count();
    long firing = rules.stream().filter(RuleStatus::firing).count();
    List<String> lines = new ArrayList<>();
    lines.add(
        String.format(
            Locale.ROOT,
            "  rules: %d series evaluated, %d firing, %d waiting for data"
                + " (SELECT * FROM cx_alert_rule_status)",
            rules.size(),
            firing,
            waiting));
    rules.stream()
        .filter(r -> r.firing() || !r.waitingFor().isEmpty())
        .limit(MAX_ALERT_LINES)
        .forEach(
            r ->
                lines.add(
                    String.format(
                        Locale.ROOT,
                        "    %-38s %-20s %-16s %s",
                        r.ruleId(),
                        r.channel() + "/" + r.segment(),
                        alertValue(r.metric(), r.value()),
                        r.firing() ? "FIRING" : "waiting: " + r.waitingFor())));
    return lines;
  }

  /** A metric value in its unit: percent, NPS points, CES mean, or a duration for frt_p90. */
  static String alertValue(String metric, Double value) {
    if (value == null) {
      return metric + " -";
    }
    return switch (metric) {
      case "csat", "abandonment_rate", "sla_breach_rate" ->
          String.format(Locale.ROOT, "%s %.1f %%", metric, value);
      case "nps" -> String.format(Locale.ROOT, "nps %+.1f", value);
      case "ces" -> String.format(Locale.ROOT, "ces %.2f", value);
      case "frt_p90" -> "frt_p90 " + HumanDuration.format(Duration.ofMillis(Math.round(value)));
      default -> String.format(Locale.ROOT, "%s %.2f", metric, value);
    };
  }

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  private static String decimal(ResultSet rs, String column, String format) throws SQLException {
    double value = rs.getDouble(column);
    return rs.wasNull() ? "-" : String.format(Locale.ROOT, format, value);
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      connection = DriverManager.getConnection(jdbcUrl, credentials);
    }
    return connection;
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // Reopened on the next tick.
      }
      connection = null;
    }
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    scheduler.shutdownNow();
    scheduler.awaitTermination(10, TimeUnit.SECONDS);
    closeConnection();
  }
}
