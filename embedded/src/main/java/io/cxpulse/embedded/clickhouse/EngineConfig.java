package io.cxpulse.embedded.clickhouse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The engine's own configuration, written next to its databases at every start: what SQL may reach,
 * and how long one statement may run.
 *
 * <p>Why a configuration at all: without one, the engine runs as {@code clickhouse-local} does,
 * with every grant, so any client could read or write any file the process can ({@code
 * file('/proc/self/environ')} returned the environment with every secret in it), fetch any URL for
 * the caller ({@code url()} into the Flink REST API), or query other servers. The engine checks
 * grants the way a ClickHouse server does, so the one user every connection runs as gets exactly
 * what the jobs' migrations, inserts and the readers' queries need, and no source grant at all:
 * {@code file}, {@code url}, {@code s3}, {@code remote}, {@code mysql}, {@code postgresql}, {@code
 * hdfs}, {@code azureBlobStorage}, the {@code File}/{@code URL}/… table engines and {@code INSERT
 * INTO FUNCTION} are refused by the engine itself with ACCESS_DENIED (497), and so are dictionaries
 * (whose {@code FILE}/{@code HTTP} sources read without a source grant), {@code BACKUP}/{@code
 * RESTORE} (they write files) and {@code SYSTEM}.
 *
 * <p>What grants cannot reach, because {@code clickhouse-local} does it on the client side or skips
 * the check, the HTTP server refuses itself ({@link ClientSqlGuard}): {@code INTO OUTFILE}, {@code
 * FROM INFILE}, and {@code ATTACH … FROM 'path'}, which <em>moves</em> that directory into the
 * engine's store. {@code user_files_path} and {@code user_scripts_path} point at an empty
 * directory, so {@code executable()} finds nothing to run and a path check, where the engine makes
 * one, finds nothing to read.
 *
 * <p>One system table is taken out of the engine's catalog at every start ({@link
 * #REMOVED_SYSTEM_TABLES}): reading {@code system.models} makes the engine start {@code
 * clickhouse-library-bridge} (measured: it runs {@code /usr/bin/clickhouse-library-bridge}, where a
 * ClickHouse installation keeps it) and wait for it, 10 to 116 s, past any {@code
 * max_execution_time}. Grants cannot refuse it: this engine build grants every user {@code SELECT}
 * on the whole {@code system} database whatever the configuration says (measured: {@code REVOKE
 * SELECT ON system.*}, with {@code select_from_system_db_requires_grant} on, left every system
 * table readable), and a refusal by name would miss {@code merge('system', '^m.dels$')}, a view or
 * a Merge table over it. Without the table, each of those finds nothing; {@code ATTACH} is refused
 * by {@link ClientSqlGuard}, and no engine of that kind can be created.
 *
 * <p>The engine runs one statement at a time (measured: a second session's insert waited for a 5 s
 * read to end, and {@code KILL QUERY} cannot run beside it), so the only way to keep a slow read
 * from stalling the jobs' inserts is to bound every statement: {@code max_execution_time} is set
 * for every session with a constraint from 1 s (0 would mean unlimited) to that bound, so neither
 * {@code SET} nor a {@code SETTINGS} clause can lift it; beyond it a statement fails with
 * TIMEOUT_EXCEEDED (159) or SETTING_CONSTRAINT_VIOLATION (452).
 *
 * <p>Inserts are synchronous ({@code async_insert = 0} in the profile). This engine version turns
 * {@code async_insert} on by default, and the HTTP server hands every INSERT's data to the engine
 * as {@code FROM INFILE} ({@link InsertData}), which an asynchronous insert refuses with
 * "Processing async inserts with both inlined and external data … is not supported"
 * (NOT_IMPLEMENTED, 48). Whether the engine takes the asynchronous path depends on its internal
 * insert queue, so the refusal came and went: in one CI run a migration's history row failed with
 * it. The sinks also want the synchronous meaning: an acknowledged insert is in a part, which is
 * what a checkpoint's flush promises.
 */
final class EngineConfig {

