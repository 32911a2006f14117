package io.cxpulse.jobs.codec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.SchemaStore;

/**
 * Every writer schema the jobs can decode, current and historical, indexed by the CRC-64-AVRO
 * fingerprint that Avro single-object encoding puts in each message header.
 *
 * <p>The schemas are read from the {@code .avsc} files on the classpath under {@code schemas/}
 * (copied there from the repository's {@code schemas/} folder at build time), listed in {@code
 * schemas/index.txt}. Reading the files rather than only the generated classes is what makes old
 * versions under {@code schemas/history/} decodable: they have no generated class.
 *
 * <p>Current schemas are parsed in index order with one parser, so shared named types such as
 * {@code Channel} resolve. History files are self-contained snapshots, each parsed with a fresh
 * parser, because they redefine named types (possibly differently) and must fingerprint exactly as
 * the old producers did.
 *
 * <p>Lookups go through Avro's own {@link SchemaStore.Cache}, which the generated classes' {@code
 * createDecoder(SchemaStore)} accept; this class only adds loading and naming.
 */
public final class SchemaCatalog {

  /** Classpath folder holding the {@code .avsc} files. */
  public static final String RESOURCE_DIR = "schemas/";

  /** Classpath resource listing the files to load, one path relative to {@link #RESOURCE_DIR}. */
  public static final String INDEX_RESOURCE = RESOURCE_DIR + "index.txt";

  private static final String HISTORY_DIR = "history/";

  private final Map<String, Schema> schemasByFile;
  private final SchemaStore.Cache store = new SchemaStore.Cache();

  private SchemaCatalog(Map<String, Schema> schemasByFile) {
    this.schemasByFile = schemasByFile;
    schemasByFile.values().forEach(store::addSchema);
  }

  /** Loads the catalog with the class loader that loaded this class. */
  public static SchemaCatalog loadFromClasspath() {
    return loadFromClasspath(SchemaCatalog.class.getClassLoader());
  }

  /**
   * Loads the catalog with {@code loader}, e.g. Flink's user-code class loader.
   *
   * @throws IllegalStateException if the index or a listed file is missing or does not parse; a job
   *     must not start with a partial catalog, or it would dead-letter valid events
   */
  public static SchemaCatalog loadFromClasspath(ClassLoader loader) {
    Map<String, Schema> schemas = new LinkedHashMap<>();
    Schema.Parser currentParser = new Schema.Parser();
    for (String file : readIndex(loader)) {
      Schema.Parser parser = file.startsWith(HISTORY_DIR) ? new Schema.Parser() : currentParser;
      try (InputStream in = open(loader, RESOURCE_DIR + file)) {
        schemas.put(file, parser.parse(in));
      } catch (IOException | RuntimeException e) {
        throw new IllegalStateException("cannot parse schema " + RESOURCE_DIR + file, e);
      }
    }
    return new SchemaCatalog(schemas);
  }

  /** The fingerprint single-object encoding writes for {@code schema}. */
  public static long fingerprint(Schema schema) {
    return SchemaNormalization.parsingFingerprint64(schema);
  }

  /** The store to hand to a generated class's {@code createDecoder(SchemaStore)}. */
  public SchemaStore store() {
    return store;
  }

  /** The schema with {@code fingerprint}, if the catalog holds one. */
  public Optional<Schema> findByFingerprint(long fingerprint) {
    return Optional.ofNullable(store.findByFingerprint(fingerprint));
  }

  /** All schemas by their file path relative to {@code schemas/}, in index order. */
  public Map<String, Schema> schemasByFile() {
    return Collections.unmodifiableMap(schemasByFile);
  }

  private static List<String> readIndex(ClassLoader loader) {
    List<String> files = new ArrayList<>();
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(open(loader, INDEX_RESOURCE), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        String file = line.strip();
        if (!file.isEmpty() && !file.startsWith("#")) {
          files.add(file);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + INDEX_RESOURCE, e);
    }
    if (files.isEmpty()) {
      throw new IllegalStateException(INDEX_RESOURCE + " lists no schema");
    }
    return files;
  }

  private static InputStream open(ClassLoader loader, String resource) {
    InputStream in = loader.getResourceAsStream(resource);
    if (in == null) {
      throw new IllegalStateException("resource not on the classpath: " + resource);
    }
    return in;
  }
}
