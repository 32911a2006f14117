package io.cxpulse.jobs.codec;

import io.cxpulse.events.CheckoutEvent;
import io.cxpulse.events.DeadLetter;
import io.cxpulse.events.SurveyResponse;
import io.cxpulse.events.TicketEvent;
import io.cxpulse.jobs.validation.RejectReason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificRecord;

/**
 * Turns one Kafka value in Avro single-object encoding into the topic's generated record, or into a
 * typed failure the job dead-letters instead of crashing on.
 *
 * <p>The decoding itself is Avro's {@link BinaryMessageDecoder} (header check, fingerprint lookup,
 * writer-to-reader schema resolution); this facade adds what a job needs around it:
 *
 * <ul>
 *   <li>Failures become values: a bad header, a truncated or corrupt body or trailing bytes are
 *       {@link RejectReason#UNDECODABLE}; a fingerprint that names no readable writer schema is
 *       {@link RejectReason#UNKNOWN_SCHEMA}.
 *   <li>Only writer schemas of the reader's own record type that Avro can resolve to it are used.
 *       The shared {@link SchemaCatalog} knows every event type, so without this filter a checkout
 *       event sent to the survey topic would reach schema resolution and fail there with an error
 *       indistinguishable from a corrupt body.
 * </ul>
 *
 * <p>Not {@link java.io.Serializable}: create it in a Flink function's {@code open()}. Thread-safe.
 *
 * <p>Avro allocates a string's buffer from the length prefix before reading it; {@link AvroLimits}
 * caps that, so a corrupt prefix is dead-lettered as undecodable instead of exhausting the heap.
 *
 * @param <T> the generated record type of the topic
 */
public final class EventDecoder<T extends SpecificRecord> {

  static {
    AvroLimits.install();
  }

  private static final int HEADER_LENGTH = 10;
  private static final int MAX_CAUSES = 4;

  private final Schema readerSchema;
  private final SchemaStore catalog;
  private final BinaryMessageDecoder<T> decoder;
  // Keyed by fingerprints the catalog knows, so bounded by its size; garbage fingerprints from
  // corrupt headers are never cached.
  private final Map<Long, Optional<String>> unreadableWriters = new ConcurrentHashMap<>();

  /**
   * A decoder for {@code readerSchema}'s record type.
   *
   * @param readerSchema the current schema, the generated class's {@code getClassSchema()}
   * @param decoderFactory the generated class's {@code createDecoder(SchemaStore)}
   * @param catalog where writer schemas are looked up by fingerprint, usually {@link
   *     SchemaCatalog#store()}
   */
  public EventDecoder(
      Schema readerSchema,
      Function<SchemaStore, BinaryMessageDecoder<T>> decoderFactory,
      SchemaStore catalog) {
    this.readerSchema = readerSchema;
    this.catalog = catalog;
    this.decoder = decoderFactory.apply(this::readableWriterSchema);
  }

  /** A decoder for topic {@code cx.checkout}. */
  public static EventDecoder<CheckoutEvent> checkout(SchemaStore catalog) {
    return new EventDecoder<>(
        CheckoutEvent.getClassSchema(), CheckoutEvent::createDecoder, catalog);
  }

  /** A decoder for topic {@code cx.tickets}. */
  public static EventDecoder<TicketEvent> tickets(SchemaStore catalog) {
    return new EventDecoder<>(TicketEvent.getClassSchema(), TicketEvent::createDecoder, catalog);
  }

  /** A decoder for topic {@code cx.surveys}. */
  public static EventDecoder<SurveyResponse> surveys(SchemaStore catalog) {
    return new EventDecoder<>(
        SurveyResponse.getClassSchema(), SurveyResponse::createDecoder, catalog);
  }

  /** A decoder for the dead-letter topic, for tools that read it back. */
  public static EventDecoder<DeadLetter> deadLetters(SchemaStore catalog) {
    return new EventDecoder<>(DeadLetter.getClassSchema(), DeadLetter::createDecoder, catalog);
  }

  /** The schema decoded records conform to. */
  public Schema readerSchema() {
    return readerSchema;
  }

