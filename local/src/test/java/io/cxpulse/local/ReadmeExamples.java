package io.cxpulse.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The examples of the documentation that a reader runs against local mode: every {@code ```sql}
 * block (one query each) and every {@code curl} command in a shell block ({@code ```bash}, {@code
 * ```sh}, {@code ```shell}), together with the shell variables those blocks set ({@code CH=…}),
 * which the curl commands use. The documentation is README.md and every Markdown file of docs/
 * ({@link #documents}); a variable set in one of them serves the curl commands of all, so {@code
 * CH} is set once.
 *
 * <p>An example not meant to run is marked in the document itself, visibly, by an HTML comment on
 * the last non-blank line before its block: {@code <!-- docs-test: skip (why) -->}. It skips the
 * whole block. A marker with no reason, a misspelt one, one not right before a block or one before
 * a block without examples is an error, so that a marker cannot outlive what it was for.
 */
final class ReadmeExamples {

  /** What runs an example: ClickHouse's HTTP interface, or a real {@code curl}. */
  enum Kind {
    SQL,
    CURL
  }

  /**
   * One example.
   *
   * @param document the file it is in, relative to the repository ({@code docs/alerts.md})
   * @param kind how it runs
   * @param line the 1-based line of the document where it starts
   * @param section the heading it is under
   * @param text the query, or the whole curl command as written (continuation lines included)
   * @param skipReason why it does not run, from its block's marker; null when it runs
   */
  record Example(
      String document, Kind kind, int line, String section, String text, String skipReason) {

    boolean skipped() {
      return skipReason != null;
    }

    /** How reports name it: where it is and how it starts. */
    String name() {
      String start = text.strip().replaceAll("\\s+", " ");
      if (start.length() > 90) {
        start = start.substring(0, 90) + "…";
      }
      return document + " line " + line + " [" + section + "] " + start;
    }
  }

  /**
   * What a document, or the documentation, holds.
   *
   * @param examples every example, in document order, skipped ones included
   * @param variables the shell variable assignments of the shell blocks not skipped, in order, as
   *     written
   */
  record Parsed(List<Example> examples, List<String> variables) {

    List<Example> runnable() {
      return examples.stream().filter(example -> !example.skipped()).toList();
    }

    List<Example> skipped() {
      return examples.stream().filter(Example::skipped).toList();
    }
  }

  private static final Pattern FENCE = Pattern.compile("^```\\s*([A-Za-z0-9_+-]*)\\s*$");
  private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*$");
  private static final Pattern MARKER = Pattern.compile("^<!--\\s*docs-test:(.*?)-->\\s*$");
  private static final Pattern SKIP = Pattern.compile("^\\s*skip\\s*\\((.*\\S.*)\\)\\s*$");
  private static final Pattern ASSIGNMENT =
      Pattern.compile("^[A-Za-z_][A-Za-z0-9_]*=.*", Pattern.DOTALL);
  private static final Set<String> SHELL = Set.of("bash", "sh", "shell");

  private ReadmeExamples() {}

  /**
   * The documentation of the repository at {@code repo}: README.md, then the Markdown files of
   * docs/ by name (docs/ holds what the README's table of contents leads to).
   */
  static List<Path> documents(Path repo) throws IOException {
    List<Path> documents = new ArrayList<>();
    documents.add(repo.resolve("README.md"));
    try (Stream<Path> docs = Files.list(repo.resolve("docs"))) {
      docs.filter(path -> path.getFileName().toString().endsWith(".md"))
          .filter(Files::isRegularFile)
          .sorted()
          .forEach(documents::add);
    }
    return documents;
  }

  /**
   * Reads every document of {@link #documents}: their examples in that order, and the variables of
   * all of them, which every curl command runs after.
   *
   * @throws IllegalArgumentException as {@link #parse}, naming the document
   */
  static Parsed parseAll(Path repo) throws IOException {
    List<Example> examples = new ArrayList<>();
    List<String> variables = new ArrayList<>();
    for (Path document : documents(repo)) {
      String name = repo.relativize(document).toString();
      Parsed parsed;
      try {
        parsed = parse(name, Files.readString(document));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
      }
      examples.addAll(parsed.examples());
      variables.addAll(parsed.variables());
    }
    return new Parsed(List.copyOf(examples), List.copyOf(variables));
  }

  /**
   * Reads {@code markdown}, the text of {@code document}.
   *
   * @throws IllegalArgumentException for a docs-test marker that is malformed or not right before a
   *     block with examples, or a block left open
   */
  static Parsed parse(String document, String markdown) {
    List<String> lines = markdown.lines().toList();
    List<Example> examples = new ArrayList<>();
    List<String> variables = new ArrayList<>();
    String section = "top";
    String pendingSkip = null;
    int pendingSkipLine = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      Matcher fence = FENCE.matcher(line);
      if (!fence.matches()) {
        // A comment about docs-test is a marker (and must be a well-formed one); prose may name it.
        if (line.strip().startsWith("<!--") && line.contains("docs-test")) {
          pendingSkip = skipReason(line, i + 1);
          pendingSkipLine = i + 1;
          continue;
        }
        if (pendingSkip != null && !line.isBlank()) {
          throw markerError(pendingSkipLine, "is not right before a code block");
        }
        Matcher heading = HEADING.matcher(line);
        if (heading.matches()) {
          section = heading.group(1);
        }
        continue;
      }
      String language = fence.group(1).toLowerCase(Locale.ROOT);
      int firstContentLine = i + 1;
      int close = firstContentLine;
      while (close < lines.size() && !lines.get(close).strip().equals("```")) {
        close++;
      }
      if (close == lines.size()) {
        throw new IllegalArgumentException("line " + (i + 1) + ": code block is never closed");
      }
      String body = String.join("\n", lines.subList(firstContentLine, close));
      List<Example> found = new ArrayList<>();
      List<String> assignments = new ArrayList<>();
      if (language.equals("sql")) {
        if (!body.isBlank()) {
          found.add(
              new Example(
                  document, Kind.SQL, firstContentLine + 1, section, body.strip(), pendingSkip));
        }
      } else if (SHELL.contains(language)) {
        for (ShellCommand command : ShellCommand.split(body)) {
          if (command.isAssignmentOnly()) {
            assignments.add(command.text());
          } else if (command.program().equals("curl")) {
            found.add(
                new Example(
                    document,
                    Kind.CURL,
                    firstContentLine + 1 + command.line(),
                    section,
                    command.text(),
                    pendingSkip));
          }
        }
      }
      if (pendingSkip != null && found.isEmpty()) {
        throw markerError(pendingSkipLine, "is before a block without SQL or curl examples");
      }
      if (pendingSkip == null) {
        variables.addAll(assignments);
      }
      examples.addAll(found);
      pendingSkip = null;
      i = close;
    }
    if (pendingSkip != null) {
      throw markerError(pendingSkipLine, "is not right before a code block");
    }
    return new Parsed(List.copyOf(examples), List.copyOf(variables));
  }

  private static String skipReason(String line, int number) {
    Matcher marker = MARKER.matcher(line.strip());
    if (!marker.matches()) {
      throw markerError(number, "must read <!-- docs-test: skip (reason) -->: " + line.strip());
    }
    Matcher skip = SKIP.matcher(marker.group(1));
    if (!skip.matches()) {
      throw markerError(number, "must read <!-- docs-test: skip (reason) -->: " + line.strip());
    }
    return skip.group(1).strip();
  }

  private static IllegalArgumentException markerError(int line, String problem) {
    return new IllegalArgumentException("line " + line + ": the docs-test marker " + problem);
  }

  /**
   * One command of a shell block, as the shell splits them: ends at a newline outside quotes; a
   * backslash-newline continues it; {@code #} at the start of a word begins a comment (left out).
   *
   * @param line the 0-based line of the block where it starts
   * @param text the command as written, without comments
   * @param words its words, quotes kept
   */
  record ShellCommand(int line, String text, List<String> words) {

    /** The command's program: its first word after any leading {@code NAME=value} words. */
    String program() {
      return words.stream()
          .filter(word -> !ASSIGNMENT.matcher(word).matches())
          .findFirst()
          .orElse("");
    }

    /** Whether it only sets shell variables ({@code CH="…"}). */
    boolean isAssignmentOnly() {
      return !words.isEmpty() && program().isEmpty();
    }

    static List<ShellCommand> split(String block) {
      List<ShellCommand> commands = new ArrayList<>();
      StringBuilder text = new StringBuilder();
      StringBuilder word = new StringBuilder();
      List<String> words = new ArrayList<>();
      char quote = 0;
      int line = 0;
      int start = 0;
      for (int i = 0; i < block.length(); i++) {
        char c = block.charAt(i);
        if (text.isEmpty() && !Character.isWhitespace(c)) {
          start = line;
        }
        if (c == '\n') {
          line++;
        }
        if (quote == '\'') {
          // Nothing is special inside single quotes but the closing one.
          quote = c == '\'' ? 0 : quote;
          text.append(c);
          word.append(c);
          continue;
        }
        if (c == '\\' && i + 1 < block.length()) {
          char next = block.charAt(++i);
          text.append(c).append(next);
          if (next == '\n') {
            line++;
            if (quote == 0) {
              // A line continuation separates words like a blank.
              endWord(word, words);
              continue;
            }
          }
          word.append(c).append(next);
          continue;
        }
        if (quote == '"') {
          quote = c == '"' ? 0 : quote;
          text.append(c);
          word.append(c);
          continue;
        }
        if (c == '#' && word.isEmpty()) {
          while (i + 1 < block.length() && block.charAt(i + 1) != '\n') {
            i++;
          }
          continue;
        }
        if (c == '\n') {
          endCommand(start, text, word, words, commands);
          continue;
        }
        if (Character.isWhitespace(c)) {
          endWord(word, words);
        } else {
          if (c == '\'' || c == '"') {
            quote = c;
          }
          word.append(c);
        }
        if (!text.isEmpty() || !Character.isWhitespace(c)) {
          text.append(c);
        }
      }
      if (quote != 0) {
        throw new IllegalArgumentException("unterminated " + quote + " quote in: " + text);
      }
      endCommand(start, text, word, words, commands);
      return commands;
    }

    private static void endCommand(
        int start,
        StringBuilder text,
        StringBuilder word,
        List<String> words,
        List<ShellCommand> commands) {
      endWord(word, words);
      if (!words.isEmpty()) {
        commands.add(new ShellCommand(start, text.toString().strip(), List.copyOf(words)));
      }
      text.setLength(0);
      words.clear();
    }

    private static void endWord(StringBuilder word, List<String> words) {
      if (!word.isEmpty()) {
        words.add(word.toString());
        word.setLength(0);
      }
    }
  }
}
