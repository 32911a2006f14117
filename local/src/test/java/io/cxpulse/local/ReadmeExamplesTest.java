package io.cxpulse.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.cxpulse.local.ReadmeExamples.Example;
import io.cxpulse.local.ReadmeExamples.Kind;
import io.cxpulse.local.ReadmeExamples.Parsed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link ReadmeExamples} finds in a document and in the documentation; {@link
 * LiveLocalModeITCase} runs it.
 */
class ReadmeExamplesTest {

  private static final String FENCE = "```";

  @Test
  void findsSqlBlocksCurlCommandsAndVariablesWithTheirLinesAndSections() {
    Parsed parsed =
        ReadmeExamples.parse(
            "doc.md",
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
                "doc.md",
                Kind.CURL,
                6,
                "Scores",
                "curl -u \"$CH\" 'http://127.0.0.1:8123/' --data-binary \"SELECT a\n"
                    + "  FROM t FORMAT PrettyCompact\"",
                null),
            new Example(
                "doc.md",
                Kind.CURL,
                10,
                "Scores",
                "curl -u \"$CH\" \\\n  --data-binary 'SELECT 1' http://127.0.0.1:8123/",
                null),
            new Example("doc.md", Kind.SQL, 15, "Views", "SELECT b\nFROM v", null));
    assertThat(parsed.skipped()).isEmpty();
  }

  @Test
  void aMarkerSkipsTheWholeBlockAfterItWithItsReasonAndItsVariables() {
    Parsed parsed =
        ReadmeExamples.parse(
            "doc.md",
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
        .isEqualTo(
            "doc.md line 7 [Incidents] curl -u \"$CH\" http://127.0.0.1:8123/?query=SELECT+1");
  }

  @Test
  void aMarkerThatSkipsNothingOrSaysNothingIsAnError() {
    assertThatThrownBy(
            () ->
                ReadmeExamples.parse(
                    "doc.md",
                    "<!-- docs-test: skip (stale) -->\nSome prose.\n"
                        + FENCE
                        + "sql\nSELECT 1\n"
                        + FENCE))
        .hasMessageContaining("line 1")
        .hasMessageContaining("not right before a code block");
    assertThatThrownBy(
            () ->
                ReadmeExamples.parse(
                    "doc.md", "<!-- docs-test: skip (output) -->\n" + FENCE + "\nrows\n" + FENCE))
        .hasMessageContaining("without SQL or curl examples");
    assertThatThrownBy(
            () ->
                ReadmeExamples.parse(
                    "doc.md", "<!-- docs-test: skip -->\n" + FENCE + "sql\nSELECT 1\n" + FENCE))
        .hasMessageContaining("docs-test: skip (reason)");
    assertThatThrownBy(
            () ->
                ReadmeExamples.parse(
                    "doc.md",
                    "<!-- docs-test: skipp (typo) -->\n" + FENCE + "sql\nSELECT 1\n" + FENCE))
        .hasMessageContaining("docs-test: skip (reason)");
    assertThatThrownBy(
            () -> ReadmeExamples.parse("doc.md", "<!-- docs-test: skip (at the end) -->\n"))
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
  void theDocumentationIsTheReadmeThenDocsByNameAndSharesItsVariables(@TempDir Path repo)
      throws Exception {
    Files.createDirectories(repo.resolve("docs/dashboards"));
    Files.writeString(
        repo.resolve("README.md"),
        String.join("\n", "# Front", FENCE + "bash", "CH=\"cx_reader:secret\"", FENCE, ""));
    Files.writeString(
        repo.resolve("docs/pipelines.md"),
        String.join("\n", "# Pipelines", FENCE + "sql", "SELECT 1", FENCE, ""));
    Files.writeString(
        repo.resolve("docs/alerts.md"),
        String.join(
            "\n",
            "# Alerts",
            "## Open",
            FENCE + "bash",
            "curl -u \"$CH\" --data-binary 'SELECT 2' http://127.0.0.1:8123/",
            FENCE,
            ""));
    Files.writeString(repo.resolve("docs/dashboards/notes.txt"), "not Markdown, not a document");
    Files.writeString(repo.resolve("docs/dashboards/inner.md"), "```sql\nSELECT 9\n```\n");

    assertThat(ReadmeExamples.documents(repo))
        .containsExactly(
            repo.resolve("README.md"),
            repo.resolve("docs/alerts.md"),
            repo.resolve("docs/pipelines.md"));

    Parsed parsed = ReadmeExamples.parseAll(repo);
    assertThat(parsed.variables()).containsExactly("CH=\"cx_reader:secret\"");
    assertThat(parsed.examples())
        .extracting(Example::document, Example::line, Example::section, Example::text)
        .containsExactly(
            tuple(
                "docs/alerts.md",
                4,
                "Open",
                "curl -u \"$CH\" --data-binary 'SELECT 2' http://127.0.0.1:8123/"),
            tuple("docs/pipelines.md", 3, "Pipelines", "SELECT 1"));
    assertThat(parsed.examples().get(0).name()).startsWith("docs/alerts.md line 4 [Open] curl");

    Files.writeString(repo.resolve("docs/broken.md"), "<!-- docs-test: skip -->\n");
    assertThatThrownBy(() -> ReadmeExamples.parseAll(repo))
        .hasMessageStartingWith("docs/broken.md: line 1");
  }

  /**
   * The examples a reader finds anywhere in the documentation: the README and every page of docs/,
   * curl and SQL, with {@code CH} set once for all of them, and every skip says why.
   */
  @Test
  void theDocumentationHasCurlAndSqlExamplesAndEverySkipSaysWhy() throws Exception {
    Path repo =
        Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
            .toAbsolutePath()
            .getParent();
    List<Path> documents = ReadmeExamples.documents(repo);
    try (Stream<Path> docs = Files.list(repo.resolve("docs"))) {
      assertThat(documents)
          .as("README.md, then every page of docs/")
          .startsWith(repo.resolve("README.md"))
          .containsAll(docs.filter(path -> path.toString().endsWith(".md")).toList());
    }

    Parsed parsed = ReadmeExamples.parseAll(repo);

    assertThat(parsed.runnable()).extracting(Example::kind).contains(Kind.CURL, Kind.SQL);
    assertThat(parsed.variables()).filteredOn(variable -> variable.startsWith("CH=")).hasSize(1);
    assertThat(parsed.runnable())
        .filteredOn(example -> example.text().contains("$CH"))
        .extracting(Example::document)
        .as("pages of docs/ whose curl examples use $CH, set once in the README")
        .anyMatch(document -> document.startsWith("docs/"));
    assertThat(parsed.skipped()).allMatch(example -> !example.skipReason().isBlank());
  }
}
