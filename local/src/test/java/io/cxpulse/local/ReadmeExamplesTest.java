package io.cxpulse.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.cxpulse.local.ReadmeExamples.Example;
import io.cxpulse.local.ReadmeExamples.Kind;
import io.cxpulse.local.ReadmeExamples.Parsed;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What {@link ReadmeExamples} finds in a document; {@code ReadmeExamplesITCase} runs it. */
class ReadmeExamplesTest {

  private static final String FENCE = "```";

  @Test
  void findsSqlBlocksCurlCommandsAndVariablesWithTheirLinesAndSections() {
    Parsed parsed =
        ReadmeExamples.parse(
            String.join(
                "\n",
                "# Title",
                "## Scores",
                FENCE + "bash",
                "CH=\"cx_reader:$(sed -n 's/^cx_reader=//p' data/local/users.properties)\"",
                "./cx-pulse run   # not an example: not curl",
                "curl -u \"$CH\" 'http://127.0.0.1:8123/' --data-binary \"SELECT a",
                "  FROM t FORMAT PrettyCompact\"",
                "",
                "# a comment, then a continued command",
                "curl -u \"$CH\" \\",
                "  --data-binary 'SELECT 1' http://127.0.0.1:8123/",
                FENCE,
                "### Views",
                FENCE + "sql",
                "SELECT b",
                "FROM v",
                FENCE,
                FENCE + "python",
                "curl = 1",
                FENCE,
                FENCE,
                "curl -u x http://127.0.0.1:8123/ # output blocks are not shell",
                FENCE));

    assertThat(parsed.variables())
        .containsExactly(
            "CH=\"cx_reader:$(sed -n 's/^cx_reader=//p' data/local/users.properties)\"");
    assertThat(parsed.examples())
        .containsExactly(
            new Example(
                Kind.CURL,
                6,
                "Scores",
                "curl -u \"$CH\" 'http://127.0.0.1:8123/' --data-binary \"SELECT a\n"
                    + "  FROM t FORMAT PrettyCompact\"",
                null),
            new Example(
                Kind.CURL,
                10,
                "Scores",
                "curl -u \"$CH\" \\\n  --data-binary 'SELECT 1' http://127.0.0.1:8123/",
                null),
            new Example(Kind.SQL, 15, "Views", "SELECT b\nFROM v", null));
    assertThat(parsed.skipped()).isEmpty();
  }

  @Test
  void aMarkerSkipsTheWholeBlockAfterItWithItsReasonAndItsVariables() {
    Parsed parsed =
        ReadmeExamples.parse(
            String.join(
                "\n",
                "## Incidents",
                "Prose may name `<!-- docs-test: skip (why) -->`.",
                "<!-- docs-test: skip (needs a --incident run) -->",
                "",
                FENCE + "bash",
                "X=1",
                "curl -u \"$CH\" http://127.0.0.1:8123/?query=SELECT+1",
                "curl -u \"$CH\" http://127.0.0.1:8123/?query=SELECT+2",
                FENCE,
                FENCE + "sql",
                "SELECT 3",
                FENCE));

    assertThat(parsed.skipped())
        .extracting(Example::line, Example::skipReason)
        .containsExactly(tuple(7, "needs a --incident run"), tuple(8, "needs a --incident run"));
    assertThat(parsed.runnable()).extracting(Example::text).containsExactly("SELECT 3");
    assertThat(parsed.variables()).isEmpty();
    assertThat(parsed.skipped().get(0).name())
        .isEqualTo("line 7 [Incidents] curl -u \"$CH\" http://127.0.0.1:8123/?query=SELECT+1");
  }

  @Test
  void aMarkerThatSkipsNothingOrSaysNothingIsAnError() {
    assertThatThrownBy(
            () ->
                ReadmeExamples.parse(
                    "<!-- docs-test: skip (stale) -->\nSome prose.\n"
                        + FENCE
                        + "sql\nSELECT 1\n"
                        + FENCE))
        .hasMessageContaining("line 1")
        .hasMessageContaining("not right before a code block");
    assertThatThrownBy(
            () ->
                ReadmeExamples.parse(
                    "<!-- docs-test: skip (output) -->\n" + FENCE + "\nrows\n" + FENCE))
        .hasMessageContaining("without SQL or curl examples");
    assertThatThrownBy(
            () ->
                ReadmeExamples.parse(
                    "<!-- docs-test: skip -->\n" + FENCE + "sql\nSELECT 1\n" + FENCE))
        .hasMessageContaining("docs-test: skip (reason)");
    assertThatThrownBy(
            () ->
                ReadmeExamples.parse(
                    "<!-- docs-test: skipp (typo) -->\n" + FENCE + "sql\nSELECT 1\n" + FENCE))
        .hasMessageContaining("docs-test: skip (reason)");
    assertThatThrownBy(() -> ReadmeExamples.parse("<!-- docs-test: skip (at the end) -->\n"))
        .hasMessageContaining("not right before a code block");
  }

  @Test
  void quotesKeepNewlinesAndHashesInsideOneCommand() {
    assertThat(
            ReadmeExamples.ShellCommand.split(
                "curl --data-binary 'SELECT \"#1\"\n  , 2' x # end\nCH=a\\ b\necho \"a\n#b\""))
        .extracting(ReadmeExamples.ShellCommand::line, ReadmeExamples.ShellCommand::text)
        .containsExactly(
            tuple(0, "curl --data-binary 'SELECT \"#1\"\n  , 2' x"),
            tuple(2, "CH=a\\ b"),
            tuple(3, "echo \"a\n#b\""));
    assertThatThrownBy(() -> ReadmeExamples.ShellCommand.split("curl 'open"))
        .hasMessageContaining("unterminated");
  }

  @Test
  void theReadmeHasCurlAndSqlExamplesAndEverySkipSaysWhy() throws Exception {
    Path readme =
        Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
            .toAbsolutePath()
            .getParent()
            .resolve("README.md");

    Parsed parsed = ReadmeExamples.parse(Files.readString(readme));

    assertThat(parsed.runnable()).extracting(Example::kind).contains(Kind.CURL, Kind.SQL);
    assertThat(parsed.variables()).anyMatch(variable -> variable.startsWith("CH="));
    assertThat(parsed.skipped()).allMatch(example -> !example.skipReason().isBlank());
  }
}
