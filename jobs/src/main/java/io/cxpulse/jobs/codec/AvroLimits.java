package io.cxpulse.jobs.codec;

/**
 * Caps the lengths Avro believes from a record's own length prefixes.
 *
 * <p>Avro allocates a string's or byte array's buffer from its length prefix before reading it, and
 * its default cap is about 2 GiB: a 35-byte corrupt record made the decoder throw OutOfMemoryError
 * (measured), which would fail the job on bad input and crash-loop it on the same record after
 * every restart. No value inside a Kafka record can be longer than the record, so a cap at the
 * largest message size turns such records into an exception the decoder reports as UNDECODABLE.
 *
 * <p>Avro reads the caps once, when its {@code SystemLimitException} class initialises, from the
 * system properties below. {@link #install()} sets them unless the operator already did, and runs
 * from the static initialisers of the decoding classes, which load before any record is decoded in
 * a task. Deployments should still pass them as JVM options (docker-compose.yml does), because
 * another library in the same JVM could decode Avro first.
 */
public final class AvroLimits {

  public static final String STRING_MAX_LENGTH_PROPERTY = "org.apache.avro.limits.string.maxLength";
  public static final String BYTES_MAX_LENGTH_PROPERTY = "org.apache.avro.limits.bytes.maxLength";

  /** Above Kafka's default message size limit (1 MiB) with room for raised broker limits. */
  public static final int DEFAULT_MAX_LENGTH = 16 * 1024 * 1024;

  private AvroLimits() {}

  public static void install() {
    setIfAbsent(STRING_MAX_LENGTH_PROPERTY);
    setIfAbsent(BYTES_MAX_LENGTH_PROPERTY);
  }

  private static void setIfAbsent(String property) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, Integer.toString(DEFAULT_MAX_LENGTH));
    }
  }
}