  /**
   * Decodes one Kafka value.
   *
   * @param value the record value; null (a tombstone) is undecodable
   */
  public DecodeResult<T> decode(byte[] value) {
    if (value == null) {
      return DecodeResult.failure(RejectReason.UNDECODABLE, "record has no value (tombstone)");
    }
    // Our own stream rather than decode(byte[]): the direct decoder reads no further than the
    // record, so what is left afterwards is exactly the trailing garbage.
    ByteArrayInputStream in = new ByteArrayInputStream(value);
    T record;
    try {
      record = decoder.decode(in, null);
    } catch (BadHeaderException e) {
      return DecodeResult.failure(
          RejectReason.UNDECODABLE,
          "not Avro single-object encoding (" + value.length + " bytes): " + e.getMessage());
    } catch (MissingSchemaException e) {
      return DecodeResult.failure(RejectReason.UNKNOWN_SCHEMA, describeUnknownWriter(value));
    } catch (IOException | RuntimeException e) {
      // Anything else the library throws after a valid header means the body does not match
      // its writer schema: truncated, corrupt, or a length or index beyond the limits.
      return DecodeResult.failure(
          RejectReason.UNDECODABLE,
          "corrupt or truncated " + readerSchema.getName() + " body: " + describe(e));
    }
    int trailing = in.available();
    if (trailing > 0) {
      return DecodeResult.failure(
          RejectReason.UNDECODABLE,
          trailing + " unexpected bytes after a complete " + readerSchema.getName() + " record");
    }
    return DecodeResult.ok(record);
  }

  /** The schema store the library sees: the catalog minus writers this reader cannot use. */
  private Schema readableWriterSchema(long fingerprint) {
    Schema writer = catalog.findByFingerprint(fingerprint);
    if (writer == null || unreadableReason(fingerprint, writer).isPresent()) {
      return null;
    }
    return writer;
  }

  private Optional<String> unreadableReason(long fingerprint, Schema writer) {
    return unreadableWriters.computeIfAbsent(fingerprint, fp -> checkReadable(writer));
  }

  private Optional<String> checkReadable(Schema writer) {
    if (!SchemaCompatibility.schemaNameEquals(readerSchema, writer)) {
      return Optional.of("is a " + writer.getFullName() + ", not a " + readerSchema.getFullName());
    }
    SchemaPairCompatibility compatibility =
        SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writer);
    if (compatibility.getType() == SchemaCompatibilityType.COMPATIBLE) {
      return Optional.empty();
    }
    return Optional.of(
        "cannot be read as the current "
            + readerSchema.getName()
            + ": "
            + compatibility.getResult().getIncompatibilities().stream()
                .limit(3)
                .map(
                    i ->
                        i.getType()
                            + " at "
                            + fieldPath(i.getLocation())
                            + " ("
                            + i.getMessage()
                            + ")")
                .collect(Collectors.joining("; ")));
  }

  /**
   * Turns Avro's JSON-pointer location ("/fields/7/type") into field names ("score/type"), which is
   * what someone reading a dead letter can act on; falls back to the pointer.
   */
  private String fieldPath(String location) {
    String[] parts = location.split("/");
    StringBuilder path = new StringBuilder();
    Schema current = readerSchema;
    for (int i = 1; i < parts.length; i++) {
      if (path.length() > 0) {
        path.append('/');
      }
      if (parts[i].equals("fields")
          && i + 1 < parts.length
          && current != null
          && current.getType() == Schema.Type.RECORD) {
        try {
          Schema.Field field = current.getFields().get(Integer.parseInt(parts[++i]));
          path.append(field.name());
          current = field.schema();
          continue;
        } catch (RuntimeException e) {
          return location;
        }
      }
      path.append(parts[i]);
      // "type" descends into the field's own schema, already current; anything else leaves
      // the records behind.
      if (!parts[i].equals("type")) {
        current = null;
      }
    }
    return path.length() == 0 ? location : path.toString();
  }

  private String describeUnknownWriter(byte[] value) {
    // The library only throws MissingSchemaException after accepting the 10-byte header.
    long fingerprint =
        ByteBuffer.wrap(value, 2, HEADER_LENGTH - 2).order(ByteOrder.LITTLE_ENDIAN).getLong();
    String id = String.format("fingerprint 0x%016x", fingerprint);
    Schema writer = catalog.findByFingerprint(fingerprint);
    if (writer == null) {
      return "no known writer schema has "
          + id
          + "; was a new schema deployed to producers before the jobs?";
    }
    return "writer schema with "
        + id
        + " "
        + unreadableReason(fingerprint, writer).orElse("was rejected");
  }

  private static String describe(Throwable e) {
    StringBuilder text = new StringBuilder();
    Throwable current = e;
    for (int i = 0; current != null && i < MAX_CAUSES; i++, current = current.getCause()) {
      if (i > 0) {
        text.append("; caused by ");
      }
      text.append(current.getClass().getSimpleName());
      if (current.getMessage() != null) {
        text.append(": ").append(current.getMessage());
      }
    }
    return text.toString();
  }
}
