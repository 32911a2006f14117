package io.cxpulse.local;

import java.net.URISyntaxException;
import java.nio.file.Path;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * Local mode's log: the engines' and our own log lines go to one file in the data directory, and
 * the terminal keeps the banner, the summary and our own warnings and errors. The file is known
 * only once the command line is parsed, after log4j has started with {@code log4j2.properties};
 * log4j is then reconfigured with {@value #CONFIGURATION}, which names the file by the system
 * property {@value #FILE_PROPERTY}.
 */
final class LocalLog {

  /** The system property {@value #CONFIGURATION} reads the log file's path from. */
  static final String FILE_PROPERTY = "cxpulse.logFile";

  /** Our own code's level in the file (default INFO), e.g. DEBUG for a diagnosis. */
  static final String LEVEL_PROPERTY = "cxpulse.logLevel";

  static final String CONFIGURATION = "log4j2-local.properties";

  private LocalLog() {}

  /** The log file of a local mode on {@code dataDir}. */
  static Path file(Path dataDir) {
    return dataDir.resolve("logs").resolve("cx-pulse.log");
  }

  /** From now on, this JVM logs as local mode does, to {@code file}. */
  static void routeTo(Path file) {
    System.setProperty(FILE_PROPERTY, file.toAbsolutePath().toString());
    try {
      Configurator.reconfigure(LocalLog.class.getResource("/" + CONFIGURATION).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot read " + CONFIGURATION, e);
    }
  }
}
