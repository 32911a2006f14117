package io.cxpulse.local;

import io.cxpulse.jobs.pipeline.UsageErrors;
import io.cxpulse.local.bench.ClickHouseJdbcBenchmark;
import io.cxpulse.local.bench.DashboardQueryBenchmark;
import io.cxpulse.local.bench.PipelineBenchmark;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code cx-pulse} command line: the local mode and the benchmarks, one JVM each. */
@Command(
    name = "cx-pulse",
    mixinStandardHelpOptions = true,
    versionProvider = CxPulseVersion.class,
    description = "Streaming customer-experience analytics: Kafka -> Flink -> ClickHouse.",
    subcommands = {
      LocalMode.class,
      ClickHouseJdbcBenchmark.class,
      DashboardQueryBenchmark.class,
      PipelineBenchmark.class
    })
public final class CxPulseCommand {

  private CxPulseCommand() {}

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /**
   * The command line as {@link #main} runs it. Usage errors name the launcher's command for help
   * ({@code ./cx-pulse run --help}), which is what a person typed, not the subcommand behind it.
   */
  static CommandLine commandLine() {
    return UsageErrors.install(
        new CommandLine(new CxPulseCommand()),
        spec ->
            switch (spec.name()) {
              case "local" -> "./cx-pulse run";
              case "bench-clickhouse" -> "./cx-pulse bench";
              case "bench-dashboards" -> "./cx-pulse bench dashboards";
              case "bench-pipeline" -> "./cx-pulse bench pipeline";
              default -> "./cx-pulse";
            });
  }
}
