package io.cxpulse.jobs.pipeline;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses durations given on command lines: ISO-8601 ({@code PT1M}, {@code PT0.5S}, {@code P1D}) or
 * the shorthand {@code 500ms}, {@code 30s}, {@code 1m}, {@code 1h}, {@code 2d}, also combined
 * ({@code 1h30m}); and checks the durations of the options, with the messages the command lines
 * show.
 */
public final class Durations {

  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final Pattern SHORTHAND = Pattern.compile("(?:\\d+(?:ms|s|m|h|d))+");

  private Durations() {}

  /**
   * The duration {@code text} denotes.
   *
   * @throws IllegalArgumentException if it is neither ISO-8601 nor shorthand
   */
  public static Duration parse(String text) {
    String trimmed = text.strip();
    if (trimmed.isEmpty()) {
      throw new IllegalArgumentException("empty duration");
    }
    char first = Character.toUpperCase(trimmed.charAt(0));
    if (first == 'P' || ((first == '-' || first == '+') && trimmed.length() > 1)) {
      try {
        return Duration.parse(trimmed);
      } catch (DateTimeParseException e) {
        throw invalid(text);
      }
    }
    String lower = trimmed.toLowerCase(Locale.ROOT);
    if (!SHORTHAND.matcher(lower).matches()) {
      throw invalid(text);
    }
    Duration total = Duration.ZERO;
    Matcher part = PART.matcher(lower);
    try {
      while (part.find()) {
        long amount = Long.parseLong(part.group(1));
        total =
            total.plus(
                switch (part.group(2)) {
                  case "ms" -> Duration.ofMillis(amount);
                  case "s" -> Duration.ofSeconds(amount);
                  case "m" -> Duration.ofMinutes(amount);
                  case "h" -> Duration.ofHours(amount);
                  default -> Duration.ofDays(amount);
                });
      }
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("duration out of range: '" + text + "'");
    }
    return total;
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "not a duration: '"
            + text
            + "' (use ISO-8601 such as PT1M or PT0.5S, or 500ms, 30s, 1m, 1h, 2d, 1h30m)");
  }

  /**
   * {@code value}, which must be positive.
   *
   * @throws IllegalArgumentException "{@code <name> must be positive: <value>}"
   */
  public static Duration requirePositive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
    return value;
  }

  /**
   * {@code value}, which must not be negative.
   *
   * @throws IllegalArgumentException "{@code <name> must not be negative: <value>}"
   */
  public static Duration requireNotNegative(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative: " + value);
    }
    return value;
  }
}
