package io.cxpulse.jobs.sql;

/**
 * A migration cannot be loaded or applied: a changed or missing file, a bad file name, an
 * out-of-order version or a statement the server rejected. The message names the file.
 */
public class MigrationException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String fileName;

  public MigrationException(String fileName, String message) {
    super(message);
    this.fileName = fileName;
  }

  public MigrationException(String fileName, String message, Throwable cause) {
    super(message, cause);
    this.fileName = fileName;
  }

  /** The migration file concerned, or null when the problem is not one file's. */
  public String fileName() {
    return fileName;
  }
}
