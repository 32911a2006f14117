package io.cxpulse.jobs.survey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cxpulse.jobs.pipeline.ClickHouseOptions;
import io.cxpulse.jobs.pipeline.EventGateOptions;
import io.cxpulse.jobs.pipeline.EventTimeOptions;
import io.cxpulse.jobs.pipeline.KafkaOptions;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import io.cxpulse.jobs.validation.EventGate;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SurveyJobOptionsTest {

  @Test
  void theCommandLineDefaultsAreTheDeclaredOnes() {
    // The password default comes from CLICKHOUSE_PASSWORD, which the test cannot control.
    SurveyJobOptions parsed = SurveyJob.parseOptions("--clickhouse-password=");
    SurveyJobOptions defaults = SurveyJobOptions.defaults();

    assertThat(parsed).isEqualTo(defaults);
    assertThat(defaults.kafka().bootstrapServers()).isEqualTo("127.0.0.1:9092");
    assertThat(defaults.topic()).isEqualTo("cx.surveys");
    assertThat(defaults.deadLetterTopic()).isEqualTo("cx.dead-letters");
    assertThat(defaults.clickHouse().clickhouseUrl())
        .isEqualTo("jdbc:clickhouse:http://127.0.0.1:8123/default");
    assertThat(defaults.eventTime().window()).isEqualTo(Duration.ofMinutes(1));
    assertThat(defaults.eventTime().outOfOrderness()).isEqualTo(Duration.ofSeconds(5));
    assertThat(defaults.eventTime().idleness()).isEqualTo(Duration.ofMinutes(1));
    assertThat(defaults.eventTime().allowedLateness()).isEqualTo(Duration.ofHours(1));
    assertThat(defaults.gate().dedupTtl()).isEqualTo(Duration.ofHours(24));
    assertThat(defaults.gate().bounds().maxFutureSkew()).isEqualTo(Duration.ofMinutes(5));
    assertThat(defaults.gate().bounds().earliestEventTime())
        .isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
    assertThat(defaults.gate().bounds().maxStringBytes()).isEqualTo(256);
    assertThat(defaults.runtime().checkpointInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(defaults.runtime().hasParallelism()).isFalse();
    assertThat(defaults.runtime().bounded()).isFalse();
  }

  @Test
  void parsesEveryFlag() {
    SurveyJobOptions options =
        SurveyJob.parseOptions(
            "--bootstrap-servers",
            "kafka:29092",
            "--topic",
            "s",
            "--dead-letter-topic",
            "d",
            "--group-id",
            "g",
            "--clickhouse-url",
            "jdbc:clickhouse:http://ch:8123/cx",
            "--clickhouse-user",
            "cx",
            "--clickhouse-password",
            "secret",
            "--window",
            "5m",
            "--out-of-orderness",
            "PT10S",
            "--idleness",
            "30s",
            "--allowed-lateness",
            "2h",
            "--dedup-ttl",
            "P2D",
            "--max-future-skew",
            "15m",
            "--earliest-event-time",
            "2010-06-01T00:00:00Z",
            "--max-string-bytes",
            "100",
            "--checkpoint-interval",
            "1m",
            "--parallelism",
            "4",
            "--bounded",
            "--jdbc-batch-size",
            "500",
            "--jdbc-flush-interval",
            "250ms",
            "--salts",
            "12");

    assertThat(options)
        .isEqualTo(
            new SurveyJobOptions(
                new KafkaOptions("kafka:29092"),
                "s",
                "d",
                "g",
                new ClickHouseOptions("jdbc:clickhouse:http://ch:8123/cx", "cx", "secret"),
                new EventTimeOptions(
                    Duration.ofMinutes(5),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(30),
                    Duration.ofHours(2)),
                new EventGateOptions(
                    Duration.ofDays(2),
                    new EventGate(
                        Duration.ofMinutes(15), Instant.parse("2010-06-01T00:00:00Z"), 100)),
                new RuntimeOptions(Duration.ofMinutes(1), 4, true, 500, Duration.ofMillis(250)),
                12));
  }

  @Test
  void badValuesAreRejected() {
    assertThatThrownBy(() -> SurveyJob.parseOptions("--window", "soon"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("soon");
    assertThatThrownBy(() -> SurveyJob.parseOptions("--window", "0s"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SurveyJob.parseOptions("--parallelism", "0"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SurveyJob.parseOptions("--salts", "0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("salts");
  }

  @Test
  void outOfRangeValueOnTheCommandLineIsAUsageError() {
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new SurveyJob());
    command.setErr(new PrintWriter(err));

    int exitCode = command.execute("--allowed-lateness", "-PT1S");

    assertThat(exitCode).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("allowed lateness must not be negative");
  }

  @Test
  void toStringNeverShowsThePassword() {
    SurveyJobOptions options =
        SurveyJob.parseOptions(
            "--clickhouse-password",
            "hunter2",
            "--clickhouse-url",
            "jdbc:clickhouse:http://u:pw@ch:8123/db?password=pw");

    assertThat(options.toString())
        .doesNotContain("hunter2")
        .doesNotContain("pw")
        .contains("clickhousePassword=(set)");
  }
}
