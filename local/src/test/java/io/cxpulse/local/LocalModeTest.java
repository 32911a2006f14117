package io.cxpulse.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cxpulse.events.Channel;
import io.cxpulse.jobs.generator.live.Incident;
import io.cxpulse.jobs.sql.MigrationResult;
import io.cxpulse.jobs.survey.SurveyJobOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LocalModeTest {

  @Test
  void incidentNamesAKindAndAChannel() {
    assertThat(Incident.parse("csat-drop:web").channel()).isEqualTo(Channel.WEB);
    assertThat(Incident.parse("CSAT-DROP:Mobile_App").channel()).isEqualTo(Channel.MOBILE_APP);
    assertThat(Incident.parse("csat-drop:web")).hasToString("csat-drop:web");
    assertThat(Incident.parse("payment-outage:mobile_app"))
        .isEqualTo(new Incident(Incident.Kind.PAYMENT_OUTAGE, Channel.MOBILE_APP));
    assertThat(Incident.parse("slow-support:chat"))
        .isEqualTo(new Incident(Incident.Kind.SLOW_SUPPORT, Channel.CHAT));
    assertThatThrownBy(() -> Incident.parse("web")).hasMessageContaining("csat-drop:CHANNEL");
    assertThatThrownBy(() -> Incident.parse("meltdown:web"))
        .hasMessageContaining("payment-outage:CHANNEL");
    assertThatThrownBy(() -> Incident.parse("csat-drop:unknown"))
        .hasMessageContaining("unknown channel")
        .hasMessageContaining("mobile_app");
  }

  @Test
  void aTakenPortIsReportedWithTheFlagToChange() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      assertThatThrownBy(
              () ->
                  LocalMode.requirePortFree(
                      "127.0.0.1", taken.getLocalPort(), "Kafka", "--kafka-port"))
          .isInstanceOf(LocalMode.PortInUseException.class)
          .hasMessageContaining("port " + taken.getLocalPort())
          .hasMessageContaining("Kafka")
          .hasMessageContaining("--kafka-port");
    }
    LocalMode.requirePortFree("127.0.0.1", 0, "Kafka", "--kafka-port");
  }

  @Test
  void summaryIntervalZeroMeansNone() {
    LocalMode.OptionalDurationConverter converter = new LocalMode.OptionalDurationConverter();
    assertThat(converter.convert("0")).isZero();
    assertThat(converter.convert("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(converter.convert("PT1M")).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void badFlagValuesAreUsageErrors() {
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new LocalMode()).setErr(new PrintWriter(err));
    PrintStream stdout = System.out;
    ByteArrayOutputStream ignored = new ByteArrayOutputStream();
    int exitCode;
    try {
      System.setOut(new PrintStream(ignored, true, StandardCharsets.UTF_8));
      exitCode =
          command.execute(
              "--rate",
              "0",
              "--incident",
              "csat-drop:web",
              "--parallelism",
              "3",
              "--partitions",
              "2");
    } finally {
      System.setOut(stdout);
    }
    assertThat(exitCode).isEqualTo(2);
    assertThat(err.toString())
        .contains("--rate must be a positive number")
        // Watermarks are per partition: a parallelism above the partition count is fine.
        .doesNotContain("must not exceed");
  }

  @Test
  void theBannerPrintsDurationsInHumanUnits(@TempDir Path dir) throws Exception {
    String banner =
        String.join(
            "\n",
            banner(
                dir,
                "127.0.0.1",
                "--checkpoint-interval",
                "20m",
                "--inactivity-timeout",
                "10m",
                "--driver-window",
                "60s",
                "--summary-interval",
                "90s"));

    assertThat(banner)
        .contains("checkpoints every 20 min")
        .contains("1 min windows, checkouts abandoned after 10 min")
        .contains("(1 min windows)")
        .contains("a window 20 min after it ends")
        .contains("A summary follows every 1 min 30 s")
        .doesNotContainPattern("\\d+ s windows")
        .doesNotContain("1200 s")
        .doesNotContain("600 s");
  }

  @Test
  void withAnotherHostTheBannerSaysWhyKafkaStaysOnLoopback(@TempDir Path dir) throws Exception {
    assertThat(banner(dir, "localhost", "--host", "localhost"))
        .filteredOn(line -> line.contains("127.0.0.1"))
        .singleElement()
        .asString()
        .startsWith("  Kafka bootstrap   127.0.0.1:9092")
        .contains("always on loopback");
    assertThat(banner(dir, "127.0.0.1"))
        .filteredOn(line -> line.contains("Kafka bootstrap"))
        .singleElement()
        .asString()
        .doesNotContain("loopback");
  }

  /**
   * The banner of a local mode parsed from {@code args}, its services answering on {@code
   * serviceHost} (as the embedded servers report the host they were given).
   */
  private static List<String> banner(Path dir, String serviceHost, String... args)
      throws Exception {
    LocalMode mode = new LocalMode();
    new CommandLine(mode).parseArgs(args);
    mode.credentials = LocalCredentials.loadOrCreate(dir);
    mode.rules = LocalAlertRules.load();
    return mode.banner(
        new LocalMode.Endpoints(
            "127.0.0.1:9092",
            "http://" + serviceHost + ":8123/",
            "jdbc:clickhouse:http://" + serviceHost + ":8123/default",
            "http://" + serviceHost + ":8081/"),
        "RUNNING",
        List.of(SurveyJobOptions.DEFAULT_TOPIC),
        SurveyJobOptions.defaults(),
        new MigrationResult(List.of(), 7, 7),
        Instant.parse("2025-06-01T12:00:00Z"));
  }

  @Test
  void theDataDirectoryIsTheFlagsFromTheWorkingDirectoryElseTheDefaultInTheHome(
      @TempDir Path home) {
    String before = System.getProperty(CxPulseHome.PROPERTY);
    System.setProperty(CxPulseHome.PROPERTY, home.toString());
    try {
      LocalMode byDefault = new LocalMode();
      new CommandLine(byDefault).parseArgs();
      assertThat(byDefault.dataDir()).isEqualTo(home.resolve(LocalMode.DEFAULT_DATA_DIR));

      LocalMode given = new LocalMode();
      new CommandLine(given).parseArgs("--data-dir", "my-data");
      assertThat(given.dataDir()).isEqualTo(Path.of("my-data").toAbsolutePath());
    } finally {
      if (before == null) {
        System.clearProperty(CxPulseHome.PROPERTY);
      } else {
        System.setProperty(CxPulseHome.PROPERTY, before);
      }
    }
  }

  @Test
  void aBadAlertRulesFileIsAUsageErrorBeforeAnythingStarts(@TempDir Path dir) throws Exception {
    Path rules =
        Files.writeString(dir.resolve("rules.yaml"), "rules:\n  - id: x\n    metric: joy\n");
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new LocalMode()).setErr(new PrintWriter(err));
    int exitCode = command.execute("--alert-rules", rules.toString());
    assertThat(exitCode).isEqualTo(2);
    assertThat(err.toString()).contains("rules.yaml line 2: rule 'x'");
  }
}
