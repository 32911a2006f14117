package io.cxpulse.local.bench;

import io.cxpulse.jobs.pipeline.DurationConverter;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import io.cxpulse.local.CxPulseVersion;
import io.cxpulse.local.bench.pipeline.BenchCluster;
import io.cxpulse.local.bench.pipeline.BenchCluster.Cost;
import io.cxpulse.local.bench.pipeline.CheckoutWorkload;
import io.cxpulse.local.bench.pipeline.Engines;
import io.cxpulse.local.bench.pipeline.SurveyWorkload;
import io.cxpulse.local.bench.pipeline.TicketWorkload;
import io.cxpulse.local.bench.pipeline.Workload;
import io.cxpulse.local.bench.pipeline.Workload.Run;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Prints what the metric jobs cost per event, side by side with what bounds it: for each job the
 * same pre-generated input through (a) a pass-through (the project's decode and validate step into
 * a discarding sink), (b) the job's graph with an in-memory source and discarding sinks, (c) the
 * same de-duplication and the nearest Flink SQL has to the job's aggregation, (d) the job end to
 * end from the embedded Kafka into the embedded ClickHouse, bounded; and the job's ClickHouse sink
 * alone. Every run's result is checked against the expectation computed from the truth of the job's
 * scenario (the oracle of its pipeline tests); a wrong one prints FAILED and makes the command exit
 * 1.
 *
 * <p>One JVM runs every variant, on one MiniCluster: the input is generated once per job and held
 * in memory (generating it costs more than a pass-through run). So that the first variant does not
 * pay for compiling the code the later ones reuse, a warm-up round runs every variant on a small
 * input first, unmeasured but checked; each measured run starts after a garbage collection. CPU
 * time is the whole process's ({@code getProcessCpuTime}) over the run: Flink's threads, and in (d)
 * the Kafka broker's and the ClickHouse engine's too, as they share the machine with the job.
 */
@Command(
    name = "bench-pipeline",
    mixinStandardHelpOptions = true,
    versionProvider = CxPulseVersion.class,
    sortOptions = false,
    description =
        "Benchmark the metric jobs against a pass-through and Flink SQL, in memory and end to end"
            + " on the embedded Kafka and ClickHouse.")
public final class PipelineBenchmark implements Callable<Integer> {

  /** The jobs {@code --job} names, with how to generate each one's input. */
  static final Map<String, Generator> JOBS = new LinkedHashMap<>();

  static {
    JOBS.put("survey", SurveyWorkload::generate);
    JOBS.put("checkout", CheckoutWorkload::generate);
    JOBS.put("tickets", TicketWorkload::generate);
  }

  /** Generates one job's input and expectation. */
  @FunctionalInterface
  interface Generator {
    Workload generate(int events, int segments, long seed);
  }

  @Spec private CommandSpec spec;

  @Option(
      names = "--events",
      defaultValue = "1500000",
      description =
          "Events to generate per job (in whole checkouts, and tickets of about 5.6 events, so"
              + " about that many); duplicates and bad records come on top (default:"
              + " ${DEFAULT-VALUE}: on 2 cores with little else running, 20 to 60 s for the"
              + " job graph, Flink SQL and end-to-end runs; the pass-through takes a few).")
  int events;

  @Option(
      names = "--segments",
      defaultValue = "4",
      description =
          "Distinct customer segments: 4, or a multiple of 4 such as 400 or 40000"
              + " (default: ${DEFAULT-VALUE}).")
  int segments;

  @Option(
      names = "--parallelism",
      defaultValue = "1",
      description = "Parallelism of every run: 1 or 2 (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(
      names = "--job",
      defaultValue = "all",
      description = "survey, checkout, tickets or all (default: ${DEFAULT-VALUE}).")
  String job;

  @Option(
      names = "--warmup-events",
      defaultValue = "50000",
      description =
          "Events of the unmeasured warm-up round, 0 for none (default: ${DEFAULT-VALUE}).")
  int warmupEvents;

  @Option(
      names = "--checkpoint-interval",
      defaultValue = RuntimeOptions.DEFAULT_CHECKPOINT_INTERVAL_TEXT,
      converter = DurationConverter.class,
      description =
          "Checkpoint interval of the end-to-end runs, whose sinks flush on checkpoints and which"
              + " end after one (default: ${DEFAULT-VALUE}, production's).")
  Duration checkpointInterval;

  @Option(
      names = "--seed",
      defaultValue = "20250601",
      description = "Seed of the generated input (default: ${DEFAULT-VALUE}).")
  long seed;

  /** A measured run. */
  private record Measured(
      String job, String variant, long units, String unit, Cost cost, List<String> problems) {

    double perWallSecond() {
      return units / (cost.wallNanos() / 1e9);
    }

    double perCpuSecond() {
      return units / (cost.cpuNanos() / 1e9);
    }

    boolean ok() {
      return problems.isEmpty();
    }
  }

