package io.cxpulse.jobs.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.jobs.checkout.CheckoutJob;
import io.cxpulse.jobs.survey.SurveyJob;
import io.cxpulse.jobs.tickets.TicketJob;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * The alerting flags as every metric job takes them: a bad or missing rules file is a usage error
 * (exit code 2, the message naming the problem) before anything starts, and the alert topic and
 * webhook flags parse the same way in each job.
 */
class AlertOptionsTest {

  @TempDir Path dir;

  static Stream<Supplier<Object>> jobs() {
    return Stream.of(SurveyJob::new, CheckoutJob::new, TicketJob::new);
  }

  @ParameterizedTest
  @MethodSource("jobs")
  void aRulesFileWithAnUnknownKeyIsAUsageErrorNamingTheLine(Supplier<Object> job) throws Exception {
    Path rules = dir.resolve("rules.yaml");
    Files.writeString(
        rules,
        """
        rules:
          - id: csat-low
            metric: csat
            window: 15m
            condition: {below: 50}
            min_sample: 50
            severity: warning
            cooldown: 30m
        """);

    StringWriter err = new StringWriter();
    int exit = command(job, err).execute("--alert-rules", rules.toString());

    assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("min_sample").contains("line 6");
  }

  @ParameterizedTest
  @MethodSource("jobs")
  void aMissingRulesFileIsAUsageError(Supplier<Object> job) {
    StringWriter err = new StringWriter();
    int exit = command(job, err).execute("--alert-rules", dir.resolve("absent.yaml").toString());

    assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("absent.yaml");
  }

  @ParameterizedTest
  @MethodSource("jobs")
  void anInvalidWebhookUrlIsAUsageError(Supplier<Object> job) {
    StringWriter err = new StringWriter();
    int exit = command(job, err).execute("--alert-webhook-url", "not a url");

    assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
  }

  @Test
  void theAlertTopicIsReadAmongAJobsOtherFlags() {
    AlertOptions flags =
        AlertOptions.parse("--bootstrap-servers", "kafka:9092", "--alert-topic", "ops.alerts");

    assertThat(flags.topic()).isEqualTo("ops.alerts");
    assertThat(AlertOptions.parse("--bootstrap-servers", "kafka:9092").topic())
        .isEqualTo(AlertSinks.DEFAULT_ALERT_TOPIC);
  }

  @Test
  void withoutFlagsTheOptionsAreTheDeclaredDefaults() {
    assertThat(AlertOptions.parse()).isEqualTo(AlertOptions.DEFAULTS);
  }

  @Test
  void theWebhookUrlIsNeverShownByTheOptions() {
    String url = "https://hooks.example.com/services/T000/B000/secret-token";
    AlertOptions options = AlertOptions.parse("--alert-webhook-url", url);

    assertThat(options.hasWebhook()).isTrue();
    assertThat(options.webhookUrl()).isEqualTo(url);
    assertThat(options.toString()).doesNotContain("secret-token").contains("webhook=(set)");
  }

  private static CommandLine command(Supplier<Object> job, StringWriter err) {
    CommandLine command = new CommandLine(job.get());
    command.setErr(new PrintWriter(err));
    return command;
  }
}
