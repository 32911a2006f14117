package io.cxpulse.jobs.pipeline;

import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;

/**
 * The ClickHouse connection flags every job takes, as a picocli mixin: URL, user and password.
 *
 * <p>How rows are batched ({@code --jdbc-batch-size}, {@code --jdbc-flush-interval}) is in {@link
 * RuntimeFlags}: the jobs list those flags after {@code --bounded} in their {@code --help}, and a
 * mixin's flags are listed together, where the mixin is declared.
 */
public final class ClickHouseFlags {

  /** The local ClickHouse of docker-compose.yml. */
  public static final String DEFAULT_URL = "jdbc:clickhouse:http://127.0.0.1:8123/default";

  public static final String DEFAULT_USER = "default";

  @Option(
      names = "--clickhouse-url",
      defaultValue = DEFAULT_URL,
      description = "ClickHouse JDBC URL (default: ${DEFAULT-VALUE}).")
  private String clickhouseUrl;

  @Option(
      names = "--clickhouse-user",
      defaultValue = DEFAULT_USER,
      description = "ClickHouse user (default: ${DEFAULT-VALUE}).")
  private String clickhouseUser;

  @Option(
      names = "--clickhouse-password",
      defaultValue = "${env:CLICKHOUSE_PASSWORD}",
      showDefaultValue = Visibility.NEVER,
      description =
          "ClickHouse password (default: the environment variable CLICKHOUSE_PASSWORD, else"
              + " empty; prefer the variable, command lines are visible to other users).")
  private String clickhousePassword;

  /** The ClickHouse JDBC URL. */
  public String url() {
    return clickhouseUrl;
  }

  /** The ClickHouse user. */
  public String user() {
    return clickhouseUser;
  }

  /** The ClickHouse password, null or empty for none. */
  public String password() {
    return clickhousePassword;
  }

  /** The JDBC connection of these flags, see {@link ClickHouseSinks#connectionOptions}. */
  public JdbcConnectionOptions connectionOptions() {
    return ClickHouseSinks.connectionOptions(clickhouseUrl, clickhouseUser, clickhousePassword);
  }
}