  /** The arguments, checked: what {@link #call} runs. */
  record Plan(
      List<String> jobs,
      int events,
      int segments,
      int parallelism,
      int warmupEvents,
      Duration checkpointInterval,
      long seed) {}

  /**
   * The checked arguments.
   *
   * @throws CommandLine.ParameterException for a value out of range
   */
  Plan plan() {
    List<String> problems = new ArrayList<>();
    if (events < 1000) {
      problems.add("--events must be at least 1000: " + events);
    }
    if (segments < 4 || segments % 4 != 0) {
      problems.add("--segments must be 4 or a multiple of 4 (such as 400 or 40000): " + segments);
    }
    if (parallelism < 1 || parallelism > BenchCluster.SLOTS) {
      problems.add("--parallelism must be 1 to " + BenchCluster.SLOTS + ": " + parallelism);
    }
    if (warmupEvents != 0 && warmupEvents < 1000) {
      problems.add("--warmup-events must be 0 or at least 1000: " + warmupEvents);
    }
    if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
      problems.add("--checkpoint-interval must be positive: " + checkpointInterval);
    }
    List<String> jobs = List.of();
    if (job.equals("all")) {
      jobs = List.copyOf(JOBS.keySet());
    } else if (JOBS.containsKey(job)) {
      jobs = List.of(job);
    } else {
      problems.add("--job must be survey, checkout, tickets or all: " + job);
    }
    if (!problems.isEmpty()) {
      throw new CommandLine.ParameterException(spec.commandLine(), String.join("; ", problems));
    }
    return new Plan(jobs, events, segments, parallelism, warmupEvents, checkpointInterval, seed);
  }

  @Override
  public Integer call() throws Exception {
    return run(plan(), JOBS, System.out);
  }

  /**
   * Runs {@code plan} with the jobs' inputs from {@code generators}, prints the results to {@code
   * out}.
   *
   * @return 0 when every run's result was as expected, else 1
   */
  static int run(Plan plan, Map<String, Generator> generators, PrintStream out) throws Exception {
    String loadBefore = loadAverage();
    List<Measured> measured = new ArrayList<>();
    List<String> warmupProblems = new ArrayList<>();
    try (BenchCluster cluster = BenchCluster.start();
        LazyEngines engines = new LazyEngines()) {
      for (String name : plan.jobs()) {
        Generator generator = generators.get(name);
        if (plan.warmupEvents() > 0) {
          out.printf("%s: warm-up round, %,d events ...%n", name, plan.warmupEvents());
          try (Workload warmup =
              generator.generate(plan.warmupEvents(), plan.segments(), plan.seed() + 1)) {
            for (Measured run : runAll(cluster, engines, warmup, plan, out)) {
              run.problems()
                  .forEach(p -> warmupProblems.add(name + " warm-up " + run.variant() + ": " + p));
            }
          }
        }
        long generating = System.nanoTime();
        try (Workload workload = generator.generate(plan.events(), plan.segments(), plan.seed())) {
          out.printf(
              Locale.ROOT,
              "%s: %,d input records (%,d events, their duplicates and bad records), %,d window"
                  + " rows expected; generated in %.1f s%n",
              name,
              workload.records(),
              workload.events(),
              workload.windowRows(),
              (System.nanoTime() - generating) / 1e9);
          measured.addAll(runAll(cluster, engines, workload, plan, out));
        }
      }
    }
    String loadAfter = loadAverage();
    out.println();
    out.printf(
        "Pipeline benchmark: %,d events per job, %d segments, parallelism %d; load average"
            + " (1, 5, 15 min) before %s, after %s, on %d cores%n%n",
        plan.events(),
        plan.segments(),
        plan.parallelism(),
        loadBefore,
        loadAfter,
        Runtime.getRuntime().availableProcessors());
    printTable(out, measured, plan.checkpointInterval());
    boolean failed = !warmupProblems.isEmpty() || measured.stream().anyMatch(m -> !m.ok());
    warmupProblems.forEach(problem -> out.println("FAILED " + problem));
    return failed ? 1 : 0;
  }

  private static List<Measured> runAll(
      BenchCluster cluster, LazyEngines engines, Workload workload, Plan plan, PrintStream out) {
    int parallelism = plan.parallelism();
    List<Measured> runs = new ArrayList<>();
    long records = workload.records();
    runs.add(
        measure(
            cluster,
            workload,
            "(a) pass-through",
            records,
            "events",
            () -> workload.passThrough(parallelism),
            out));
    runs.add(
        measure(
            cluster,
            workload,
            "(b) job graph",
            records,
            "events",
            () -> workload.jobGraph(parallelism),
            out));
    runs.add(
        measure(
            cluster,
            workload,
            "(c) Flink SQL",
            records,
            "events",
            () -> workload.sql(parallelism),
            out));
    runs.add(
        measure(
            cluster,
            workload,
            "(d) end to end",
            records,
            "events",
            () -> workload.endToEnd(engines.get(), parallelism, plan.checkpointInterval()),
            out));
    runs.add(
        measure(
            cluster,
            workload,
            "ClickHouse sink alone",
            workload.windowRows(),
            "rows",
            () -> workload.sinkAlone(engines.get(), parallelism),
            out));
    return runs;
  }

  /** Prepares a run, times it, checks it; a failure to run is a failed check. */
  private static Measured measure(
      BenchCluster cluster,
      Workload workload,
      String variant,
      long units,
      String unit,
      Callable<Run> prepare,
      PrintStream out) {
    Cost cost = new Cost(0, 0);
    List<String> problems;
    try {
      Run run = prepare.call();
      cost = cluster.run(run.env(), "bench " + workload.job() + " " + variant);
      problems = run.check().problems();
    } catch (Exception e) {
      problems = List.of("the run failed: " + e);
    }
    Measured measured = new Measured(workload.job(), variant, units, unit, cost, problems);
    out.printf(
        Locale.ROOT,
        "  %s %s: %.1f s, %s%n",
        workload.job(),
        variant,
        cost.wallNanos() / 1e9,
        measured.ok() ? "ok" : "FAILED: " + String.join("; ", problems));
    return measured;
  }

  private static void printTable(
      PrintStream out, List<Measured> measured, Duration checkpointInterval) {
    out.printf(
        "%-8s %-22s %12s %8s %13s %8s %13s  %s%n",
        "job", "run", "records", "wall s", "per s (wall)", "CPU s", "per CPU-s", "result");
    for (Measured m : measured) {
      String result = (m.ok() ? "ok" : "FAILED") + (m.unit().equals("rows") ? " (rows)" : "");
      if (m.cost().wallNanos() == 0) {
        // The run did not get as far as its job's end: no figures.
        out.printf(
            Locale.ROOT,
            "%-8s %-22s %,12d %8s %13s %8s %13s  %s%n",
            m.job(),
            m.variant(),
            m.units(),
            "-",
            "-",
            "-",
            "-",
            result);
        continue;
      }
      out.printf(
          Locale.ROOT,
          "%-8s %-22s %,12d %8.1f %,13.0f %8.1f %,13.0f  %s%n",
          m.job(),
          m.variant(),
          m.units(),
          m.cost().wallNanos() / 1e9,
          m.perWallSecond(),
          m.cost().cpuNanos() / 1e9,
          m.perCpuSecond(),
          result);
    }
    out.println();
    Map<String, Map<String, Measured>> byJob = new LinkedHashMap<>();
    measured.forEach(
        m -> byJob.computeIfAbsent(m.job(), j -> new LinkedHashMap<>()).put(m.variant(), m));
    byJob.forEach(
        (job, runs) ->
            out.printf(
                Locale.ROOT,
                "%s ratios, per CPU-second (wall): (b)/(a) %s  (b)/(c) %s  (d)/(a) %s%n",
                job,
                ratio(runs.get("(b) job graph"), runs.get("(a) pass-through")),
                ratio(runs.get("(b) job graph"), runs.get("(c) Flink SQL")),
                ratio(runs.get("(d) end to end"), runs.get("(a) pass-through"))));
    out.printf(
        "(a)-(c): heap state, no checkpoints. (d): RocksDB state, incremental checkpoints every"
            + " %s s%s.%n",
        checkpointInterval.toMillis() / 1000.0,
        checkpointInterval.equals(RuntimeOptions.DEFAULT_CHECKPOINT_INTERVAL)
            ? ", as in production"
            : "");
    for (Measured m : measured) {
      if (!m.ok()) {
        m.problems().forEach(p -> out.println("FAILED " + m.job() + " " + m.variant() + ": " + p));
      }
    }
  }

  private static String ratio(Measured numerator, Measured denominator) {
    if (numerator == null || denominator == null || !numerator.ok() || !denominator.ok()) {
      return "n/a";
    }
    return String.format(
        Locale.ROOT,
        "%.2f (%.2f)",
        numerator.perCpuSecond() / denominator.perCpuSecond(),
        numerator.perWallSecond() / denominator.perWallSecond());
  }

  /** The system's load averages, as {@code uptime} prints them. */
  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** The engines, started by the first run that needs them (the in-memory runs do not). */
  private static final class LazyEngines implements AutoCloseable {
    private Engines engines;

    Engines get() throws Exception {
      if (engines == null) {
        engines = Engines.start();
      }
      return engines;
    }

    @Override
    public void close() throws Exception {
      if (engines != null) {
        engines.close();
      }
    }
  }
}
