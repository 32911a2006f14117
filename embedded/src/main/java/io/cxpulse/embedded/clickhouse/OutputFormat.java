package io.cxpulse.embedded.clickhouse;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The format a response is really in. A FORMAT clause in the SQL wins over the format the client
 * asked for in its headers (the engine applies the clause), so the response headers must name the
 * clause's format.
 */
final class OutputFormat {

  private static final Pattern TRAILING_FORMAT =
      Pattern.compile(
          "\\bFORMAT\\s+([A-Za-z][A-Za-z0-9_]*)\\s*(?:SETTINGS\\s+[^;]*)?;?\\s*$",
          Pattern.CASE_INSENSITIVE);

  private OutputFormat() {}

  static String effective(String sql, String requested) {
    if (InsertData.parse(sql).isPresent()) {
      return requested;
    }
    Matcher matcher = TRAILING_FORMAT.matcher(sql);
    return matcher.find() ? matcher.group(1) : requested;
  }
}
