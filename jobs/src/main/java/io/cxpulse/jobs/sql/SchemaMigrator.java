package io.cxpulse.jobs.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a ClickHouse database to the schema in {@link Migrations}: applies, in version order,
 * every migration file not yet recorded in {@code cx_schema_migrations}, and records each one after
 * its last statement succeeded; then applies the repeatable scripts (SQL functions and views) that
 * are not current, and records them in {@code cx_schema_repeatables}.
 *
 * <p>Running it again is a no-op. It refuses to run, naming the file, when an applied file has
 * changed since (its SHA-256 differs: the schema it describes is no longer the schema the database
 * has, so the fix is a new migration, never a silent re-apply), when a recorded version belongs to
 * a different file name, or when a file that is not applied has a lower version than one that is
 * (it was inserted into history). Versions recorded in the database that this build does not know
 * are logged and left alone: the database was migrated by a newer build.
 *
 * <p>ClickHouse has no transactions for DDL: a file that fails half-way stays unrecorded and runs
 * from its first statement again next time, which is why the statements of a migration must be
 * repeatable ({@code IF NOT EXISTS}, {@code CREATE OR REPLACE}). Nor does it have locks: run one
 * migrator per database at a time (a deployment step, not every job instance).
 *
 * <p>Repeatable scripts ({@link RepeatableScript}) run after the versioned migrations, in the order
 * of their index: every one when this run applied a versioned migration (a view keeps the columns
 * of the table or view it was created over), otherwise the first whose checksum differs from the
 * newest one recorded and every one after it (a later script may read what an earlier one defines,
 * and a view stores the expansion of the SQL functions it calls, so it must be created again when
 * they change). Because the engine has no transactions for DDL either, the migrator reads the
 * current definition of every view and function the scripts will replace before it runs them; if a
 * statement fails, it puts each one back (drops those that did not exist), records nothing and
 * fails naming the script and the line, so the database keeps the views it had.
 *
 * <pre>{@code
 * try (Connection connection = DriverManager.getConnection(url, properties)) {
 *   new SchemaMigrator(Migrations.fromClasspath()).migrate(connection);
 * }
 * }</pre>
 */
public final class SchemaMigrator {

