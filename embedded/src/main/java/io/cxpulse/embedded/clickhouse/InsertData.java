package io.cxpulse.embedded.clickhouse;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An {@code INSERT … FORMAT fmt} statement whose data travels separately from the SQL.
 *
 * <p>The engine cuts inline INSERT data at the first blank line (binary data at any {@code 0a 0a}
 * byte pair) and runs the rest as another statement, so data never reaches the engine inline: the
 * server writes it to a file and rewrites the statement to {@code INSERT INTO t (cols) FROM INFILE
 * 'file' [SETTINGS …] FORMAT fmt}, which reads the bytes unchanged.
 */
record InsertData(String target, String settings, String format) {

  private static final String IDENTIFIER = "(?:`[^`]+`|\"[^\"]+\"|[A-Za-z_][A-Za-z0-9_]*)";

  /**
   * {@code INSERT INTO [TABLE] [db.]table [(columns)] [SETTINGS …] FORMAT name}, then optionally
   * the data: after the format name, spaces and one line break are skipped, as ClickHouse does.
   */
  private static final Pattern INSERT_WITH_FORMAT =
      Pattern.compile(
          "^\\s*(INSERT\\s+INTO\\s+(?:TABLE\\s+)?"
              + IDENTIFIER
              + "(?:\\s*\\.\\s*"
              + IDENTIFIER
              + ")?(?:\\s*\\([^()]*\\))?)"
              + "(\\s+SETTINGS\\s+[^\\n]*?)?"
              + "\\s+FORMAT\\s+([A-Za-z][A-Za-z0-9_]*)[ \\t]*(?:\\r?\\n)?",
          Pattern.CASE_INSENSITIVE);

  /** A statement split into its INSERT head and the offset where its inline data starts. */
  record Split(InsertData insert, int dataOffset) {}

  /** Recognises an INSERT with a FORMAT clause at the start of {@code sql}. */
  static Optional<Split> parse(String sql) {
    Matcher matcher = INSERT_WITH_FORMAT.matcher(sql);
    if (!matcher.lookingAt()) {
      return Optional.empty();
    }
    String settings = matcher.group(2) == null ? "" : matcher.group(2).trim();
    return Optional.of(
        new Split(
            new InsertData(matcher.group(1).trim(), settings, matcher.group(3)), matcher.end()));
  }

  /** The statement that reads this insert's data from {@code file}. */
  String fromInfile(String file) {
    StringBuilder sql = new StringBuilder(target).append(" FROM INFILE '").append(file).append("'");
    if (!settings.isEmpty()) {
      sql.append(' ').append(settings);
    }
    return sql.append(" FORMAT ").append(format).toString();
  }
}
