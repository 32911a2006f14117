package io.cxpulse.local;

import java.nio.file.Path;

/**
 * The CX Pulse directory: the repository the {@code cx-pulse} launcher lives in, where the local
 * mode keeps its data unless told otherwise.
 *
 * <p>Why a property rather than the working directory: the launcher leaves the JVM in the directory
 * the user ran it from, so that every relative path on the command line ({@code --data-dir}, {@code
 * --alert-rules}, picocli's {@code @file}s, any flag added later) means what the user meant, as in
 * any other command. The repository therefore has to be named: the launcher passes it as {@value
 * #PROPERTY}. A JVM started without it (tests, a hand-written {@code java} command) uses its
 * working directory.
 */
final class CxPulseHome {

  static final String PROPERTY = "cxpulse.home";

  private CxPulseHome() {}

  /** The CX Pulse directory, absolute. */
  static Path get() {
    String home = System.getProperty(PROPERTY);
    return (home == null || home.isBlank() ? Path.of("") : Path.of(home)).toAbsolutePath();
  }
}
