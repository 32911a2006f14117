package io.cxpulse.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

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

  @Test
  void anUnparsableDurationNamesTheFlag() {
    assertThat(run("local", "--checkpoint-interval", "soon")).isEqualTo(2);

    assertThat(err.toString()).contains("--checkpoint-interval").contains("soon");
    assertThat(err.toString().lines().count()).isLessThanOrEqualTo(3);
  }
}
