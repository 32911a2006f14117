package io.cxpulse.embedded.clickhouse;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Refuses the statements whose reach no engine grant limits (see {@link EngineConfig}): {@code INTO
 * OUTFILE} and {@code FROM INFILE}, which {@code clickhouse-local} carries out on its client side,
 * and {@code ATTACH}, whose {@code FROM 'path'} form moves any directory into the engine's store
 * (tried here: it took {@code /etc} away) and which nothing in CX Pulse needs.
 *
 * <p>The statement is judged in the engine's own canonical form ({@code formatQuerySingleLine}),
 * not as the client wrote it: comments, heredoc strings and odd spacing are gone, keywords are
 * upper-case, every literal is single-quoted with backslash escapes and every quoted name is in
 * backquotes, so a few lines of scanning see what the engine will run. A statement the engine
 * cannot parse fails there with its syntax error, several statements in one request with "Multi-
 * statements are not allowed", as on a ClickHouse server.
 */
final class ClientSqlGuard {

  static final int ACCESS_DENIED = 497;

  private ClientSqlGuard() {}

  /**
   * The engine's error for {@code sql}, if it must not run: a syntax error, or ACCESS_DENIED for
   * one of the statements above; empty if it may.
   */
  static Optional<ChdbEngine.Result> check(ChdbEngine.Session session, String sql) {
    ChdbEngine.Result canonical =
        session.query(
            "SELECT formatQuerySingleLine({statement:String})",
            "TabSeparatedRaw",
            Map.of("statement", escapedParameter(sql)));
    if (canonical.failed()) {
      return Optional.of(canonical);
    }
    String text = new String(canonical.output(), java.nio.charset.StandardCharsets.UTF_8);
    return refusal(words(text))
        .map(
            why ->
                ChdbEngine.Result.failure(
                    "Code: " + ACCESS_DENIED + ". DB::Exception: " + why + ". (ACCESS_DENIED)"));
  }

  /**
   * {@code value} as the engine reads a String query parameter: in TSV's escaped form, so that a
   * backslash, tab or newline in the statement arrives as itself.
   */
  static String escapedParameter(String value) {
    StringBuilder escaped = new StringBuilder(value.length() + 16);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> escaped.append("\\\\");
        case '\t' -> escaped.append("\\t");
        case '\n' -> escaped.append("\\n");
        case '\r' -> escaped.append("\\r");
        case '\0' -> escaped.append("\\0");
        default -> escaped.append(c);
      }
    }
    return escaped.toString();
  }

  /**
   * Why a statement of these words (upper-cased, outside literals and quoted names) may not run.
   */
  static Optional<String> refusal(List<String> words) {
    if (!words.isEmpty() && words.get(0).equals("ATTACH")) {
      return Optional.of(
          "ATTACH is not allowed through this server: ATTACH … FROM 'path' would move that"
              + " directory into the engine's store");
    }
    for (int i = 0; i + 1 < words.size(); i++) {
      String pair = words.get(i) + " " + words.get(i + 1);
      if (pair.equals("INTO OUTFILE") || pair.equals("FROM INFILE")) {
        return Optional.of(
            pair
                + " is not allowed through this server: it reads or writes files of the server's"
                + " machine; send the data in the request or read the response instead");
      }
    }
    return Optional.empty();
  }

  /**
   * The bare words of a canonical statement, upper-cased: {@code '…'} literals (backslash escapes),
   * {@code `…`} and {@code "…"} names skipped.
   */
  static List<String> words(String canonical) {
    List<String> words = new ArrayList<>();
    int i = 0;
    int n = canonical.length();
    while (i < n) {
      char c = canonical.charAt(i);
      if (c == '\'' || c == '`' || c == '"') {
        i = skipQuoted(canonical, i, c);
      } else if (Character.isLetter(c) || c == '_') {
        int start = i;
        while (i < n
            && (Character.isLetterOrDigit(canonical.charAt(i)) || canonical.charAt(i) == '_')) {
          i++;
        }
        words.add(canonical.substring(start, i).toUpperCase(Locale.ROOT));
      } else if (Character.isDigit(c)) {
        // A number, e.g. 1e5 or 0x1F: its letters are not words.
        while (i < n
            && (Character.isLetterOrDigit(canonical.charAt(i)) || canonical.charAt(i) == '.')) {
          i++;
        }
      } else {
        i++;
      }
    }
    return words;
  }

  private static int skipQuoted(String text, int open, char quote) {
    int i = open + 1;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '\\') {
        i += 2;
      } else if (c == quote) {
        if (i + 1 < text.length() && text.charAt(i + 1) == quote) {
          i += 2;
        } else {
          return i + 1;
        }
      } else {
        i++;
      }
    }
    return i;
  }
}
