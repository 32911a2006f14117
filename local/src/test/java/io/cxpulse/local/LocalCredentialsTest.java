package io.cxpulse.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalCredentialsTest {

  @Test
  void generatedOnceOwnerOnlyAndTheSameOnEveryLaterStart(@TempDir Path dataDir) throws Exception {
    LocalCredentials first = LocalCredentials.loadOrCreate(dataDir.resolve("local"));
    LocalCredentials again = LocalCredentials.loadOrCreate(dataDir.resolve("local"));

    assertThat(first.file())
        .isEqualTo(dataDir.resolve("local").resolve("clickhouse-users.properties"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(first.file())))
        .isEqualTo("rw-------");
    assertThat(again).isEqualTo(first);
    assertThat(first.writerPassword())
        .hasSizeGreaterThanOrEqualTo(24)
        .isNotEqualTo(first.readerPassword());
    assertThat(first.toString()).doesNotContain(first.writerPassword(), first.readerPassword());
    // Another data directory, other passwords: nothing is a default.
    assertThat(LocalCredentials.loadOrCreate(dataDir.resolve("other")).readerPassword())
        .isNotEqualTo(first.readerPassword());
  }

  @Test
  void aFileWhoseModeWasWidenedIsOwnerOnlyAgain(@TempDir Path dataDir) throws Exception {
    LocalCredentials created = LocalCredentials.loadOrCreate(dataDir);
    Files.setPosixFilePermissions(created.file(), PosixFilePermissions.fromString("rw-r--r--"));

    LocalCredentials.loadOrCreate(dataDir);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(created.file())))
        .isEqualTo("rw-------");
  }

  @Test
  void aFileWithoutBothPasswordsIsRefusedWithWhatToDo(@TempDir Path dataDir) throws Exception {
    Files.writeString(dataDir.resolve(LocalCredentials.FILE_NAME), "cx_writer=abc\n");

    assertThatThrownBy(() -> LocalCredentials.loadOrCreate(dataDir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cx_reader")
        .hasMessageContaining("delete it");
  }
}
