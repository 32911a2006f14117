package io.cxpulse.jobs.sql;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The ClickHouse schema as SQL files: the ordered, immutable migrations under {@code migrations/}
 * (tables), listed in {@code migrations/index.txt}; the ordered repeatable scripts under {@code
 * repeatable/} (SQL functions and views), listed in {@code repeatable/index.txt}; and the DDL of
 * the migrator's own bookkeeping tables, {@code cx_schema_migrations.sql}.
 *
 * <p>The files live in the repository's {@code sql/} folder; the build copies it into the jobs jar
 * under {@code sql/}, so a deployed jar migrates the schema it was built with. An index rather than
 * a directory listing because a jar's resources cannot be listed portably.
 */
public final class Migrations {

  /** Classpath folder holding the SQL files. */
  public static final String CLASSPATH_ROOT = "sql/";

  /** Folder of the migration files, relative to the SQL root. */
  public static final String MIGRATIONS_DIR = "migrations/";

  /** The ordered list of migration file names, relative to the SQL root. */
  public static final String INDEX = MIGRATIONS_DIR + "index.txt";

  /** Folder of the repeatable scripts, relative to the SQL root. */
  public static final String REPEATABLE_DIR = "repeatable/";

  /** The ordered list of repeatable script names, relative to the SQL root. */
  public static final String REPEATABLE_INDEX = REPEATABLE_DIR + "index.txt";

  /** DDL of the bookkeeping tables, relative to the SQL root. */
  public static final String BOOKKEEPING = "cx_schema_migrations.sql";

  private final List<Migration> migrations;
  private final List<RepeatableScript> repeatables;
  private final List<SqlScript.Statement> bookkeeping;

  private Migrations(
      List<Migration> migrations,
      List<RepeatableScript> repeatables,
      List<SqlScript.Statement> bookkeeping) {
    this.migrations = List.copyOf(migrations);
    this.repeatables = List.copyOf(repeatables);
    this.bookkeeping = List.copyOf(bookkeeping);
  }

  /** The files the jobs jar carries, loaded with this class's class loader. */
  public static Migrations fromClasspath() {
    return fromClasspath(Migrations.class.getClassLoader());
  }

  /** The files under {@link #CLASSPATH_ROOT} on {@code loader}'s classpath. */
  public static Migrations fromClasspath(ClassLoader loader) {
    return load(
        "classpath:" + CLASSPATH_ROOT,
        path -> {
          try (InputStream in = loader.getResourceAsStream(CLASSPATH_ROOT + path)) {
            return in == null ? null : in.readAllBytes();
          }
        });
  }

  /**
   * The files under {@code sqlRoot}, a folder laid out like the repository's {@code sql/}: {@code
   * cx_schema_migrations.sql}, {@code migrations/index.txt} and {@code repeatable/index.txt} with
   * the files they list.
   */
  public static Migrations fromDirectory(Path sqlRoot) {
    return load(
        sqlRoot.toString(),
        path -> {
          try {
            return Files.readAllBytes(sqlRoot.resolve(path));
          } catch (NoSuchFileException e) {
            return null;
          }
        });
  }

  /** The migrations in the order they apply. */
  public List<Migration> migrations() {
    return migrations;
  }

  /** The repeatable scripts in the order they apply. */
  public List<RepeatableScript> repeatables() {
    return repeatables;
  }

  /** The statements that create the bookkeeping tables if they are missing. */
  public List<SqlScript.Statement> bookkeepingStatements() {
    return bookkeeping;
  }

  @FunctionalInterface
  private interface Reader {
    /** The file's bytes, or null if it does not exist. */
    byte[] read(String relativePath) throws IOException;
  }

  private static Migrations load(String origin, Reader reader) {
    byte[] bookkeeping = require(origin, reader, BOOKKEEPING, null, null);
    List<Migration> migrations = new ArrayList<>();
    Set<String> names = new HashSet<>();
    int previousVersion = 0;
    String previousName = null;
    for (String name : indexEntries(require(origin, reader, INDEX, null, null))) {
      Migration migration =
          Migration.of(name, require(origin, reader, MIGRATIONS_DIR + name, name, INDEX));
      if (!names.add(name)) {
        throw new MigrationException(name, "Migration " + name + " is listed twice in " + INDEX);
      }
      if (migration.version() <= previousVersion) {
        throw new MigrationException(
            name,
            "Migration "
                + name
                + " is listed after "
                + previousName
                + " in "
                + INDEX
                + " but its version is not higher");
      }
      previousVersion = migration.version();
      previousName = name;
      migrations.add(migration);
    }
    List<RepeatableScript> repeatables = new ArrayList<>();
    Set<String> repeatableNames = new HashSet<>();
    for (String name : indexEntries(require(origin, reader, REPEATABLE_INDEX, null, null))) {
      if (!repeatableNames.add(name)) {
        throw new MigrationException(
            name, "Repeatable script " + name + " is listed twice in " + REPEATABLE_INDEX);
      }
      repeatables.add(
          RepeatableScript.of(
              name, require(origin, reader, REPEATABLE_DIR + name, name, REPEATABLE_INDEX)));
    }
    try {
      return new Migrations(
          migrations,
          repeatables,
          SqlScript.statements(new String(bookkeeping, StandardCharsets.UTF_8)));
    } catch (IllegalArgumentException e) {
      throw new MigrationException(BOOKKEEPING, BOOKKEEPING + ": " + e.getMessage(), e);
    }
  }

  private static List<String> indexEntries(byte[] index) {
    List<String> entries = new ArrayList<>();
    for (String line : new String(index, StandardCharsets.UTF_8).split("\\R")) {
      String entry = line.strip();
      if (!entry.isEmpty() && !entry.startsWith("#")) {
        entries.add(entry);
      }
    }
    return entries;
  }

  private static byte[] require(
      String origin, Reader reader, String path, String fileName, String listedIn) {
    byte[] content;
    try {
      content = reader.read(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path + " in " + origin, e);
    }
    if (content == null) {
      throw new MigrationException(
          fileName,
          fileName == null
              ? "Missing " + path + " in " + origin
              : (listedIn.equals(INDEX) ? "Migration " : "Repeatable script ")
                  + fileName
                  + " is listed in "
                  + listedIn
                  + " but missing in "
                  + origin);
    }
    return content;
  }
}
