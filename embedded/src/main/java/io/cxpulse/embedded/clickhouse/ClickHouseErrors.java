package io.cxpulse.embedded.clickhouse;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads ClickHouse's numeric error code out of the engine's error text. */
final class ClickHouseErrors {

  /** ClickHouse's own code for "unknown error", used when the text carries none. */
  static final int UNKNOWN = 1000;

  private static final Pattern CODE = Pattern.compile("Code:\\s*(\\d+)");

  private ClickHouseErrors() {}

  static int codeOf(String error) {
    if (error == null) {
      return 0;
    }
    Matcher matcher = CODE.matcher(error);
    return matcher.find() ? Integer.parseInt(matcher.group(1)) : UNKNOWN;
  }
}
