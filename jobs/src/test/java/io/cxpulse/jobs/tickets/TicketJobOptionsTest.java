package io.cxpulse.jobs.tickets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cxpulse.events.Channel;
import io.cxpulse.events.TicketPriority;
import io.cxpulse.jobs.aggregate.WindowAggregation;
import io.cxpulse.jobs.pipeline.ClickHouseOptions;
import io.cxpulse.jobs.pipeline.EventGateOptions;
import io.cxpulse.jobs.pipeline.EventTimeOptions;
import io.cxpulse.jobs.pipeline.KafkaOptions;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import io.cxpulse.jobs.tickets.sla.SlaTargets;
import io.cxpulse.jobs.validation.EventGate;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TicketJobOptionsTest {

  @TempDir Path dir;

  @Test
  void theCommandLineDefaultsAreTheDeclaredOnes() {
    // The password default comes from CLICKHOUSE_PASSWORD, which the test cannot control.
    TicketJobOptions parsed = TicketJob.parseOptions("--clickhouse-password=");
    TicketJobOptions defaults = TicketJobOptions.defaults();

    assertThat(parsed).isEqualTo(defaults);
    assertThat(defaults.topic()).isEqualTo("cx.tickets");
    assertThat(defaults.groupId()).isEqualTo("cx-pulse-tickets");
    assertThat(defaults.deadLetterTopic()).isEqualTo("cx.dead-letters");
    assertThat(defaults.eventTime().window()).isEqualTo(Duration.ofMinutes(1));
    assertThat(defaults.eventTime().allowedLateness()).isEqualTo(Duration.ofHours(1));
    assertThat(defaults.salts()).isEqualTo(WindowAggregation.DEFAULT_SALTS);
    assertThat(defaults.slaTargetsFile()).isEmpty();
    assertThat(defaults.slaTargets()).isEqualTo(SlaTargets.defaults());
  }

  @Test
  void parsesEveryFlag() throws Exception {
    Path targets = dir.resolve("targets.yaml");
    Files.writeString(targets, "default: {default: 2h}\nCHAT: 3m\n");

    TicketJobOptions options =
        TicketJob.parseOptions(
            "--bootstrap-servers",
            "kafka:29092",
            "--topic",
            "t",
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
            "--sla-targets",
            targets.toString(),
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
            new TicketJobOptions(
                new KafkaOptions("kafka:29092"),
                "t",
                "d",
                "g",
                new ClickHouseOptions("jdbc:clickhouse:http://ch:8123/cx", "cx", "secret"),
                targets.toString(),
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
    SlaTargets loaded = options.slaTargets();
    assertThat(loaded.targetFor(Channel.CHAT, TicketPriority.URGENT))
        .isEqualTo(Duration.ofMinutes(3));
    assertThat(loaded.targetFor(Channel.EMAIL, TicketPriority.LOW)).isEqualTo(Duration.ofHours(2));
  }

  @Test
  void badValuesAreRejected() {
    assertThatThrownBy(() -> TicketJob.parseOptions("--window", "soon"))
        .isInstanceOf(CommandLine.ParameterException.class);
    assertThatThrownBy(() -> TicketJob.parseOptions("--salts", "0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("salts");
    assertThatThrownBy(
            () ->
                TicketJob.parseOptions("--sla-targets", dir.resolve("nope").toString())
                    .slaTargets())
        .isInstanceOf(UncheckedIOException.class);
  }

  @Test
  void aBadTargetsFileIsAUsageErrorNamingTheLine() throws Exception {
    Path targets = dir.resolve("bad.yaml");
    Files.writeString(targets, "default: {default: 2h}\nCAHT: 3m\n");
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new TicketJob());
    command.setErr(new PrintWriter(err));

    int exitCode = command.execute("--sla-targets", targets.toString());

    assertThat(exitCode).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("line 2").contains("CAHT");
  }

  @Test
  void toStringNeverShowsThePassword() {
    TicketJobOptions options =
        TicketJob.parseOptions(
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
