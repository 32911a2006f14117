package io.cxpulse.embedded.clickhouse;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChdbLibraryLocatorTest {

  @TempDir Path tempDir;

  @Test
  void missingLibraryNamesTheFix() {
    Path missing = tempDir.resolve("libchdb.so");
    assertThatThrownBy(
            () -> EmbeddedClickHouse.builder().dataDir(tempDir).library(missing).port(0).start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("scripts/fetch-libchdb.sh")
        .hasMessageContaining("@chdb/lib-linux-x64-gnu@" + ChdbLibraryLocator.PINNED_VERSION)
        .hasMessageContaining(ChdbLibraryLocator.LIBRARY_PROPERTY);
  }

  @Test
  void otherPlatformsAreRefusedWithTheReason() {
    assertThatThrownBy(() -> ChdbLibraryLocator.checkPlatform("Mac OS X", "aarch64", false))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("linux-x64 with glibc")
        .hasMessageContaining("mac os x/aarch64");
    assertThatThrownBy(() -> ChdbLibraryLocator.checkPlatform("Linux", "aarch64", true))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("linux/aarch64");
    assertThatThrownBy(() -> ChdbLibraryLocator.checkPlatform("Linux", "amd64", false))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("without glibc");
    assertThatCode(() -> ChdbLibraryLocator.checkPlatform("Linux", "amd64", true))
        .doesNotThrowAnyException();
  }

  @Test
  void configuredPathWinsOverTheCache() {
    String previous = System.getProperty(ChdbLibraryLocator.LIBRARY_PROPERTY);
    try {
      System.setProperty(ChdbLibraryLocator.LIBRARY_PROPERTY, "/opt/chdb/libchdb.so");
      org.assertj.core.api.Assertions.assertThat(ChdbLibraryLocator.locate())
          .isEqualTo(Path.of("/opt/chdb/libchdb.so"));
    } finally {
      if (previous == null) {
        System.clearProperty(ChdbLibraryLocator.LIBRARY_PROPERTY);
      } else {
        System.setProperty(ChdbLibraryLocator.LIBRARY_PROPERTY, previous);
      }
    }
  }
}
