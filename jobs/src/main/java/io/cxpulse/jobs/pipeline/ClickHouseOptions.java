package io.cxpulse.jobs.pipeline;

import java.io.Serializable;
import java.util.Objects;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;

/**
 * The ClickHouse every job writes to: URL, user and password. {@link Flags} are its command-line
 * flags.
 *
 * <p>How rows are batched is in {@link RuntimeOptions}: the jobs list those flags after {@code
 * --bounded} in their {@code --help}, and a mixin's flags are listed together, where the mixin is
 * declared.
 *
 * @param clickhouseUrl ClickHouse JDBC URL
 * @param clickhouseUser ClickHouse user
 * @param clickhousePassword ClickHouse password, empty for none; never printed by {@link
 *     #toString()}
 */
public record ClickHouseOptions(
    String clickhouseUrl, String clickhouseUser, String clickhousePassword)
    implements Serializable {

  /** The local ClickHouse of docker-compose.yml. */
  public static final String DEFAULT_URL = "jdbc:clickhouse:http://127.0.0.1:8123/default";

  public static final String DEFAULT_USER = "default";

  /** The local ClickHouse, its default user, no password. */
  public static final ClickHouseOptions DEFAULTS =
      new ClickHouseOptions(DEFAULT_URL, DEFAULT_USER, "");

  private static final long serialVersionUID = 1L;

  public ClickHouseOptions {
    Objects.requireNonNull(clickhouseUrl, "clickhouseUrl");
    Objects.requireNonNull(clickhouseUser, "clickhouseUser");
    clickhousePassword = clickhousePassword == null ? "" : clickhousePassword;
  }

  /** The JDBC connection, see {@link ClickHouseSinks#connectionOptions}. */
  public JdbcConnectionOptions connectionOptions() {
    return ClickHouseSinks.connectionOptions(clickhouseUrl, clickhouseUser, clickhousePassword);
  }

  /** Like the record's, but the password shows only whether one is set, the URL neither. */
  @Override
  public String toString() {
    return "ClickHouseOptions[clickhouseUrl="
        + redactUrl(clickhouseUrl)
        + ", clickhouseUser="
        + clickhouseUser
        + ", clickhousePassword="
        + (clickhousePassword.isEmpty() ? "(none)" : "(set)")
        + "]";
  }

  /** The URL without user info and query parameters, either of which may hold a password. */
  static String redactUrl(String jdbcUrl) {
    String redacted = jdbcUrl.replaceFirst("//[^/@?]*@", "//");
    int query = redacted.indexOf('?');
    return query < 0 ? redacted : redacted.substring(0, query) + "?…";
  }

  /** The connection flags every job takes, as a picocli mixin. */
  public static final class Flags {

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

    /** The options these flags give. */
    public ClickHouseOptions options() {
      return new ClickHouseOptions(clickhouseUrl, clickhouseUser, clickhousePassword);
    }
  }
}
