package io.cxpulse.jobs.sql;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One migration file, {@code V<version>__<description>.sql}.
 *
 * @param version the number in the file name, which orders the migrations
 * @param name the file name, e.g. {@code V003__survey_views.sql}
 * @param sql the file's text
 * @param checksum SHA-256 of the file's bytes, lower-case hex
 */
public record Migration(int version, String name, String sql, String checksum) {

  /** File names of migrations: a version, two underscores, a description. */
  public static final Pattern FILE_NAME = Pattern.compile("V(\\d{1,9})__([A-Za-z0-9_]+)\\.sql");

  /**
   * A migration from its file name and content.
   *
   * @throws MigrationException if the name does not follow {@link #FILE_NAME} or the file is not
   *     made of {@code ;}-terminated statements
   */
  public static Migration of(String name, byte[] content) {
    Matcher matcher = FILE_NAME.matcher(name);
    if (!matcher.matches()) {
      throw new MigrationException(
          name, "Migration file name " + name + " does not match V<version>__<description>.sql");
    }
    Migration migration =
        new Migration(
            Integer.parseInt(matcher.group(1)),
            name,
            new String(content, StandardCharsets.UTF_8),
            sha256(content));
    migration.statements(); // fail at load time, before anything is applied
    return migration;
  }

  /** The statements to run, in order. */
  public List<SqlScript.Statement> statements() {
    try {
      return SqlScript.statements(sql);
    } catch (IllegalArgumentException e) {
      throw new MigrationException(name, "Migration " + name + ": " + e.getMessage(), e);
    }
  }

  /** SHA-256 of {@code content} as lower-case hex, the form stored in cx_schema_migrations. */
  public static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
