package io.cxpulse.jobs.codec;

/**
 * UTF-8 lengths of Java strings, counted without encoding them: the gate bounds strings in bytes
 * (what Kafka, the state and ClickHouse store), and encoding a 1 MiB string only to measure it
 * would cost as much as the record.
 */
public final class Utf8Text {

  private Utf8Text() {}

  /**
   * The UTF-8 length of {@code text}; an unpaired surrogate counts as the one byte ('?') Java's
   * encoder writes for it.
   */
  public static long length(CharSequence text) {
    long bytes = 0;
    for (int i = 0; i < text.length(); ) {
      int codePoint = Character.codePointAt(text, i);
      bytes += Character.isSurrogate((char) codePoint) ? 1 : width(codePoint);
      i += Character.charCount(codePoint);
    }
    return bytes;
  }

  /**
   * {@code text} cut to at most {@code maxBytes} UTF-8 bytes on a code point boundary and marked
   * with "…" (3 bytes more), or unchanged when it fits.
   */
  public static String cut(String text, int maxBytes) {
    if (length(text) <= maxBytes) {
      return text;
    }
    int bytes = 0;
    int end = 0;
    while (end < text.length()) {
      int codePoint = text.codePointAt(end);
      int width = width(codePoint);
      if (bytes + width > maxBytes) {
        break;
      }
      bytes += width;
      end += Character.charCount(codePoint);
    }
    return text.substring(0, end) + "…";
  }

  private static int width(int codePoint) {
    return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
  }
}
