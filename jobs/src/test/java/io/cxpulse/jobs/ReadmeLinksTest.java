package io.cxpulse.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The project carries its own documentation: every link in its Markdown files (README.md,
 * schemas/README.md, docs/*.md, …) points at a file of the repository that exists, and at a heading
 * of it that exists when it names one. A link that leaves the repository (through {@code ../} past
 * its root, or to another site) is a broken promise to a reader who has only the repository.
 */
class ReadmeLinksTest {

  private static final Path MODULE_DIR =
      Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
  private static final Path REPO_DIR = MODULE_DIR.getParent();

  /** Directories that hold no documentation of the project: build output, caches, local data. */
  private static final Set<String> SKIPPED_DIRECTORIES = Set.of("target", "node_modules", "data");

  private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~)");
  private static final Pattern CODE_SPAN = Pattern.compile("`+[^`]*`+");
  private static final Pattern INLINE_LINK =
      Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
  private static final Pattern REFERENCE_DEFINITION =
      Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s.*)?$");
  private static final Pattern AUTOLINK = Pattern.compile("<([A-Za-z][A-Za-z0-9+.-]*:[^>\\s]*)>");
  private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*:|//)");
  private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");

  @Test
  void everyLinkOfTheDocumentationStaysInTheRepositoryAndResolves() throws IOException {
    List<Path> documents = markdownFiles(REPO_DIR);
    assertThat(documents)
        .contains(REPO_DIR.resolve("README.md"), REPO_DIR.resolve("schemas/README.md"))
        .containsAll(docsPages());

    List<String> problems = new ArrayList<>();
    for (Path document : documents) {
      problems.addAll(linkProblems(REPO_DIR, document));
    }
    assertThat(problems).isEmpty();
  }

  /**
   * The README is a front page whose table of contents leads to every page of docs/, so no page is
   * left where no reader finds it; the pages a user looks for by topic are there.
   */
  @Test
  void readmeTableOfContentsLeadsToEveryPageOfDocs() throws IOException {
    String contents =
        Files.readString(REPO_DIR.resolve("README.md"))
            .lines()
            .dropWhile(line -> !line.equals("## Documentation"))
            .skip(1)
            .takeWhile(line -> !line.startsWith("## "))
            .reduce("", (a, b) -> a + b + "\n");
    List<String> pages =
        links(contents).stream()
            .map(link -> link.replaceFirst("#.*", ""))
            .filter(link -> link.startsWith("docs/"))
            .distinct()
            .toList();

    assertThat(pages)
        .containsExactlyInAnyOrderElementsOf(
            docsPages().stream().map(page -> REPO_DIR.relativize(page).toString()).toList())
        .contains(
            "docs/DESIGN.md",
            "docs/pipelines.md",
            "docs/metrics.md",
            "docs/alerts.md",
            "docs/dashboards.md",
            "docs/operations.md",
            "docs/deployment.md",
            "docs/troubleshooting.md",
            "docs/development.md",
            "docs/EMBEDDED-CLICKHOUSE.md");
  }

  /** The Markdown pages of docs/ (not below it: docs/dashboards/ holds pictures). */
  private static List<Path> docsPages() throws IOException {
    try (Stream<Path> files = Files.list(REPO_DIR.resolve("docs"))) {
      return files.filter(path -> path.toString().endsWith(".md")).sorted().toList();
    }
  }

  /** The check itself catches what it is for, so an empty list above means something. */
  @Test
  void linksOutsideTheRepositoryOrToNothingAreReported(@TempDir Path dir) throws IOException {
    Path repo = Files.createDirectories(dir.resolve("repo"));
    Files.createDirectories(repo.resolve("docs"));
    Files.writeString(repo.resolve("docs/DESIGN.md"), "# Design\n\n## Metric definitions\n");
    Files.writeString(dir.resolve("SHARED.md"), "# outside\n");
    Path readme = repo.resolve("README.md");
    Files.writeString(
        readme,
        String.join(
            "\n",
            "# Title",
            "[ok](docs/DESIGN.md) [ok heading](docs/DESIGN.md#metric-definitions)"
                + " [ok here](#title)",
            "[up](../SHARED.md) [web](https://example.org/x) [missing](docs/NOPE.md)",
            "[bad heading](docs/DESIGN.md#no-such-heading) [bad here](#nowhere)",
            "[ref]: ../SHARED.md",
            "`[code](ignored.md)`",
            "```",
            "[fenced](ignored.md)",
            "```",
            ""));

    assertThat(linkProblems(repo, readme))
        .hasSize(6)
        .anySatisfy(p -> assertThat(p).contains("../SHARED.md").contains("outside"))
        .anySatisfy(p -> assertThat(p).contains("https://example.org/x").contains("outside"))
        .anySatisfy(p -> assertThat(p).contains("docs/NOPE.md").contains("no such file"))
        .anySatisfy(p -> assertThat(p).contains("#no-such-heading").contains("no such heading"))
        .anySatisfy(p -> assertThat(p).contains("#nowhere").contains("no such heading"))
        .noneSatisfy(p -> assertThat(p).contains("ignored.md"));
  }

  @Test
  void headingAnchorsAreGitHubs() {
    assertThat(anchors("## Security: what local mode exposes\n# Flags\n# Flags\n"))
        .contains("security-what-local-mode-exposes", "flags", "flags-1");
    assertThat(anchors("### Tables and views (`sql/migrations/V007__driver_split.sql`)\n"))
        .contains("tables-and-views-sqlmigrationsv007__driver_splitsql");
    assertThat(anchors("### No hot keys: two-phase window aggregation\n"))
        .contains("no-hot-keys-two-phase-window-aggregation");
  }

  /** Every Markdown file under {@code root}, outside build output, caches and hidden folders. */
  private static List<Path> markdownFiles(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(path -> path.toString().endsWith(".md") && Files.isRegularFile(path))
          .filter(path -> documentationFolder(root.relativize(path).getParent()))
          .sorted()
          .toList();
    }
  }

  private static boolean documentationFolder(Path relativeFolder) {
    if (relativeFolder == null) {
      return true;
    }
    for (Path part : relativeFolder) {
      String name = part.toString();
      if (name.startsWith(".") || SKIPPED_DIRECTORIES.contains(name)) {
        return false;
      }
    }
    return true;
  }

  /** What is wrong with the links of {@code document}, one line per bad link. */
  static List<String> linkProblems(Path repo, Path document) throws IOException {
    Path root = repo.toAbsolutePath().normalize();
    String where = root.relativize(document.toAbsolutePath().normalize()).toString();
    List<String> problems = new ArrayList<>();
    for (String link : links(Files.readString(document))) {
      String problem = problem(root, document.toAbsolutePath().normalize(), link);
      if (problem != null) {
        problems.add(where + ": (" + link + ") " + problem);
      }
    }
    return problems;
  }

  private static String problem(Path root, Path document, String link) {
    if (SCHEME.matcher(link).find()) {
      return "points outside the repository";
    }
    int hash = link.indexOf('#');
    String path =
        URLDecoder.decode(hash < 0 ? link : link.substring(0, hash), StandardCharsets.UTF_8);
    String anchor = hash < 0 ? "" : link.substring(hash + 1);
    Path target = path.isEmpty() ? document : document.getParent().resolve(path).normalize();
    if (!target.startsWith(root)) {
      return "points outside the repository";
    }
    if (!Files.exists(target)) {
      return "no such file";
    }
    if (!anchor.isEmpty() && target.toString().endsWith(".md")) {
      try {
        if (!anchors(Files.readString(target)).contains(anchor)) {
          return "no such heading";
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return null;
  }

  /** Link targets in Markdown text, outside code blocks and code spans. */
  static List<String> links(String markdown) {
    List<String> links = new ArrayList<>();
    for (String line : prose(markdown)) {
      String text = CODE_SPAN.matcher(line).replaceAll("");
      Matcher definition = REFERENCE_DEFINITION.matcher(text);
      if (definition.matches()) {
        links.add(definition.group(1));
        continue;
      }
      for (Pattern pattern : List.of(INLINE_LINK, AUTOLINK)) {
        Matcher link = pattern.matcher(text);
        while (link.find()) {
          links.add(link.group(1));
        }
      }
    }
    return links;
  }

  /**
   * The anchors GitHub gives the headings of a Markdown text: the heading's text in lower case,
   * without punctuation other than hyphens and underscores, spaces as hyphens; a repeated one gets
   * {@code -1}, {@code -2}, ….
   */
  static Set<String> anchors(String markdown) {
    Set<String> anchors = new HashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    for (String line : prose(markdown)) {
      Matcher heading = HEADING.matcher(line);
      if (!heading.matches()) {
        continue;
      }
      String slug =
          heading
              .group(1)
              .toLowerCase(Locale.ROOT)
              .replaceAll("[^\\p{L}\\p{N} _-]", "")
              .replace(' ', '-');
      int repeat = seen.merge(slug, 1, Integer::sum) - 1;
      anchors.add(repeat == 0 ? slug : slug + "-" + repeat);
    }
    return anchors;
  }

  /** The lines of a Markdown text outside fenced code blocks. */
  private static List<String> prose(String markdown) {
    List<String> lines = new ArrayList<>();
    boolean inFence = false;
    for (String line : markdown.split("\n", -1)) {
      if (FENCE.matcher(line).find()) {
        inFence = !inFence;
      } else if (!inFence) {
        lines.add(line);
      }
    }
    return lines;
  }
}
