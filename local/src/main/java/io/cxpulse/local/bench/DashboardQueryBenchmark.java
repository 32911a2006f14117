package io.cxpulse.local.bench;

import io.cxpulse.embedded.clickhouse.EmbeddedClickHouse;
import io.cxpulse.events.Channel;
import io.cxpulse.events.TicketPriority;
import io.cxpulse.jobs.pipeline.Dimensions;
import io.cxpulse.jobs.sql.HourRollups;
import io.cxpulse.jobs.sql.Migrations;
import io.cxpulse.jobs.sql.SchemaMigrator;
import io.cxpulse.jobs.tickets.TicketJob;
import io.cxpulse.local.CxPulseVersion;
import io.cxpulse.local.dashboards.DashboardQueries;
import io.cxpulse.local.dashboards.Dashboards;
import io.cxpulse.local.dashboards.Dashboards.Dashboard;
import io.cxpulse.local.dashboards.Dashboards.Query;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Prints how long each dashboard panel's query takes on a month of data: 30 days of minute rows for
 * 8 channels × 4 segments (× 4 priorities for tickets) in the embedded ClickHouse, every panel and
 * annotation query of {@code dashboards/json} expanded as the page and Grafana expand it, at three
 * ranges and grains, p50 and p95 of repeated runs. A command, not a test: the figures depend on the
 * machine; the {@code SELECT 1} round trip of the same run is the baseline they are read against.
 */
@Command(
    name = "bench-dashboards",
    mixinStandardHelpOptions = true,
    versionProvider = CxPulseVersion.class,
    description =
        "Benchmark the dashboards' panel queries over 30 days of minute rows on embedded"
            + " ClickHouse.")
public final class DashboardQueryBenchmark implements Callable<Integer> {

  @Option(
      names = "--days",
      defaultValue = "30",
      description = "Days of minute rows to load (default: ${DEFAULT-VALUE}).")
  int days;

  @Option(
      names = "--runs",
      defaultValue = "15",
      description =
          "Measured runs of each query, after one unmeasured (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(
      names = "--max-data-points",
      defaultValue = "1200",
      description = "Grafana's maxDataPoints of a panel: its width (default: ${DEFAULT-VALUE}).")
  int maxDataPoints;

  /** A range and grain as a person picks them on a dashboard. */
  private record Scenario(String name, Duration range, String grain) {}

  private static final List<Scenario> SCENARIOS =
      List.of(
          new Scenario("6 h by minute", Duration.ofHours(6), "minute"),
          new Scenario("7 d by hour", Duration.ofDays(7), "hour"),
          new Scenario("30 d by day", Duration.ofDays(30), "day"));

  private static final List<String> SEGMENTS = List.of("new", "returning", "vip", "business");

  /** Channels and ticket priorities loaded: the known ones, without UNKNOWN. */
  private static final int CHANNELS = 8;

  private static final int PRIORITIES = 4;

  @Override
  public Integer call() throws Exception {
    Path dataDir = Files.createTempDirectory("cx-pulse-bench-dashboards-");
    Instant end = Instant.now().truncatedTo(ChronoUnit.MINUTES);
    Instant start = end.minus(Duration.ofDays(days));
    try {
      return run(dataDir, start, end);
    } finally {
      ClickHouseJdbcBenchmark.deleteRecursively(dataDir);
    }
  }

