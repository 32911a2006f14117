package io.cxpulse.jobs.generator.live;

import io.cxpulse.jobs.pipeline.DurationConverter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The live traffic generator's flags, declared once for every command that generates traffic: local
 * mode ({@code ./cx-pulse run}) and {@link GenerateCommand} (docker-compose's {@code generator}
 * service).
 */
public final class TrafficFlags {

  /** The environment variable that gives {@code --incident} when the flag is not given. */
  public static final String INCIDENTS_ENV = "CX_PULSE_INCIDENTS";

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Seed of the generated traffic (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--rate",
      defaultValue = "50",
      description = "Generated survey responses per second (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = "--checkout-rate",
      defaultValue = "5",
      description = "Generated checkouts started per second (default: ${DEFAULT-VALUE}).")
  double checkoutRate;

  @Option(
      names = "--ticket-rate",
      defaultValue = "1",
      description = "Generated support tickets opened per second (default: ${DEFAULT-VALUE}).")
  double ticketRate;

  @Option(
      names = "--bad-record-every",
      defaultValue = "500",
      description =
          "Send one bad record (cycling through every kind) after this many responses; 0 for"
              + " none (default: ${DEFAULT-VALUE}).")
  int badRecordEvery;

  @Option(
      names = "--duplicate-every",
      defaultValue = "1000",
      description =
          "Resend one recent response after this many responses; 0 for none"
              + " (default: ${DEFAULT-VALUE}).")
  int duplicateEvery;

  @Option(
      names = "--incident",
      paramLabel = "KIND:CHANNEL",
      split = ",",
      defaultValue = "${env:" + INCIDENTS_ENV + "}",
      converter = Incident.Converter.class,
      description =
          "Script an incident, repeatable or comma-separated: csat-drop:CHANNEL (survey scores"
              + " drop), payment-outage:CHANNEL (payments fail, abandonment rises),"
              + " slow-support:CHANNEL (first responses slow down, SLA breaches); default: the"
              + " environment variable "
              + INCIDENTS_ENV
              + ", else none.")
  List<Incident> incidents = new ArrayList<>();

  @Option(
      names = "--incident-start",
      defaultValue = "1m",
      converter = DurationConverter.class,
      description = "When the incident starts, after the generator (default: ${DEFAULT-VALUE}).")
  Duration incidentStart;

  @Option(
      names = "--incident-duration",
      defaultValue = "5m",
      converter = DurationConverter.class,
      description = "How long the incident lasts (default: ${DEFAULT-VALUE}).")
  Duration incidentDuration;

  public long seed() {
    return seed;
  }

  public double rate() {
    return rate;
  }

  public double checkoutRate() {
    return checkoutRate;
  }

  public double ticketRate() {
    return ticketRate;
  }

  public int badRecordEvery() {
    return badRecordEvery;
  }

  public int duplicateEvery() {
    return duplicateEvery;
  }

  public List<Incident> incidents() {
    return incidents;
  }

  public Duration incidentStart() {
    return incidentStart;
  }

  public Duration incidentDuration() {
    return incidentDuration;
  }

  /** What is wrong with the values, one message per problem; empty when they are usable. */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (!(rate > 0) || Double.isInfinite(rate)) {
      problems.add("--rate must be a positive number");
    }
    if (!(checkoutRate > 0) || Double.isInfinite(checkoutRate)) {
      problems.add("--checkout-rate must be a positive number");
    }
    if (!(ticketRate > 0) || Double.isInfinite(ticketRate)) {
      problems.add("--ticket-rate must be a positive number");
    }
    if (badRecordEvery < 0 || duplicateEvery < 0) {
      problems.add("--bad-record-every and --duplicate-every must not be negative");
    }
    if (incidentStart.isNegative() || incidentDuration.isNegative() || incidentDuration.isZero()) {
      problems.add("--incident-start must not be negative, --incident-duration must be positive");
    }
    return problems;
  }
}
