package io.cxpulse.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.jobs.validation.RejectReason;
import java.sql.Types;
import java.time.Instant;
import java.util.Map;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.junit.jupiter.api.Test;

class ClickHouseSinksTest {

  private static final RawRecord SOURCE =
      new RawRecord("cx.surveys", 3, 42L, 1_000L, new byte[] {(byte) 0xC3, 0x01, 0, (byte) 0xFF});

  @Test
  void aTableOfBinaryRowsGetsTheDriversBinaryInsertsOnTheSameConnection() {
    String url = "jdbc:clickhouse:http://127.0.0.1:8123/default";
    JdbcConnectionOptions plain = ClickHouseSinks.connectionOptions(url, "writer", "secret");

    JdbcConnectionOptions binary = ClickHouseSinks.withBinaryRows(plain);

    assertThat(plain.getProperties()).doesNotContainKey(ClickHouseSinks.ROW_BINARY_INSERTS);
    assertThat(binary.getProperties()).containsEntry(ClickHouseSinks.ROW_BINARY_INSERTS, "true");
    assertThat(binary.getDbURL()).isEqualTo(url);
    assertThat(binary.getDriverName()).isEqualTo(ClickHouseSinks.DRIVER);
    assertThat(binary.getUsername()).contains("writer");
    assertThat(binary.getPassword()).contains("secret");
    assertThat(ClickHouseSinks.deadLetterTable("survey").binaryRows()).isTrue();
  }

  @Test
  void deadLetterInsertNamesTheTableColumnsInBindOrder() {
    assertThat(ClickHouseSinks.deadLetterTable("survey").insertSql())
        .startsWith(
            "INSERT INTO cx_dead_letters (dead_lettered_at, reason, detail, source_topic,"
                + " source_partition, source_offset, event_id, event_time, raw_length,"
                + " raw_prefix, job)");
    assertThat(ClickHouseSinks.deadLetterTable("survey").insertSql().chars().filter(c -> c == '?'))
        .hasSize(11);
  }

  @Test
  void bindsADecodedDeadLetter() throws Exception {
    Instant at = Instant.parse("2025-06-01T12:00:01.234Z");
    Instant eventTime = Instant.parse("2025-06-01T11:59:30Z");
    DeadLetter deadLetter =
        DeadLetterOutput.create(
            RejectReason.DUPLICATE, "seen", SOURCE, at.toEpochMilli(), "evt-1", eventTime);

    Map<Integer, Object> bound = bind(deadLetter);

    assertThat(bound)
        .containsEntry(1, at)
        .containsEntry(2, "DUPLICATE")
        .containsEntry(3, "seen")
        .containsEntry(4, "cx.surveys")
        .containsEntry(5, 3)
        .containsEntry(6, 42L)
        .containsEntry(7, "evt-1")
        .containsEntry(8, eventTime)
        .containsEntry(9, 4)
        .containsEntry(11, "survey")
        .hasSize(11);
    // Timestamps as Instants: the driver writes them epoch-based, independent of the JVM zone.
    assertThat(bound.get(1)).isInstanceOf(Instant.class);
    assertThat((byte[]) bound.get(10)).containsExactly(0xC3, 0x01, 0, 0xFF);
  }

  @Test
  void bindsNullsForAnUndecodableRecord() throws Exception {
    DeadLetter deadLetter =
        DeadLetterOutput.create(RejectReason.UNDECODABLE, "garbage", SOURCE, 0L, null, null);

    Map<Integer, Object> bound = bind(deadLetter);

    assertThat(bound)
        .containsEntry(7, new RecordingStatement.Null(Types.VARCHAR))
        .containsEntry(8, new RecordingStatement.Null(Types.TIMESTAMP));
  }

  @Test
  void aDeadLetterWithoutAJobIsRefused() {
    assertThatThrownBy(() -> ClickHouseSinks.deadLetterTable(" "))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static Map<Integer, Object> bind(DeadLetter deadLetter) throws Exception {
    RecordingStatement recording = new RecordingStatement();
    ClickHouseSinks.deadLetterTable("survey").statement().accept(recording.statement(), deadLetter);
    return recording.parameters();
  }
}
