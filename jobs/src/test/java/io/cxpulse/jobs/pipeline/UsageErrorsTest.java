package io.cxpulse.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.jobs.survey.SurveyJob;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class UsageErrorsTest {

  @Test
  void aJobsBadArgumentIsItsMessageAndOneLineAboutHelpNotTheUsage() {
    StringWriter err = new StringWriter();
    CommandLine commandLine = UsageErrors.install(new CommandLine(new SurveyJob()));
    commandLine.setErr(new PrintWriter(err));

    int exitCode = commandLine.execute("--window", "abc");

    assertThat(exitCode).isEqualTo(2);
    assertThat(err.toString()).contains("abc").doesNotContain("Usage:");
    assertThat(err.toString().lines().toList())
        .hasSizeLessThanOrEqualTo(3)
        .last()
        .isEqualTo(
            "Try '" + commandLine.getCommandSpec().qualifiedName() + " --help' for the options.");
  }
}