  private int run(Path dataDir, Instant start, Instant end) throws Exception {
    try (EmbeddedClickHouse clickHouse =
            EmbeddedClickHouse.builder().dataDir(dataDir).port(0).start();
        Connection connection = DriverManager.getConnection(clickHouse.jdbcUrl());
        Statement statement = connection.createStatement()) {
      new SchemaMigrator(Migrations.fromClasspath()).migrate(connection);
      long loading = System.nanoTime();
      long rows = load(statement, start, end);
      System.out.printf(
          Locale.ROOT,
          "Loaded %,d window rows (%d days of minutes, %d channels x %d segments, x %d priorities"
              + " for tickets) in %.1f s%n",
          rows,
          days,
          CHANNELS,
          SEGMENTS.size(),
          PRIORITIES,
          (System.nanoTime() - loading) / 1e9);
      // Every loaded hour is final (progress above), so the hour rollups seal it all; a database
      // that grew minute by minute has them sealed a minute after each hour became final.
      long sealing = System.nanoTime();
      int refreshes = HourRollups.sealNow(connection);
      System.out.printf(
          Locale.ROOT,
          "Sealed the hour rollups in %.1f s (%d refreshes, a month each at most)%n",
          (System.nanoTime() - sealing) / 1e9,
          refreshes);

      DashboardQueries queries =
          new DashboardQueries(Dashboards.fromClasspath(), clickHouse.httpUrl(), "default", "");
      double[] baseline = new double[Math.max(runs * 10, 50)];
      for (int i = -5; i < baseline.length; i++) {
        long t = System.nanoTime();
        statement.executeQuery("SELECT 1").close();
        if (i >= 0) {
          baseline[i] = (System.nanoTime() - t) / 1e6;
        }
      }
      System.out.printf(
          Locale.ROOT,
          "Baseline: SELECT 1 over JDBC p50 %.1f ms, p95 %.1f ms%n%n",
          percentile(baseline, 0.50),
          percentile(baseline, 0.95));
      System.out.printf(
          Locale.ROOT,
          "%-12s %-46s %-14s %8s %8s %8s %7s%n",
          "dashboard",
          "panel",
          "range",
          "p50 ms",
          "p95 ms",
          "plan ms",
          "rows");
      List<Double> hourP95 = new ArrayList<>();
      List<Double> hourPlanning = new ArrayList<>();
      for (Dashboard dashboard : queries.dashboards().all()) {
        for (Query query : dashboard.queries()) {
          for (Scenario scenario : SCENARIOS) {
            Map<String, String> selected =
                dashboard.variable("grain").isPresent()
                    ? Map.of("grain", scenario.grain())
                    : Map.of();
            Instant from = end.minus(scenario.range());
            DashboardQueries.Result first =
                queries.run(dashboard.uid(), query.key(), from, end, maxDataPoints, selected);
            int resultRows = first.rows().size();
            double[] millis = new double[runs];
            for (int i = 0; i < runs; i++) {
              long t = System.nanoTime();
              queries.run(dashboard.uid(), query.key(), from, end, maxDataPoints, selected);
              millis[i] = (System.nanoTime() - t) / 1e6;
            }
            // The engine's planning alone (EXPLAIN: parse, analyse, optimise, no execution), over
            // JDBC like the SELECT 1 baseline: the part of the latency no data layout changes.
            double[] planning = new double[runs];
            for (int i = 0; i < runs; i++) {
              long t = System.nanoTime();
              statement.executeQuery("EXPLAIN " + first.sql()).close();
              planning[i] = (System.nanoTime() - t) / 1e6;
            }
            double p95 = percentile(millis, 0.95);
            if (scenario.grain().equals("hour")) {
              hourP95.add(p95);
              hourPlanning.add(percentile(planning, 0.50));
            }
            System.out.printf(
                Locale.ROOT,
                "%-12s %-46s %-14s %8.1f %8.1f %8.1f %7d%n",
                dashboard.uid(),
                abbreviate(query.title()),
                scenario.name(),
                percentile(millis, 0.50),
                p95,
                percentile(planning, 0.50),
                resultRows);
          }
        }
      }
      double[] hours = hourP95.stream().mapToDouble(Double::doubleValue).toArray();
      double[] plans = hourPlanning.stream().mapToDouble(Double::doubleValue).toArray();
      System.out.printf(
          Locale.ROOT,
          "%nHour-grain panels (7 d): p50 of their p95s %.1f ms, p95 of their p95s %.1f ms, worst"
              + " %.1f ms (aim: under 50 ms); %.0fx the SELECT 1 baseline; their planning alone"
              + " (EXPLAIN) p50 %.1f ms%n",
          percentile(hours, 0.50),
          percentile(hours, 0.95),
          Arrays.stream(hours).max().orElse(0),
          percentile(hours, 0.95) / percentile(baseline, 0.95),
          percentile(plans, 0.50));
    }
    return 0;
  }

