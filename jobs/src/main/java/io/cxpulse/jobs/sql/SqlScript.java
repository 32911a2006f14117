package io.cxpulse.jobs.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a SQL file into statements for a JDBC driver that takes one statement per call.
 *
 * <p>The file format is deliberately simple, so that a split never depends on parsing SQL: a
 * statement ends at a line whose text ends with {@code ;}. Lines whose first non-blank characters
 * are {@code --} are comments and blank lines are layout: neither is sent to the server (a comment
 * line ending in {@code ;} therefore ends nothing). Comments after SQL on the same line are sent as
 * they are; ClickHouse ignores them.
 */
public final class SqlScript {

  private SqlScript() {}

  /**
   * One statement of a script.
   *
   * @param line the 1-based line of the file the statement starts on, for error messages
   * @param sql the statement without its terminating {@code ;}
   */
  public record Statement(int line, String sql) {}

  /**
   * The statements of {@code script}, in order.
   *
   * @throws IllegalArgumentException if SQL follows the last {@code ;}: a file cut short must not
   *     apply its first half as if it were complete
   */
  public static List<Statement> statements(String script) {
    List<Statement> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int startLine = 0;
    String[] lines = script.split("\\R", -1);
    for (int i = 0; i < lines.length; i++) {
      String trimmed = lines[i].strip();
      if (trimmed.isEmpty() || trimmed.startsWith("--")) {
        continue;
      }
      if (current.isEmpty()) {
        startLine = i + 1;
      } else {
        current.append('\n');
      }
      if (trimmed.endsWith(";")) {
        String last = lines[i].stripTrailing();
        current.append(last, 0, last.length() - 1);
        String sql = current.toString().strip();
        if (!sql.isEmpty()) {
          statements.add(new Statement(startLine, sql));
        }
        current.setLength(0);
      } else {
        current.append(lines[i].stripTrailing());
      }
    }
    if (!current.isEmpty()) {
      throw new IllegalArgumentException(
          "statement starting on line "
              + startLine
              + " does not end with ';' at the end of a line");
    }
    return statements;
  }
}
