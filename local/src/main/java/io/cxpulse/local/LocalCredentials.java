package io.cxpulse.local;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Properties;
import java.util.Set;

/**
 * Local mode's ClickHouse users: {@value #WRITER} for the jobs (and the schema migration), {@value
 * #READER} (read-only) for people and BI tools. Their passwords are generated at the first start,
 * kept in {@value #FILE_NAME} in the data directory, readable by its owner only (0600), and the
 * same on every later start, so a BI tool set up once keeps working.
 *
 * <p>Generated, not a fixed default: a default password is the same on every machine, so anyone who
 * read the README could use it. Kept in a file, not the environment: the environment of the process
 * is readable through {@code /proc}, a file of mode 0600 only by its owner.
 *
 * @param writerPassword the password of {@value #WRITER}
 * @param readerPassword the password of {@value #READER}
 * @param file where they are kept
 */
record LocalCredentials(String writerPassword, String readerPassword, Path file) {

  static final String WRITER = "cx_writer";
  static final String READER = "cx_reader";
  static final String FILE_NAME = "clickhouse-users.properties";

  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");
  private static final int PASSWORD_BYTES = 18;

  @Override
  public String toString() {
    return "LocalCredentials[file=" + file + "]";
  }

  /** The credentials kept in {@code dataDir}, created there on the first call. */
  static LocalCredentials loadOrCreate(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE_NAME);
    if (!Files.exists(file)) {
      create(file);
    }
    Properties properties = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(in);
    }
    String writer = properties.getProperty(WRITER);
    String reader = properties.getProperty(READER);
    if (writer == null || writer.isBlank() || reader == null || reader.isBlank()) {
      throw new IOException(
          file
              + " lacks the password of "
              + WRITER
              + " or "
              + READER
              + "; delete it to start over");
    }
    // An older or copied file may have lost its mode: make it owner-only again.
    Files.setPosixFilePermissions(file, OWNER_ONLY);
    return new LocalCredentials(writer, reader, file);
  }

  private static void create(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    Properties properties = new Properties();
    SecureRandom random = new SecureRandom();
    properties.setProperty(WRITER, password(random));
    properties.setProperty(READER, password(random));
    try {
      // Created with mode 0600 from the start: never readable by others, not even briefly.
      Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    } catch (FileAlreadyExistsException raced) {
      return;
    }
    try (Writer out =
        Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.WRITE)) {
      properties.store(
          out,
          " Local mode's ClickHouse users, generated at the first start. "
              + WRITER
              + ": the jobs; "
              + READER
              + ": read-only, for people and BI tools.");
    }
  }

  private static String password(SecureRandom random) {
    byte[] bytes = new byte[PASSWORD_BYTES];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