  private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrator.class);

  /** The bookkeeping table, created by {@link Migrations#BOOKKEEPING}. */
  public static final String TABLE = "cx_schema_migrations";

  private static final String SELECT_APPLIED =
      "SELECT version, name, checksum, toUnixTimestamp64Milli(applied_at) FROM "
          + TABLE
          + " ORDER BY version, applied_at";

  private static final String INSERT_APPLIED =
      "INSERT INTO " + TABLE + " (version, name, checksum, applied_at) VALUES (?, ?, ?, now64(3))";

  /** The bookkeeping table of the repeatable scripts, created by {@link Migrations#BOOKKEEPING}. */
  public static final String REPEATABLES_TABLE = "cx_schema_repeatables";

  private static final String SELECT_CURRENT_REPEATABLES =
      "SELECT name, argMax(checksum, applied_at) FROM " + REPEATABLES_TABLE + " GROUP BY name";

  private static final String INSERT_REPEATABLE =
      "INSERT INTO " + REPEATABLES_TABLE + " (name, checksum, applied_at) VALUES (?, ?, now64(6))";

  /** A view or function a versioned migration defines (they did until V012). */
  private static final Pattern VERSIONED_DEFINITION =
      Pattern.compile(
          "CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:VIEW|FUNCTION)\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?"
              + "([A-Za-z_][A-Za-z0-9_]*)(?:\\s|$)",
          Pattern.CASE_INSENSITIVE);

  private static final String SELECT_VIEWS =
      "SELECT name, create_table_query FROM system.tables"
          + " WHERE database = currentDatabase() AND engine = ?";

  private static final String SELECT_FUNCTIONS =
      "SELECT name, create_query FROM system.functions WHERE origin = 'SQLUserDefined'";

  private final Migrations migrations;

  public SchemaMigrator(Migrations migrations) {
    this.migrations = Objects.requireNonNull(migrations, "migrations");
  }

  /**
   * Applies the pending migrations.
   *
   * @throws MigrationException if an applied file changed, the history does not match the files, or
   *     a statement fails (the message names the file and the statement's line)
   * @throws SQLException if the bookkeeping table cannot be created, read or written
   */
  public MigrationResult migrate(Connection connection) throws SQLException {
    long started = System.nanoTime();
    List<Migration> pending = pending(connection);
    int alreadyApplied = migrations.migrations().size() - pending.size();
    // On a fresh database every repeatable script runs after the versioned migrations and
    // defines every view and function anew, so the views of the early versioned files
    // (V001..V012, from before the scripts) need not be created first: half the time a fresh
    // database takes (measured: 12 s to 6 s here), which every test database and every first start
    // pays. Not on an existing database: if a script failed there, the views it would have
    // replaced must be those of the versioned files just applied.
    Set<String> definedLater =
        alreadyApplied == 0 && !pending.isEmpty() ? definedByRepeatables() : Set.of();
    List<Migration> applied = new ArrayList<>();
    for (Migration migration : pending) {
      long fileStarted = System.nanoTime();
      apply(connection, migration, definedLater);
      applied.add(migration);
      LOG.info("Applied migration {} in {} ms", migration.name(), millisSince(fileStarted));
    }
    List<RepeatableScript> repeatables = pendingRepeatables(connection, !applied.isEmpty());
    applyRepeatables(connection, repeatables);
    int schemaVersion = schemaVersion(connection);
    LOG.info(
        "ClickHouse schema at version {}: applied {} migration(s), {} already applied, {}"
            + " repeatable script(s), in {} ms",
        schemaVersion,
        applied.size(),
        alreadyApplied,
        repeatables.size(),
        millisSince(started));
    return new MigrationResult(applied, alreadyApplied, schemaVersion, repeatables);
  }

  /**
   * The repeatable scripts {@link #migrate} would apply if no versioned migration were pending:
   * from the first whose checksum differs from the newest recorded one to the last; all of them
   * when {@code versionedApplied}. The bookkeeping tables must exist.
   */
  public List<RepeatableScript> pendingRepeatables(Connection connection, boolean versionedApplied)
      throws SQLException {
    List<RepeatableScript> scripts = migrations.repeatables();
    if (versionedApplied) {
      return scripts;
    }
    Map<String, String> current = currentRepeatables(connection);
    for (int i = 0; i < scripts.size(); i++) {
      if (!scripts.get(i).checksum().equals(current.get(scripts.get(i).name()))) {
        return scripts.subList(i, scripts.size());
      }
    }
    return List.of();
  }

  /** The newest recorded checksum of every repeatable script, by name. */
  public Map<String, String> currentRepeatables(Connection connection) throws SQLException {
    Map<String, String> current = new LinkedHashMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(SELECT_CURRENT_REPEATABLES)) {
      while (rows.next()) {
        current.put(rows.getString(1), rows.getString(2));
      }
    }
    return current;
  }

  /** A view or function as it was before this run, null if it did not exist. */
  private record PreviousDefinition(RepeatableScript.DefinedObject object, String createQuery) {}

  private void applyRepeatables(Connection connection, List<RepeatableScript> scripts)
      throws SQLException {
    if (scripts.isEmpty()) {
      return;
    }
    List<PreviousDefinition> previous = previousDefinitions(connection, scripts);
    try (Statement statement = connection.createStatement()) {
      for (RepeatableScript script : scripts) {
        long started = System.nanoTime();
        for (SqlScript.Statement sql : script.statements()) {
          try {
            statement.execute(sql.sql());
          } catch (SQLException e) {
            String restored = restore(connection, previous, e);
            throw new MigrationException(
                script.name(),
                "Repeatable script "
                    + script.name()
                    + " failed at the statement on line "
                    + sql.line()
                    + ": "
                    + e.getMessage()
                    + "; "
                    + restored,
                e);
          }
        }
        LOG.info("Applied repeatable script {} in {} ms", script.name(), millisSince(started));
      }
    }
    // Recorded only once every script ran: a failed run records nothing and runs again.
    try (PreparedStatement record = connection.prepareStatement(INSERT_REPEATABLE)) {
      for (RepeatableScript script : scripts) {
        record.setString(1, script.name());
        record.setString(2, script.checksum());
        record.executeUpdate();
      }
    }
  }

  /** The definition of every object {@code scripts} define, before they run, in their order. */
  private static List<PreviousDefinition> previousDefinitions(
      Connection connection, List<RepeatableScript> scripts) throws SQLException {
    // Two queries for all objects, not one per object: a fresh database has some sixty to look up,
    // and a query to the engine costs tens of milliseconds here.
    Map<RepeatableScript.DefinedObject, String> stored = storedDefinitions(connection);
    Map<RepeatableScript.DefinedObject, PreviousDefinition> previous = new LinkedHashMap<>();
    for (RepeatableScript script : scripts) {
      for (RepeatableScript.DefinedObject object : script.definitions()) {
        previous.computeIfAbsent(
            object, o -> new PreviousDefinition(o, createOrReplace(o, stored.get(o))));
      }
    }
    return new ArrayList<>(previous.values());
  }

  /** The stored CREATE statement of every view, materialized view and SQL function. */
  private static Map<RepeatableScript.DefinedObject, String> storedDefinitions(
      Connection connection) throws SQLException {
    Map<RepeatableScript.DefinedObject, String> stored = new LinkedHashMap<>();
    try (Statement statement = connection.createStatement()) {
      for (RepeatableScript.Kind kind : RepeatableScript.Kind.values()) {
        boolean function = kind == RepeatableScript.Kind.FUNCTION;
        try (ResultSet rs =
            statement.executeQuery(
                function
                    ? SELECT_FUNCTIONS
                    : SELECT_VIEWS.replace("?", "'" + kind.engine() + "'"))) {
          while (rs.next()) {
            stored.put(new RepeatableScript.DefinedObject(kind, rs.getString(1)), rs.getString(2));
          }
        }
      }
    }
    return stored;
  }

  /**
   * The statement that creates {@code object} as it is {@code stored}, made a {@code CREATE OR
   * REPLACE}; null if it does not exist.
   */
  private static String createOrReplace(RepeatableScript.DefinedObject object, String stored) {
    if (stored == null) {
      return null;
    }
    // The engine stores CREATE VIEW …, CREATE MATERIALIZED VIEW … and CREATE FUNCTION …,
    // whatever the statement said.
    String create = "CREATE " + object.kind().keyword() + " ";
    if (!stored.startsWith(create)) {
      throw new MigrationException(
          null, "Unexpected definition of " + object.name() + " in the engine: " + stored);
    }
    return "CREATE OR REPLACE " + stored.substring("CREATE ".length());
  }

  /** DROP VIEW drops a materialized view too (and never its TO table). */
  private static String dropKeyword(RepeatableScript.Kind kind) {
    return kind == RepeatableScript.Kind.FUNCTION ? "FUNCTION" : "VIEW";
  }

  /**
   * Puts every object back as it was, newest first; says what it did, for the failure's message.
   */
  private static String restore(
      Connection connection, List<PreviousDefinition> previous, SQLException failure) {
    List<String> notRestored = new ArrayList<>();
    try (Statement statement = connection.createStatement()) {
      for (int i = previous.size() - 1; i >= 0; i--) {
        PreviousDefinition definition = previous.get(i);
        String sql =
            definition.createQuery() != null
                ? definition.createQuery()
                : "DROP "
                    + dropKeyword(definition.object().kind())
                    + " IF EXISTS "
                    + definition.object().name();
        try {
          statement.execute(sql);
        } catch (SQLException e) {
          failure.addSuppressed(e);
          notRestored.add(definition.object().name());
        }
      }
    } catch (SQLException e) {
      failure.addSuppressed(e);
      return "the views and functions of this run could not be put back: " + e.getMessage();
    }
    return notRestored.isEmpty()
        ? "every view and function of this run is back to its previous definition"
        : "could not put back " + notRestored + " (see the suppressed exceptions)";
  }

  /**
   * The migrations {@link #migrate} would apply, after the same checks; creates the bookkeeping
   * table if it is missing but changes nothing else.
   */
  public List<Migration> pending(Connection connection) throws SQLException {
    createBookkeepingTable(connection);
    return plan(applied(connection));
  }

  /** The rows of {@code cx_schema_migrations}, by version; the table must exist. */
  public List<AppliedMigration> applied(Connection connection) throws SQLException {
    List<AppliedMigration> applied = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(SELECT_APPLIED)) {
      while (rows.next()) {
        applied.add(
            new AppliedMigration(
                rows.getInt(1),
                rows.getString(2),
                rows.getString(3),
                Instant.ofEpochMilli(rows.getLong(4))));
      }
    }
    return applied;
  }

  private void createBookkeepingTable(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      for (SqlScript.Statement ddl : migrations.bookkeepingStatements()) {
        statement.execute(ddl.sql());
      }
    }
  }

  private List<Migration> plan(List<AppliedMigration> applied) {
    Map<Integer, Migration> known = new LinkedHashMap<>();
    migrations.migrations().forEach(m -> known.put(m.version(), m));
    Map<Integer, AppliedMigration> appliedByVersion = new LinkedHashMap<>();
    int highestApplied = 0;
    for (AppliedMigration row : applied) {
      AppliedMigration earlier = appliedByVersion.putIfAbsent(row.version(), row);
      if (earlier != null && !earlier.checksum().equals(row.checksum())) {
        throw new MigrationException(
            row.name(),
            TABLE
                + " records version "
                + row.version()
                + " twice with different checksums ("
                + earlier.name()
                + ", "
                + row.name()
                + "); two migrators ran at once with different files");
      }
      highestApplied = Math.max(highestApplied, row.version());
      Migration migration = known.get(row.version());
      if (migration == null) {
        LOG.warn(
            "Migration {} (version {}) is applied in the database but unknown to this build;"
                + " the database was migrated by a newer version",
            row.name(),
            row.version());
      } else if (!migration.name().equals(row.name())) {
        throw new MigrationException(
            migration.name(),
            "Migration version "
                + row.version()
                + " was applied as "
                + row.name()
                + " but the file is now named "
                + migration.name()
                + "; applied migrations must not be renamed");
      } else if (!migration.checksum().equals(row.checksum())) {
        throw new MigrationException(
            migration.name(),
            "Migration "
                + migration.name()
                + " has changed since it was applied at "
                + row.appliedAt()
                + " (checksum "
                + row.checksum()
                + ", file now "
                + migration.checksum()
                + "); applied migrations must not be edited: restore the file and add a new"
                + " migration for the change");
      }
    }
    List<Migration> pending = new ArrayList<>();
    for (Migration migration : migrations.migrations()) {
      if (appliedByVersion.containsKey(migration.version())) {
        continue;
      }
      if (migration.version() < highestApplied) {
        throw new MigrationException(
            migration.name(),
            "Migration "
                + migration.name()
                + " is not applied but version "
                + highestApplied
                + " is; a migration must have a higher version than every applied one");
      }
      pending.add(migration);
    }
    return pending;
  }

  /** The names of the views and functions the repeatable scripts define. */
  private Set<String> definedByRepeatables() {
    Set<String> names = new HashSet<>();
    for (RepeatableScript script : migrations.repeatables()) {
      for (RepeatableScript.DefinedObject object : script.definitions()) {
        names.add(object.name());
      }
    }
    return names;
  }

  private static void apply(Connection connection, Migration migration, Set<String> definedLater)
      throws SQLException {
    try (Statement statement = connection.createStatement()) {
      for (SqlScript.Statement sql : migration.statements()) {
        Matcher definition = VERSIONED_DEFINITION.matcher(sql.sql());
        if (definition.lookingAt() && definedLater.contains(definition.group(1))) {
          LOG.debug(
              "Migration {}: {} on line {} left to the repeatable scripts",
              migration.name(),
              definition.group(1),
              sql.line());
          continue;
        }
        long started = System.nanoTime();
        try {
          statement.execute(sql.sql());
        } catch (SQLException e) {
          throw new MigrationException(
              migration.name(),
              "Migration "
                  + migration.name()
                  + " failed at the statement on line "
                  + sql.line()
                  + ": "
                  + e.getMessage(),
              e);
        }
        LOG.debug(
            "Migration {}: statement on line {} ran in {} ms",
            migration.name(),
            sql.line(),
            millisSince(started));
      }
    }
    try (PreparedStatement record = connection.prepareStatement(INSERT_APPLIED)) {
      record.setInt(1, migration.version());
      record.setString(2, migration.name());
      record.setString(3, migration.checksum());
      record.executeUpdate();
    }
  }

  private int schemaVersion(Connection connection) throws SQLException {
    return applied(connection).stream().mapToInt(AppliedMigration::version).max().orElse(0);
  }

  private static long millisSince(long nanoTime) {
    return (System.nanoTime() - nanoTime) / 1_000_000;
  }
}
