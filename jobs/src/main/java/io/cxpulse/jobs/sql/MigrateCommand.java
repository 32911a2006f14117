package io.cxpulse.jobs.sql;

import io.cxpulse.jobs.pipeline.UsageErrors;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Command line entry to {@link SchemaMigrator}: applies the pending ClickHouse migrations and the
 * repeatable scripts (functions and views) that changed.
 *
 * <pre>
 * java -cp cx-pulse-jobs.jar:... io.cxpulse.jobs.sql.MigrateCommand \
 *     --clickhouse-url jdbc:clickhouse:http://clickhouse:8123/default --user cx
 * </pre>
 *
 * <p>Exit codes: 0 when the schema is current (also when there was nothing to do), 1 when a
 * migration or the connection failed (the reason on standard error), 2 for bad arguments. The
 * password comes from {@code --password} or the environment variable {@code CLICKHOUSE_PASSWORD}
 * and is never printed or logged.
 */
@Command(
    name = "cx-pulse-migrate",
    mixinStandardHelpOptions = true,
    description =
        "Applies the pending CX Pulse ClickHouse migrations (sql/migrations) and the changed"
            + " repeatable scripts (sql/repeatable).",
    sortOptions = false)
public final class MigrateCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(MigrateCommand.class);

  public static final String DEFAULT_URL = "jdbc:clickhouse:http://127.0.0.1:8123/default";

  /** Exit code when a migration or the connection failed. */
  public static final int EXIT_FAILED = 1;

  @Spec private CommandSpec spec;

  @Option(
      names = "--clickhouse-url",
      defaultValue = DEFAULT_URL,
      description =
          "ClickHouse JDBC URL; its database is the one migrated (default: ${DEFAULT-VALUE}).")
  private String url;

  @Option(
      names = "--user",
      defaultValue = "default",
      description = "ClickHouse user (default: ${DEFAULT-VALUE}).")
  private String user;

  @Option(
      names = "--password",
      defaultValue = "${env:CLICKHOUSE_PASSWORD}",
      showDefaultValue = Visibility.NEVER,
      description =
          "ClickHouse password (default: the environment variable CLICKHOUSE_PASSWORD, else empty).")
  private String password;

  @Option(
      names = "--sql-dir",
      paramLabel = "DIR",
      description =
          "Read the SQL from DIR (laid out like the repository's sql/ folder) instead of the"
              + " copy inside the jar.")
  private Path sqlDir;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command as {@link #main} does, returning the exit code instead of exiting. */
  public static int run(String... args) {
    return UsageErrors.install(new CommandLine(new MigrateCommand())).execute(args);
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String target = redact(url);
    try {
      Migrations migrations =
          sqlDir == null ? Migrations.fromClasspath() : Migrations.fromDirectory(sqlDir);
      Properties properties = new Properties();
      properties.setProperty("user", user);
      properties.setProperty("password", password == null ? "" : password);
      LOG.info("Migrating ClickHouse at {} as user {}", target, user);
      try (Connection connection = DriverManager.getConnection(url, properties)) {
        MigrationResult result = new SchemaMigrator(migrations).migrate(connection);
        out.printf(
            "ClickHouse schema at version %d: applied %d migration(s)%s, %d already applied;"
                + " applied %d repeatable script(s)%s%n",
            result.schemaVersion(),
            result.applied().size(),
            result.applied().isEmpty() ? "" : " " + result.applied(),
            result.alreadyApplied(),
            result.repeatablesApplied().size(),
            result.repeatablesApplied().isEmpty() ? "" : " " + result.repeatablesApplied());
        out.flush();
        return 0;
      }
    } catch (MigrationException e) {
      return fail(err, e.getMessage(), e);
    } catch (SQLException e) {
      return fail(err, "ClickHouse at " + target + ": " + e.getMessage(), e);
    }
  }

  private static int fail(PrintWriter err, String message, Exception e) {
    LOG.error("Migration failed: {}", message, e);
    err.println("Migration failed: " + message);
    err.flush();
    return EXIT_FAILED;
  }

  /** The URL without user info and query parameters, either of which may hold a password. */
  static String redact(String jdbcUrl) {
    String redacted = jdbcUrl.replaceFirst("//[^/@?]*@", "//");
    int query = redacted.indexOf('?');
    return query < 0 ? redacted : redacted.substring(0, query) + "?…";
  }
}
