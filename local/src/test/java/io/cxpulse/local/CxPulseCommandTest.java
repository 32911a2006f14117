package io.cxpulse.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.jobs.checkout.CheckoutJobOptions;
import io.cxpulse.jobs.survey.SurveyJobOptions;
import io.cxpulse.jobs.tickets.TicketJobOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** The launcher's command line as a person meets it: a bad argument, answered in a few lines. */
class CxPulseCommandTest {

  private final StringWriter err = new StringWriter();
  private final StringWriter out = new StringWriter();

  private int run(String... args) {
    CommandLine commandLine = CxPulseCommand.commandLine();
    commandLine.setErr(new PrintWriter(err));
    commandLine.setOut(new PrintWriter(out));
    commandLine.getSubcommands().values().forEach(sub -> sub.setErr(new PrintWriter(err)));
    return commandLine.execute(args);
  }

  @Test
  void aBadValueIsItsMessageAndOneLineAboutHelp() {
    assertThat(run("local", "--rate", "-5")).isEqualTo(2);

    assertThat(err.toString().lines())
        .containsExactly(
            "--rate must be a positive number", "Try './cx-pulse run --help' for the options.");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void aMistypedOptionGetsASuggestionNotTheWholeUsage() {
    assertThat(run("local", "--rat", "5")).isEqualTo(2);

    String text = err.toString();
    assertThat(text).contains("Unknown options: '--rat'").contains("--rate");
    assertThat(text)
        .endsWith("Try './cx-pulse run --help' for the options." + System.lineSeparator());
    assertThat(text.lines().count()).isLessThanOrEqualTo(6);
  }

  @ParameterizedTest(name = "{0} --version")
  @ValueSource(strings = {"", "local", "bench-clickhouse", "bench-pipeline"})
  void everyCommandPrintsTheMavenProjectVersion(String command) throws Exception {
    String[] args = command.isEmpty() ? new String[] {"--version"} : new String[] {command, "-V"};

    assertThat(run(args)).isZero();

    assertThat(out.toString().strip()).isEqualTo("CX Pulse " + projectVersion());
  }

  @ParameterizedTest(name = "bench pipeline {0}")
  @ValueSource(
      strings = {
        "--segments 6|--segments must be 4 or a multiple of 4",
        "--parallelism 3|--parallelism must be 1 to 2",
        "--job orders|--job must be survey, checkout, tickets or all",
        "--events 10|--events must be at least 1000"
      })
  void thePipelineBenchmarkRefusesAValueOutOfRangeBeforeItStarts(String argsAndMessage) {
    String[] parts = argsAndMessage.split("\\|");
    List<String> args = new ArrayList<>(List.of("bench-pipeline"));
    args.addAll(List.of(parts[0].split(" ")));

    assertThat(run(args.toArray(String[]::new))).isEqualTo(2);

    assertThat(err.toString().lines())
        .hasSize(2)
        .satisfies(lines -> assertThat(lines.get(0)).startsWith(parts[1]))
        .endsWith("Try './cx-pulse bench pipeline --help' for the options.");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void parallelismAndPartitionsApplyToEveryJobAndInputTopic() {
    CommandSpec local = CxPulseCommand.commandLine().getSubcommands().get("local").getCommandSpec();

    assertThat(String.join(" ", local.findOption("--parallelism").description()))
        .contains("each job")
        .contains("survey", "checkout", "tickets", "driver split");
    assertThat(String.join(" ", local.findOption("--partitions").description()))
        .contains(
            SurveyJobOptions.DEFAULT_TOPIC,
            CheckoutJobOptions.DEFAULT_TOPIC,
            TicketJobOptions.DEFAULT_TOPIC);
    assertThat(run("local", "--help")).isZero();
    assertThat(out.toString()).doesNotContain("survey job").doesNotContain("survey topic");
  }

  /** The version declared in the reactor's pom.xml, read the way Maven reads it. */
  private static String projectVersion() throws Exception {
    Path moduleDir =
        Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    Element project =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(moduleDir.getParent().resolve("pom.xml").toFile())
            .getDocumentElement();
    NodeList children = project.getChildNodes();
    for (int i = 0; i < children.getLength(); i++) {
      if (children.item(i) instanceof Element element && element.getTagName().equals("version")) {
        return element.getTextContent().strip();
      }
    }
    throw new AssertionError("no <version> in the reactor's pom.xml");
  }

  @Test
  void anUnparsableDurationNamesTheFlag() {
    assertThat(run("local", "--checkpoint-interval", "soon")).isEqualTo(2);

    assertThat(err.toString()).contains("--checkpoint-interval").contains("soon");
    assertThat(err.toString().lines().count()).isLessThanOrEqualTo(3);
  }
}
