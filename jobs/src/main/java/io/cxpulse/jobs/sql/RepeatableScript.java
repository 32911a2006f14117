package io.cxpulse.jobs.sql;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One repeatable script, {@code R__<description>.sql}: SQL functions and views, edited in place and
 * applied again by {@link SchemaMigrator} whenever it (or a script before it) changes.
 *
 * <p>Only {@code CREATE OR REPLACE VIEW}, {@code CREATE OR REPLACE MATERIALIZED VIEW} and {@code
 * CREATE OR REPLACE FUNCTION} statements may be in one: running such a statement again converges on
 * the definition, and the migrator can put back what a failed run replaced, because it knows from
 * the statements alone which objects the script defines. Tables belong in versioned migrations (a
 * materialized view here must write {@code TO} a table of a versioned migration, so that replacing
 * it never touches data).
 *
 * @param name the file name, e.g. {@code R__survey_scores.sql}
 * @param sql the file's text
 * @param checksum SHA-256 of the file's bytes, lower-case hex
 */
public record RepeatableScript(String name, String sql, String checksum) {

  /** File names of repeatable scripts: R, two underscores, a description. */
  public static final Pattern FILE_NAME = Pattern.compile("R__([A-Za-z0-9_]+)\\.sql");

  private static final Pattern DEFINITION =
      Pattern.compile(
          "CREATE\\s+OR\\s+REPLACE\\s+(VIEW|FUNCTION|MATERIALIZED\\s+VIEW)\\s+([A-Za-z_][A-Za-z0-9_]*)"
              + "(?:\\s|$)",
          Pattern.CASE_INSENSITIVE);

  /** What a statement of a repeatable script defines. */
  public enum Kind {
    VIEW("VIEW", "View"),
    /** A view whose query writes into a table, e.g. a refreshable one; never holds data itself. */
    MATERIALIZED_VIEW("MATERIALIZED VIEW", "MaterializedView"),
    FUNCTION("FUNCTION", null);

    private final String keyword;
    private final String engine;

    Kind(String keyword, String engine) {
      this.keyword = keyword;
      this.engine = engine;
    }

    /** The words that name the kind in SQL, e.g. {@code MATERIALIZED VIEW}. */
    public String keyword() {
      return keyword;
    }

    /** The engine {@code system.tables} lists for it; null for a function. */
    public String engine() {
      return engine;
    }

    static Kind ofKeyword(String words) {
      String normalised = words.toUpperCase(Locale.ROOT).replaceAll("\\s+", " ");
      for (Kind kind : values()) {
        if (kind.keyword.equals(normalised)) {
          return kind;
        }
      }
      throw new IllegalArgumentException("not a repeatable kind: " + words);
    }
  }

  /**
   * An object a statement defines.
   *
   * @param kind a view, a materialized view or a SQL function
   * @param name its name, unqualified: a view lives in the migrated database
   */
  public record DefinedObject(Kind kind, String name) {}

  /**
   * A repeatable script from its file name and content.
   *
   * @throws MigrationException if the name does not follow {@link #FILE_NAME}, the file is not made
   *     of {@code ;}-terminated statements, or a statement is not a {@code CREATE OR REPLACE VIEW},
   *     {@code MATERIALIZED VIEW} or {@code FUNCTION} of an unqualified name
   */
  public static RepeatableScript of(String name, byte[] content) {
    if (!FILE_NAME.matcher(name).matches()) {
      throw new MigrationException(
          name, "Repeatable script file name " + name + " does not match R__<description>.sql");
    }
    RepeatableScript script =
        new RepeatableScript(
            name, new String(content, StandardCharsets.UTF_8), Migration.sha256(content));
    script.definitions(); // fail at load time, before anything is applied
    return script;
  }

  /** The statements to run, in order. */
  public List<SqlScript.Statement> statements() {
    try {
      return SqlScript.statements(sql);
    } catch (IllegalArgumentException e) {
      throw new MigrationException(name, "Repeatable script " + name + ": " + e.getMessage(), e);
    }
  }

  /** The object each statement defines, in statement order. */
  public List<DefinedObject> definitions() {
    List<DefinedObject> objects = new ArrayList<>();
    for (SqlScript.Statement statement : statements()) {
      Matcher matcher = DEFINITION.matcher(statement.sql());
      if (!matcher.lookingAt()) {
        throw new MigrationException(
            name,
            "Repeatable script "
                + name
                + ": the statement on line "
                + statement.line()
                + " is not CREATE OR REPLACE VIEW, MATERIALIZED VIEW or FUNCTION of an unqualified name;"
                + " tables"
                + " and other changes belong in a versioned migration");
      }
      objects.add(new DefinedObject(Kind.ofKeyword(matcher.group(1)), matcher.group(2)));
    }
    return objects;
  }

  @Override
  public String toString() {
    return name;
  }
}
