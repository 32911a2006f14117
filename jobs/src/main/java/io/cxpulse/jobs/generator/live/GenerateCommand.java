package io.cxpulse.jobs.generator.live;

import io.cxpulse.jobs.checkout.CheckoutJobOptions;
import io.cxpulse.jobs.pipeline.DurationConverter;
import io.cxpulse.jobs.pipeline.KafkaOptions;
import io.cxpulse.jobs.pipeline.UsageErrors;
import io.cxpulse.jobs.survey.SurveyJobOptions;
import io.cxpulse.jobs.tickets.TicketJobOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The traffic generator of local mode, on its own: realistic survey, checkout and ticket events
 * (with follow-up surveys, bad records, duplicates and scripted incidents) produced in real time
 * into a Kafka cluster until stopped. docker-compose's {@code generator} service runs it against
 * the stack's Kafka, as flink-playgrounds' click-event generator does, so the jobs and the
 * dashboards have data without a producer of one's own.
 */
@Command(
    name = "cx-pulse-generate",
    mixinStandardHelpOptions = true,
    description =
        "Produce realistic survey, checkout and ticket events into Kafka in real time, until"
            + " stopped.",
    sortOptions = false)
public final class GenerateCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Mixin private KafkaOptions.Flags kafka = new KafkaOptions.Flags();

  @Mixin private TrafficFlags traffic = new TrafficFlags();

  @Option(
      names = "--report-interval",
      defaultValue = "PT30S",
      converter = DurationConverter.class,
      description = "Log what was sent this often (default: ${DEFAULT-VALUE}).")
  private Duration reportInterval;

  public static void main(String[] args) {
    System.exit(UsageErrors.install(new CommandLine(new GenerateCommand())).execute(args));
  }

  /**
   * Parses a command line as {@link #main} does, for checks of the arguments others pass (the
   * compose file's generator service).
   *
   * @throws CommandLine.ParameterException on a bad argument
   */
  public static TrafficFlags parse(String... args) {
    GenerateCommand command = new GenerateCommand();
    new CommandLine(command).parseArgs(args);
    List<String> problems = command.traffic.problems();
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return command.traffic;
  }

  private static String describe(LiveTraffic.Counts sent) {
    return sent.total()
        + " records ("
        + sent.badRecords()
        + " bad, "
        + sent.duplicates()
        + " duplicates, "
        + sent.failures()
        + " failed)";
  }

  @Override
  public Integer call() throws Exception {
    List<String> problems = traffic.problems();
    if (!problems.isEmpty()) {
      throw new CommandLine.ParameterException(spec.commandLine(), String.join("; ", problems));
    }
    CountDownLatch stopped = new CountDownLatch(1);
    try (LiveTrafficSet generators =
        LiveTrafficSet.start(
            kafka.options().bootstrapServers(),
            new LiveTrafficSet.Topics(
                SurveyJobOptions.DEFAULT_TOPIC,
                CheckoutJobOptions.DEFAULT_TOPIC,
                TicketJobOptions.DEFAULT_TOPIC),
            traffic,
            Instant.now(),
            generator -> {})) {
      Runtime.getRuntime()
          .addShutdownHook(new Thread(stopped::countDown, "cx-pulse-generate-shutdown"));
      // Its own output, not a log line: what a container's `docker compose logs generator` or a
      // terminal shows whatever the logging configuration.
      System.out.printf(
          "Generating into %s: %s responses/s, %s checkouts/s, %s tickets/s, incidents %s%n",
          kafka.options().bootstrapServers(),
          traffic.rate(),
          traffic.checkoutRate(),
          traffic.ticketRate(),
          traffic.incidents());
      while (!stopped.await(reportInterval.toMillis(), TimeUnit.MILLISECONDS)) {
        System.out.println("Sent " + describe(generators.counts()));
      }
      System.out.println("Stopping after " + describe(generators.counts()));
    }
    return 0;
  }
}
