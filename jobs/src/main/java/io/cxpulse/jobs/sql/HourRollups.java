package io.cxpulse.jobs.sql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the hour rollups' refreshable materialized views (sql/repeatable/R__hour_rollups.sql) now,
 * rather than at their next scheduled minute, until every final hour is sealed: for a benchmark
 * that loads a month of rows at once, and for tests that compare the views before and after.
 *
 * <p>A refresh seals the new hours of at most one month, so a long history takes several; this
 * refreshes each view until the newest sealed hour stops moving.
 */
public final class HourRollups {

  /** A rollup view is named after the table it fills: cx_survey_window_hour_seal. */
  static final String SEAL_SUFFIX = "_seal";

  /** Refreshes per view at most: a month each, so over eight years of history. */
  private static final int MAX_REFRESHES = 100;

  private HourRollups() {}

  /**
   * Seals every final hour of every window table of the connection's database.
   *
   * @return the refreshes run, over all views
   * @throws SQLException if a refresh fails (its exception, from system.view_refreshes)
   */
  public static int sealNow(Connection connection) throws SQLException {
    int refreshes = 0;
    try (Statement statement = connection.createStatement()) {
      for (String view : views(statement)) {
        String table = view.substring(0, view.length() - SEAL_SUFFIX.length());
        String before = null;
        for (int i = 0; i < MAX_REFRESHES; i++) {
          statement.execute("SYSTEM REFRESH VIEW " + view);
          statement.execute("SYSTEM WAIT VIEW " + view);
          refreshes++;
          String sealed = sealedState(statement, table);
          if (sealed.equals(before)) {
            break;
          }
          before = sealed;
        }
      }
    }
    return refreshes;
  }

  /** The hour rollup views of the current database. */
  private static List<String> views(Statement statement) throws SQLException {
    List<String> views = new ArrayList<>();
    try (ResultSet rs =
        statement.executeQuery(
            "SELECT view FROM system.view_refreshes WHERE database = currentDatabase()"
                + " AND endsWith(view, '_hour"
                + SEAL_SUFFIX
                + "') ORDER BY view")) {
      while (rs.next()) {
        views.add(rs.getString(1));
      }
    }
    return views;
  }

  /**
   * The end of the newest sealed hour: it moves with every refresh that seals new hours (a month's
   * at most), and stops when every final hour is sealed. (Not a count: every refresh re-seals the
   * last two hours, so the table gains rows each time until it merges.)
   */
  private static String sealedState(Statement statement, String table) throws SQLException {
    try (ResultSet rs = statement.executeQuery("SELECT max(window_end) FROM " + table)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
