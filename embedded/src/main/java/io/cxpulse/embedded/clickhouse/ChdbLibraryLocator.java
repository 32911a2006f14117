package io.cxpulse.embedded.clickhouse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Finds {@code libchdb.so} and explains, naming the fix, why it cannot be used.
 *
 * <p>Lookup order: system property {@value #LIBRARY_PROPERTY}, environment variable {@value
 * #LIBRARY_ENV}, then the cache that {@code scripts/fetch-libchdb.sh} fills.
 */
public final class ChdbLibraryLocator {

  public static final String LIBRARY_PROPERTY = "cxpulse.chdb.library";
  public static final String LIBRARY_ENV = "CX_PULSE_LIBCHDB";
  public static final String PINNED_VERSION = "26.5.3";

  private static final String FETCH_HINT =
      "Run scripts/fetch-libchdb.sh (it fetches npm package @chdb/lib-linux-x64-gnu@"
          + PINNED_VERSION
          + " into ~/.cache/cx-pulse), or point -D"
          + LIBRARY_PROPERTY
          + " / "
          + LIBRARY_ENV
          + " at a libchdb.so.";

  private ChdbLibraryLocator() {}

  public static Path locate() {
    String configured = System.getProperty(LIBRARY_PROPERTY);
    if (configured == null || configured.isBlank()) {
      configured = System.getenv(LIBRARY_ENV);
    }
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    String cacheRoot = System.getenv("CX_PULSE_CACHE");
    Path cache =
        cacheRoot != null && !cacheRoot.isBlank()
            ? Path.of(cacheRoot)
            : Path.of(System.getProperty("user.home"), ".cache", "cx-pulse");
    return cache.resolve("chdb").resolve(PINNED_VERSION).resolve("libchdb.so");
  }

  static void checkPlatform() {
    checkPlatform(System.getProperty("os.name", ""), System.getProperty("os.arch", ""), isGlibc());
  }

  static void checkPlatform(String osName, String osArch, boolean glibc) {
    String os = osName.toLowerCase(Locale.ROOT);
    String arch = osArch.toLowerCase(Locale.ROOT);
    boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
    if (!os.contains("linux") || !x64 || !glibc) {
      throw new UnsupportedOperationException(
          "The embedded ClickHouse engine needs linux-x64 with glibc (libchdb is packaged only as"
              + " @chdb/lib-linux-x64-gnu); this JVM runs on "
              + os
              + "/"
              + arch
              + (glibc ? "" : " without glibc")
              + ". Point the jobs at a ClickHouse server instead (see docker-compose.yml).");
    }
  }

  static void checkPresent(Path library) {
    if (!Files.isRegularFile(library)) {
      throw new IllegalStateException("libchdb.so not found at " + library + ". " + FETCH_HINT);
    }
    if (!Files.isReadable(library)) {
      throw new IllegalStateException(
          "libchdb.so at " + library + " is not readable. " + FETCH_HINT);
    }
  }

  private static boolean isGlibc() {
    // musl systems have no ld-linux-x86-64.so.2; glibc ones always do.
    return Files.exists(Path.of("/lib64/ld-linux-x86-64.so.2"))
        || Files.exists(Path.of("/lib/x86_64-linux-gnu/libc.so.6"));
  }
}
