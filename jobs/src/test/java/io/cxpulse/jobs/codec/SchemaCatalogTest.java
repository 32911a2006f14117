package io.cxpulse.jobs.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.CheckoutEvent;
import io.cxpulse.events.DeadLetter;
import io.cxpulse.events.SurveyResponse;
import io.cxpulse.events.TicketEvent;
import io.cxpulse.jobs.TestEvents;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class SchemaCatalogTest {

  private final SchemaCatalog catalog = SchemaCatalog.loadFromClasspath();

  @Test
  void holdsTheSchemaOfEveryGeneratedRecord() {
    for (Schema generated :
        List.of(
            CheckoutEvent.getClassSchema(),
            TicketEvent.getClassSchema(),
            SurveyResponse.getClassSchema(),
            DeadLetter.getClassSchema())) {
      // The generated schema carries Java-only properties (avro.java.string); the fingerprint
      // covers the parsing canonical form only, so the .avsc and the class must agree on it.
      assertThat(catalog.findByFingerprint(SchemaCatalog.fingerprint(generated)))
          .as(generated.getFullName())
          .hasValueSatisfying(s -> assertThat(s.getFullName()).isEqualTo(generated.getFullName()));
    }
  }

  @Test
  void holdsTheOldSurveySchemaUnderItsOwnFingerprint() {
    Schema v1 = catalog.schemasByFile().get("history/survey_response.v1.avsc");

    assertThat(v1).isNotNull();
    assertThat(v1.getFullName()).isEqualTo(SurveyResponse.getClassSchema().getFullName());
    assertThat(v1.getField("order_id")).isNull();
    assertThat(v1.getField("ticket_id")).isNull();
    assertThat(SchemaCatalog.fingerprint(v1))
        .isNotEqualTo(SchemaCatalog.fingerprint(SurveyResponse.getClassSchema()));
    assertThat(catalog.findByFingerprint(SchemaCatalog.fingerprint(v1))).containsSame(v1);
  }

  @Test
  void fingerprintIsTheOneSingleObjectEncodingWrites() throws Exception {
    ByteBuffer encoded = TestEvents.checkout().build().toByteBuffer();

    long headerFingerprint = encoded.order(ByteOrder.LITTLE_ENDIAN).getLong(2);

    assertThat(encoded.get(0)).isEqualTo((byte) 0xC3);
    assertThat(encoded.get(1)).isEqualTo((byte) 0x01);
    assertThat(headerFingerprint).isEqualTo(SchemaCatalog.fingerprint(CheckoutEvent.SCHEMA$));
  }

  @Test
  void indexListsEveryAvscOnTheClasspath() throws Exception {
    // A schema file missing from the index would silently be unknown to the decoders.
    URL dir = getClass().getClassLoader().getResource(SchemaCatalog.RESOURCE_DIR);
    assertThat(dir).isNotNull();
    assertThat(dir.getProtocol()).isEqualTo("file");
    Path root = Path.of(dir.toURI());
    List<String> files;
    try (Stream<Path> paths = Files.walk(root)) {
      files =
          paths
              .filter(p -> p.toString().endsWith(".avsc"))
              .map(p -> root.relativize(p).toString().replace('\\', '/'))
              .toList();
    }

    assertThat(catalog.schemasByFile().keySet()).containsExactlyInAnyOrderElementsOf(files);
  }
}
