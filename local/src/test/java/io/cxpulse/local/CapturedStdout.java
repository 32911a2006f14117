package io.cxpulse.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * What this JVM prints to {@code System.out} from now until {@link #close()}, still shown on the
 * terminal: local mode prints its banner and summary there (the summary keeps the stream it was
 * given, so the capture must be in place before local mode starts).
 */
final class CapturedStdout implements AutoCloseable {

  private final PrintStream original = System.out;
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

  private CapturedStdout() {
    System.setOut(new PrintStream(tee(original, printed), true, StandardCharsets.UTF_8));
  }

  static CapturedStdout start() {
    return new CapturedStdout();
  }

  /** Everything printed so far. */
  String text() {
    synchronized (printed) {
      return printed.toString(StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() {
    System.setOut(original);
  }

  private static OutputStream tee(OutputStream first, ByteArrayOutputStream second) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        first.write(b);
        synchronized (second) {
          second.write(b);
        }
      }

      @Override
      public void write(byte[] bytes, int offset, int length) throws IOException {
        first.write(bytes, offset, length);
        synchronized (second) {
          second.write(bytes, offset, length);
        }
      }

      @Override
      public void flush() throws IOException {
        first.flush();
      }
    };
  }
}