  /** How long one statement may run by default; the jobs' statements take milliseconds. */
  static final Duration DEFAULT_MAX_QUERY_TIME = Duration.ofSeconds(30);

  /**
   * Every grant the one engine user has. Creating databases, tables, views and SQL functions
   * ({@code CREATE FUNCTION}: the migrations' shared formulas, sql/repeatable/R__formulas.sql), and
   * changing and dropping them, is what the migrations need; reading, inserting and optimising is
   * what the jobs and the readers need; {@code SYSTEM VIEWS} lets a caller run a refreshable
   * materialized view now ({@code SYSTEM REFRESH VIEW}, e.g. the hour rollups of
   * sql/repeatable/R__hour_rollups.sql) instead of waiting for its schedule. Whether a request may
   * write is decided per HTTP user by {@code readonly}, above these grants: a read-only user can
   * call the functions but neither create nor drop one (measured: READONLY, 164).
   */
  static final List<String> GRANTS =
      List.of(
          "GRANT SHOW, SELECT, INSERT, ALTER, CREATE DATABASE, CREATE TABLE, CREATE VIEW,"
              + " CREATE FUNCTION, DROP, TRUNCATE, OPTIMIZE, SYSTEM VIEWS ON *.*");

  /**
   * The system tables the engine loses at every start, before it serves anything: {@code models}
   * starts a process and outlasts the bound (see above), and no user of CX Pulse reads CatBoost
   * models.
   */
  static final List<String> REMOVED_SYSTEM_TABLES = List.of("models");

  /** Where the configuration lives, inside the data directory, rewritten at every start. */
  static final String DIRECTORY = "server-config";

  private EngineConfig() {}

  /**
   * Writes the configuration for the engine on {@code dataDir} and returns the {@code
   * --config-file} argument that applies it.
   */
  static String write(Path dataDir, Duration maxQueryTime) throws IOException {
    long seconds = maxQueryTime.toSeconds();
    if (seconds < 1) {
      throw new IllegalArgumentException(
          "the longest a query may run must be at least 1 s, not " + maxQueryTime);
    }
    Path directory = Files.createDirectories(dataDir.resolve(DIRECTORY));
    Path noUserFiles = Files.createDirectories(directory.resolve("no-user-files"));
    Path users = directory.resolve("users.xml");
    Path config = directory.resolve("config.xml");
    Files.writeString(users, usersXml(seconds));
    Files.writeString(
        config,
        """
        <clickhouse>
          <user_files_path>%1$s/</user_files_path>
          <user_scripts_path>%1$s/</user_scripts_path>
          <users_config>%2$s</users_config>
        </clickhouse>
        """
            .formatted(xmlText(noUserFiles.toString()), xmlText(users.toString())));
    return "--config-file=" + config;
  }

  /**
   * The statements that take {@link #REMOVED_SYSTEM_TABLES} out of the engine's catalog; {@code IF
   * EXISTS}, as an engine reopened in the same process may have lost them already.
   */
  static List<String> removeSystemTables() {
    return REMOVED_SYSTEM_TABLES.stream()
        .map(table -> "DETACH TABLE IF EXISTS system.`" + table + "`")
        .toList();
  }

  private static String usersXml(long maxQuerySeconds) {
    StringBuilder grants = new StringBuilder();
    for (String grant : GRANTS) {
      grants.append("        <query>").append(xmlText(grant)).append("</query>\n");
    }
    return """
        <clickhouse>
          <users>
            <default>
              <password></password>
              <profile>default</profile>
              <quota>default</quota>
              <grants>
        %s      </grants>
            </default>
          </users>
          <profiles>
            <default>
              <max_execution_time>%d</max_execution_time>
              <async_insert>0</async_insert>
              <constraints>
                <max_execution_time><min>1</min><max>%d</max></max_execution_time>
              </constraints>
            </default>
          </profiles>
          <quotas><default></default></quotas>
        </clickhouse>
        """
        .formatted(grants, maxQuerySeconds, maxQuerySeconds);
  }

  private static String xmlText(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
