package io.cxpulse.local;

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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Prints a compact summary every few seconds: what the generator sent, what ClickHouse holds, the
 * scores of the last complete minute for all channels and each channel, and the dead letters by
 * reason. Reads ClickHouse through JDBC, like any BI tool.
 */
final class LiveSummary implements AutoCloseable {

  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter MINUTE =
      DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);
  private static final String ROW = "  %-13s %9s %7s %7s %9s";

  static final String TOTALS_QUERY =
      "SELECT count() AS window_rows, sum(csat_total + nps_total + ces_count) AS responses,"
          + " toUnixTimestamp(max(window_start)) AS last_minute FROM cx_survey_window_latest";

  static final String MINUTE_QUERY =
      "SELECT channel, csat_total + nps_total + ces_count AS responses, csat_pct, nps, ces_mean"
          + " FROM cx_survey_scores_minute"
          + " WHERE segment = 'all' AND toUnixTimestamp(bucket_start) = %d"
          + " ORDER BY channel = 'all' DESC, responses DESC, channel";

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

  static final String DEAD_LETTER_QUERY =
      "SELECT reason, count() AS n FROM cx_dead_letters FINAL GROUP BY reason ORDER BY reason";

  private final String jdbcUrl;
  private final Duration interval;
  private final Duration checkoutTimeout;
  private final Supplier<String> jobStatus;
  private final Supplier<LiveTraffic.Counts> traffic;
  private final PrintStream out;
  private final ScheduledExecutorService scheduler;
  private Connection connection;
  private volatile boolean closed;

  /**
   * @param checkoutTimeout the checkout job's inactivity timeout: a minute's abandonment is only
   *     final that long after it, so the summary shows the latest minute that old
   * @param traffic the generator's counts; null when the generator is off
   */
  LiveSummary(
      String jdbcUrl,
      Duration interval,
      Duration checkoutTimeout,
      Supplier<String> jobStatus,
      Supplier<LiveTraffic.Counts> traffic,
      PrintStream out) {
    this.jdbcUrl = jdbcUrl;
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
      out.print(text);
      out.flush();
    }
  }

  /** The summary as of {@code now}, ending with a blank line. */
  String render(Instant now) throws SQLException {
    Connection db = connection();
    StringBuilder text = new StringBuilder();
    try (Statement statement = db.createStatement()) {
      long windowRows;
      long counted;
      long lastMinute;
      try (ResultSet rs = statement.executeQuery(TOTALS_QUERY)) {
        rs.next();
        windowRows = rs.getLong("window_rows");
        counted = rs.getLong("responses");
        lastMinute = rs.getLong("last_minute");
      }
      List<String> deadLetters = new ArrayList<>();
      long deadLetterTotal = 0;
      try (ResultSet rs = statement.executeQuery(DEAD_LETTER_QUERY)) {
        while (rs.next()) {
          long n = rs.getLong("n");
          deadLetterTotal += n;
          deadLetters.add(rs.getString("reason") + " " + count(n));
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
            "  no window closed yet: the first row appears after the current minute ends\n");
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
      if (lastMinute > 0) {
        long ticketMinute = lastMinute;
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
            String frt = rs.wasNull() ? "-" : human(Duration.ofMillis((long) p90));
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
        // Abandonment is decided an inactivity timeout after a checkout's last step.
        long checkoutMinute =
            Instant.ofEpochSecond(lastMinute)
                .minus(checkoutTimeout)
                .minusSeconds(60)
                .truncatedTo(ChronoUnit.MINUTES)
                .getEpochSecond();
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
            text.append("  (checkouts of a minute are final ")
                .append(human(checkoutTimeout.plusMinutes(1)))
                .append(" after it; none yet)\n");
          }
        }
      }
      text.append("  dead letters ")
          .append(count(deadLetterTotal))
          .append(deadLetters.isEmpty() ? "" : ": " + String.join(", ", deadLetters))
          .append("\n\n");
    }
    return text.toString();
  }

  private static String human(Duration duration) {
    long seconds = duration.toSeconds();
    return seconds >= 120 ? duration.toMinutes() + " min" : seconds + " s";
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
      connection = DriverManager.getConnection(jdbcUrl);
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
