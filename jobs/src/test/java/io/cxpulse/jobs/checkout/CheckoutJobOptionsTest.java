package io.cxpulse.jobs.checkout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cxpulse.jobs.aggregate.WindowAggregation;
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

class CheckoutJobOptionsTest {

  @Test
  void theCommandLineDefaultsAreTheDeclaredOnes() {
    // The password default comes from CLICKHOUSE_PASSWORD, which the test cannot control.
    CheckoutJobOptions parsed = CheckoutJob.parseOptions("--clickhouse-password=");
    CheckoutJobOptions defaults = CheckoutJobOptions.defaults();

    assertThat(parsed).isEqualTo(defaults);
    assertThat(defaults.topic()).isEqualTo("cx.checkout");
    assertThat(defaults.groupId()).isEqualTo("cx-pulse-checkout");
    assertThat(defaults.deadLetterTopic()).isEqualTo("cx.dead-letters");
    assertThat(defaults.eventTime().window()).isEqualTo(Duration.ofMinutes(1));
    assertThat(defaults.eventTime().allowedLateness()).isEqualTo(Duration.ofHours(1));
    assertThat(defaults.inactivityTimeout()).isEqualTo(Duration.ofMinutes(30));
    assertThat(defaults.maxCheckoutDuration()).isEqualTo(Duration.ofHours(6));
    assertThat(defaults.salts()).isEqualTo(WindowAggregation.DEFAULT_SALTS);
    assertThat(defaults.retention()).isEqualTo(Duration.ofHours(7));
    assertThat(defaults.runtime().hasParallelism()).isFalse();
  }

  @Test
  void parsesEveryFlag() {
    CheckoutJobOptions options =
        CheckoutJob.parseOptions(
            "--bootstrap-servers",
            "kafka:29092",
            "--topic",
            "c",
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
            "--inactivity-timeout",
            "45m",
            "--max-checkout-duration",
            "12h",
            "--dedup-ttl",
            "48h",
            "--max-future-skew",
            "10m",
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
            "50",
            "--jdbc-flush-interval",
            "2s",
            "--salts",
            "16");

    assertThat(options)
        .isEqualTo(
            new CheckoutJobOptions(
                new KafkaOptions("kafka:29092"),
                "c",
                "d",
                "g",
                new ClickHouseOptions("jdbc:clickhouse:http://ch:8123/cx", "cx", "secret"),
                new EventTimeOptions(
                    Duration.ofMinutes(5),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(30),
                    Duration.ofHours(2)),
                Duration.ofMinutes(45),
                Duration.ofHours(12),
                new EventGateOptions(
                    Duration.ofHours(48),
                    new EventGate(
                        Duration.ofMinutes(10), Instant.parse("2010-06-01T00:00:00Z"), 100)),
                new RuntimeOptions(Duration.ofMinutes(1), 4, true, 50, Duration.ofSeconds(2)),
                16));
    assertThat(options.retention()).isEqualTo(Duration.ofHours(14));
    assertThat(options.toString()).doesNotContain("secret").contains("clickhousePassword=(set)");
  }

  @Test
  void rejectsValuesOutOfRangeAsBadArguments() {
    assertThatThrownBy(
            () ->
                CheckoutJob.parseOptions(
                    "--inactivity-timeout", "2h", "--max-checkout-duration", "1h"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("inactivity timeout");
    assertThatThrownBy(() -> CheckoutJob.parseOptions("--salts", "0"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CheckoutJob.parseOptions("--window", "0s"))
        .isInstanceOf(IllegalArgumentException.class);

    StringWriter err = new StringWriter();
    int exit =
        new CommandLine(new CheckoutJob())
            .setErr(new PrintWriter(err, true))
            .execute("--max-checkout-duration", "10m");
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("max checkout duration");
  }
}
