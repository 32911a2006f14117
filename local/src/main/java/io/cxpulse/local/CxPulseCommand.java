package io.cxpulse.local;

import io.cxpulse.local.bench.ClickHouseJdbcBenchmark;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code cx-pulse} command line: the local mode and the benchmarks, one JVM each. */
@Command(
    name = "cx-pulse",
    mixinStandardHelpOptions = true,
    version = "CX Pulse 0.1.0",
    description = "Streaming customer-experience analytics: Kafka -> Flink -> ClickHouse.",
    subcommands = {LocalMode.class, ClickHouseJdbcBenchmark.class})
public final class CxPulseCommand {

  private CxPulseCommand() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new CxPulseCommand()).execute(args));
  }
}