  /** Loads the window tables with INSERT … SELECT from numbers(): the engine makes the rows. */
  private long load(Statement statement, Instant start, Instant end) throws Exception {
    long minutes = Duration.between(start, end).toMinutes();
    String channels =
        Arrays.stream(Channel.values())
            .filter(c -> c != Channel.UNKNOWN)
            .map(Dimensions::channel)
            .limit(CHANNELS)
            .map(c -> "'" + c + "'")
            .collect(Collectors.joining(", ", "[", "]"));
    String segments =
        SEGMENTS.stream().map(s -> "'" + s + "'").collect(Collectors.joining(", ", "[", "]"));
    String priorities =
        Arrays.stream(TicketPriority.values())
            .filter(p -> p != TicketPriority.UNKNOWN)
            .map(TicketJob::priority)
            .limit(PRIORITIES)
            .map(p -> "'" + p + "'")
            .collect(Collectors.joining(", ", "[", "]"));
    long startSecond = start.getEpochSecond();
    // Per row: minute m, channel c, segment s (and priority p); counts vary with a hash so that
    // no two buckets are alike.
    String minute = "toDateTime(" + startSecond + " + 60 * intDiv(number, %d), 'UTC')";
    statement.execute(
        String.format(
            Locale.ROOT,
            "INSERT INTO cx_survey_window SELECT %s AS ws, ws + 60,"
                + " %s[number %% 8 + 1], %s[intDiv(number, 8) %% 4 + 1],"
                + " 10 + cityHash64(number) %% 20 AS ct, intDiv(ct * 3, 4),"
                + " 8 AS nt, 3, 3, 2, 5 AS cc, 15, 55, [1, 1, 1, 1, 1, 0, 0], 1"
                + " FROM numbers(%d)",
            String.format(Locale.ROOT, minute, 32),
            channels,
            segments,
            minutes * 32));
    statement.execute(
        String.format(
            Locale.ROOT,
            "INSERT INTO cx_checkout_window (window_start, window_end, channel, segment, started,"
                + " completed, abandoned, pending, abandoned_value_currencies,"
                + " abandoned_value_minor, abandoned_steps, abandoned_step_counts,"
                + " abandoned_reasons, abandoned_reason_counts, completion_time_buckets,"
                + " completion_time_counts, completion_time_sum_ms, version)"
                + " SELECT %s AS ws, ws + 60, %s[number %% 8 + 1], %s[intDiv(number, 8) %% 4 + 1],"
                + " 6 + cityHash64(number) %% 6 AS st, 4, st - 4, 0, ['EUR', 'USD'], [1500, 2500],"
                + " ['cart', 'payment'], [1, st - 5], ['card_declined'], [1], [280, 300],"
                + " [2, 2], 600000, st FROM numbers(%d)",
            String.format(Locale.ROOT, minute, 32),
            channels,
            segments,
            minutes * 32));
    statement.execute(
        String.format(
            Locale.ROOT,
            "INSERT INTO cx_ticket_window (window_start, window_end, channel, segment, priority,"
                + " tickets_opened, tickets_reopened, first_responses, first_response_sum_ms,"
                + " first_response_buckets, first_response_counts, sla_met, sla_breached,"
                + " sla_breached_unanswered, resolved, resolution_sum_ms, resolution_buckets,"
                + " resolution_counts, backlog_delta, version, awaiting_first_response_delta)"
                + " SELECT %s AS ws, ws + 60, %s[number %% 8 + 1], %s[intDiv(number, 8) %% 4 + 1],"
                + " %s[intDiv(number, 32) %% 4 + 1], 2, 0, 2, 240000, [300, 320], [1, 1],"
                + " 1 + cityHash64(number) %% 2 AS met, 2 - met, 0, 2, 3600000, [380, 400], [1, 1],"
                + " 0, 6, 0 FROM numbers(%d)",
            String.format(Locale.ROOT, minute, 128),
            channels,
            segments,
            priorities,
            minutes * 128));
    // Driver split: per minute and channel x segment one row, its SLA outcome and first-response
    // bucket varying, as surveys about tickets are a fraction of all surveys.
    statement.execute(
        String.format(
            Locale.ROOT,
            "INSERT INTO cx_driver_window (window_start, window_end, channel, segment, sla_outcome,"
                + " frt_bucket, csat_total, csat_satisfied, nps_total, nps_promoters, nps_passives,"
                + " nps_detractors, ces_count, ces_sum, ces_sum_squares, ces_histogram, version)"
                + " SELECT %s AS ws, ws + 60, %s[number %% 8 + 1], %s[intDiv(number, 8) %% 4 + 1],"
                + " ['met', 'breached'][cityHash64(number) %% 2 + 1],"
                + " ['lt_5m', '5m_30m', '30m_2h', '2h_8h', 'ge_8h', 'no_reply'][number %% 6 + 1],"
                + " 3, 2, 2, 1, 0, 1, 2, 5, 13, [0, 1, 1, 0, 0, 0, 0], 1 FROM numbers(%d)",
            String.format(Locale.ROOT, minute, 32),
            channels,
            segments,
            minutes * 32));
    statement.execute(
        "INSERT INTO cx_job_progress (job, table_name, watermark, complete_before, final_before,"
            + " updated_at) SELECT 'bench', t, now64(3), now64(3), now64(3), now64(3)"
            + " FROM (SELECT arrayJoin(['cx_survey_window', 'cx_checkout_window',"
            + " 'cx_ticket_window', 'cx_driver_window']) AS t)");
    statement.execute("OPTIMIZE TABLE cx_survey_window FINAL");
    statement.execute("OPTIMIZE TABLE cx_checkout_window FINAL");
    statement.execute("OPTIMIZE TABLE cx_ticket_window FINAL");
    statement.execute("OPTIMIZE TABLE cx_driver_window FINAL");
    return minutes * 32 * 3 + minutes * 128;
  }

  private static String abbreviate(String title) {
    return title.length() <= 46 ? title : title.substring(0, 45) + "…";
  }

  private static double percentile(double[] values, double q) {
    if (values.length == 0) {
      return 0;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
