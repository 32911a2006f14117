package io.cxpulse.local.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.local.bench.PipelineBenchmark.Generator;
import io.cxpulse.local.bench.PipelineBenchmark.Plan;
import io.cxpulse.local.bench.pipeline.CheckoutWorkload;
import io.cxpulse.local.bench.pipeline.Engines;
import io.cxpulse.local.bench.pipeline.Workload;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pipeline benchmark at a tiny size, on the real engines (a MiniCluster, the embedded Kafka
 * broker and ClickHouse engine): every run of the ticket job, (a) to (d) and the sink alone,
 * matches its scenario's expectation; and a checkout job that computes wrong rows is reported
 * FAILED where the job's rows are compared ((b), (d)) and ok where they are not, and makes the
 * benchmark exit 1. The checkout job's own runs are left out to keep the suite within its 15
 * minutes: its checks are the ones the wrong job's runs exercise. Not a measurement: no warm-up,
 * checkpoints every half second. One run of the benchmark for all three, as the engine runs once
 * per JVM.
 */
class PipelineBenchmarkITCase {

  /** The name the wrong checkout job's runs are printed under. */
  private static final String WRONG = "checkout-with-2-minute-windows";

  private static final List<String> VARIANTS =
      List.of(
          "(a) pass-through",
          "(b) job graph",
          "(c) Flink SQL",
          "(d) end to end",
          "ClickHouse sink alone");

  private static int exitCode;
  private static String output;

  @BeforeAll
  static void runTheBenchmark() throws Exception {
    Map<String, Generator> generators = new LinkedHashMap<>();
    generators.put("tickets", PipelineBenchmark.JOBS.get("tickets"));
    // The job's windows are 2 minutes, the expectation's 1 minute: its rows are keyed and summed
    // differently. The pass-through, the SQL and the sink alone do not use the job's window.
    generators.put(
        WRONG,
        (events, segments, seed) ->
            new Renamed(
                WRONG, CheckoutWorkload.generate(events, segments, seed, Duration.ofMinutes(2))));
    Plan plan =
        new Plan(
            List.copyOf(generators.keySet()), 1_000, 4, 1, 0, Duration.ofMillis(500), 20_250_601L);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      exitCode = PipelineBenchmark.run(plan, generators, out);
    }
    output = bytes.toString(StandardCharsets.UTF_8);
    System.out.print(output);
  }

  @Test
  void everyRunOfTheTicketJobMatchesItsScenario() {
    for (String job : List.of("tickets")) {
      for (String variant : VARIANTS) {
        assertThat(output)
            .as(output)
            .containsPattern(
                Pattern.compile("(?m)^  " + job + " " + Pattern.quote(variant) + ": .* s, ok$"));
      }
      assertThat(output)
          .containsPattern(
              "(?m)^" + job + " ratios, per CPU-second \\(wall\\): \\(b\\)/\\(a\\) \\d");
    }
  }

  @Test
  void aJobThatComputesWrongRowsIsReportedFailedAndTheBenchmarkExits1() {
    assertThat(exitCode).as(output).isEqualTo(1);
    assertThat(output)
        .containsPattern("(?m)^  " + WRONG + " \\(a\\) pass-through: .* s, ok$")
        .containsPattern("(?m)^  " + WRONG + " \\(b\\) job graph: .* s, FAILED: .*window rows")
        .containsPattern("(?m)^  " + WRONG + " \\(c\\) Flink SQL: .* s, ok$")
        .containsPattern("(?m)^  " + WRONG + " \\(d\\) end to end: .* s, FAILED: .*window rows")
        .containsPattern("(?m)^" + WRONG + " +\\(b\\) job graph .* FAILED$")
        .containsPattern("(?m)^FAILED " + WRONG + " \\(b\\) job graph: \\d+ window rows missing")
        .contains(WRONG + " ratios, per CPU-second (wall): (b)/(a) n/a");
  }

  /** A workload under another name: the runs of the wrong job printed apart from the right one. */
  private record Renamed(String job, Workload workload) implements Workload {
    @Override
    public int records() {
      return workload.records();
    }

    @Override
    public int events() {
      return workload.events();
    }

    @Override
    public int windowRows() {
      return workload.windowRows();
    }

    @Override
    public Run passThrough(int parallelism) {
      return workload.passThrough(parallelism);
    }

    @Override
    public Run jobGraph(int parallelism) {
      return workload.jobGraph(parallelism);
    }

    @Override
    public Run sql(int parallelism) {
      return workload.sql(parallelism);
    }

    @Override
    public Run endToEnd(Engines engines, int parallelism, Duration checkpointInterval)
        throws Exception {
      return workload.endToEnd(engines, parallelism, checkpointInterval);
    }

    @Override
    public Run sinkAlone(Engines engines, int parallelism) throws Exception {
      return workload.sinkAlone(engines, parallelism);
    }

    @Override
    public void close() {
      workload.close();
    }
  }
}
