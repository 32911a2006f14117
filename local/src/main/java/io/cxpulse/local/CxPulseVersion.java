package io.cxpulse.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * What {@code --version} prints, for {@code cx-pulse} and each of its commands: the Maven project
 * version. It is declared once, in {@code pom.xml}; the build writes it into {@value #RESOURCE} by
 * resource filtering (the launcher runs from {@code target/classes}, where a jar manifest's version
 * does not exist).
 */
public final class CxPulseVersion implements IVersionProvider {

  static final String RESOURCE = "version.properties";

  /** The project version, e.g. {@code 0.1.0-SNAPSHOT}. */
  public static String version() {
    Properties properties = new Properties();
    try (InputStream in = CxPulseVersion.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the classpath");
      }
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String version = properties.getProperty("version", "");
    if (version.isBlank() || version.contains("${")) {
      throw new IllegalStateException(
          RESOURCE + " holds no version (built without Maven's resource filtering?): " + version);
    }
    return version;
  }

  @Override
  public String[] getVersion() {
    return new String[] {"CX Pulse " + version()};
  }
}
