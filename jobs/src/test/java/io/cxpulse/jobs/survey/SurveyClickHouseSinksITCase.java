package io.cxpulse.jobs.survey;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.embedded.clickhouse.EmbeddedClickHouse;
import io.cxpulse.events.DeadLetter;
import io.cxpulse.jobs.FlinkTestCluster;
import io.cxpulse.jobs.pipeline.ClickHouseSinks;
import io.cxpulse.jobs.pipeline.DeadLetterOutput;
import io.cxpulse.jobs.pipeline.RawRecord;
import io.cxpulse.jobs.sql.Migrations;
import io.cxpulse.jobs.sql.SchemaMigrator;
import io.cxpulse.jobs.validation.RejectReason;
import io.cxpulse.metrics.CesComponents;
import io.cxpulse.metrics.CsatComponents;
import io.cxpulse.metrics.NpsComponents;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TimeZone;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production JDBC sinks (Flink's JdbcSink, the ClickHouse JDBC driver, the statement builders)
 * against the real ClickHouse engine and the real DDL from sql/migrations: every column lands as
 * written, timestamps too when the JVM does not run in UTC, and binary raw prefixes byte for byte.
 */
class SurveyClickHouseSinksITCase {

  @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.withSlots(1);

  @TempDir static Path dataDir;

  private static EmbeddedClickHouse clickHouse;

  @BeforeAll
  static void start() throws Exception {
    clickHouse = EmbeddedClickHouse.builder().dataDir(dataDir).port(0).start();
    try (Connection connection = DriverManager.getConnection(clickHouse.jdbcUrl())) {
      new SchemaMigrator(Migrations.fromClasspath()).migrate(connection);
    }
  }

  @AfterAll
  static void stop() {
    if (clickHouse != null) {
      clickHouse.close();
    }
  }

  @Test
  void rowsAndDeadLettersLandAsWrittenWhateverTheJvmTimeZone() throws Exception {
    Instant start = Instant.parse("2025-06-01T12:00:00Z");
    List<SurveyWindowRow> rows =
        List.of(
            SurveyWindowRow.of(
                start,
                start.plusSeconds(60),
                "mobile_app",
                "new",
                CsatComponents.of(3, 4),
                NpsComponents.of(5, 6, 7),
                new CesComponents().add(1).add(7).add(7),
                25),
            SurveyWindowRow.of(
                start,
                start.plusSeconds(60),
                "mobile_app",
                "new",
                CsatComponents.of(3, 5),
                NpsComponents.of(5, 6, 7),
                new CesComponents().add(1).add(7).add(7),
                26));
    byte[] raw = {(byte) 0xC3, 0x01, 0x00, (byte) 0xFF, '\'', '\\', '\n'};
    Instant deadLetteredAt = Instant.parse("2025-06-01T12:03:04.567Z");
    List<DeadLetter> deadLetters =
        List.of(
            DeadLetterOutput.create(
                RejectReason.UNDECODABLE,
                "garbage 'quoted'",
                new RawRecord("cx.surveys", 2, 41L, 0L, raw),
                deadLetteredAt.toEpochMilli(),
                null,
                null),
            DeadLetterOutput.create(
                RejectReason.TOO_LATE,
                "late",
                new RawRecord("cx.surveys", 2, 42L, 0L, new byte[] {1}),
                deadLetteredAt.toEpochMilli(),
                "evt-42",
                Instant.parse("2025-06-01T10:00:00.123Z")));

    TimeZone original = TimeZone.getDefault();
    TimeZone.setDefault(TimeZone.getTimeZone("America/New_York"));
    try {
      write(rows, deadLetters);
    } finally {
      TimeZone.setDefault(original);
    }

    try (Connection connection = DriverManager.getConnection(clickHouse.jdbcUrl());
        Statement statement = connection.createStatement()) {
      assertThat(
              strings(
                  statement,
                  "SELECT concat(toString(window_start), '|', toString(window_end), '|', channel,"
                      + " '|', segment, '|', toString(csat_total), '|', toString(csat_satisfied),"
                      + " '|', toString(nps_total), '|', toString(nps_promoters), '|',"
                      + " toString(nps_passives), '|', toString(nps_detractors), '|',"
                      + " toString(ces_count), '|', toString(ces_sum), '|',"
                      + " toString(ces_sum_squares), '|', toString(ces_histogram), '|',"
                      + " toString(version)) FROM cx_survey_window FINAL"))
          .containsExactly(
              "2025-06-01 12:00:00|2025-06-01 12:01:00|mobile_app|new|5|3|18|5|6|7|3|15|99"
                  + "|[1,0,0,0,0,0,2]|26");
      assertThat(
              strings(
                  statement,
                  "SELECT concat(toString(dead_lettered_at), '|', reason, '|', detail, '|',"
                      + " source_topic, '|', toString(source_partition), '|',"
                      + " toString(source_offset), '|', ifNull(event_id, 'NULL'), '|',"
                      + " ifNull(toString(event_time), 'NULL'), '|', toString(raw_length), '|',"
                      + " hex(raw_prefix)) FROM cx_dead_letters ORDER BY source_offset"))
          .containsExactly(
              "2025-06-01 12:03:04.567|UNDECODABLE|garbage 'quoted'|cx.surveys|2|41|NULL|NULL|7"
                  + "|C30100FF275C0A",
              "2025-06-01 12:03:04.567|TOO_LATE|late|cx.surveys|2|42|evt-42"
                  + "|2025-06-01 10:00:00.123|1|01");
    }
  }

  private static void write(List<SurveyWindowRow> rows, List<DeadLetter> deadLetters)
      throws Exception {
    JdbcConnectionOptions connection =
        ClickHouseSinks.connectionOptions(clickHouse.jdbcUrl(), "default", "");
    JdbcExecutionOptions execution = ClickHouseSinks.executionOptions(100, Duration.ofSeconds(1));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    List<SurveyWindowRow> rowList = new ArrayList<>(rows);
    List<DeadLetter> deadLetterList = new ArrayList<>(deadLetters);
    env.fromSource(
            new DataGeneratorSource<>(
                i -> rowList.get(i.intValue()),
                rowList.size(),
                TypeInformation.of(SurveyWindowRow.class)),
            WatermarkStrategy.noWatermarks(),
            "rows")
        .sinkTo(
            ClickHouseSinks.sink(
                SurveyWindowRow.TABLE.insertSql(),
                SurveyWindowRow.TABLE.statement(),
                connection,
                execution));
    env.fromSource(
            new DataGeneratorSource<>(
                i -> deadLetterList.get(i.intValue()),
                deadLetterList.size(),
                TypeInformation.of(DeadLetter.class)),
            WatermarkStrategy.noWatermarks(),
            "dead letters")
        .sinkTo(ClickHouseSinks.deadLetterSink(SurveyJob.JOB_ID, connection, execution));
    env.execute("clickhouse sinks");
  }

  private static List<String> strings(Statement statement, String sql) throws Exception {
    List<String> values = new ArrayList<>();
    try (ResultSet rs = statement.executeQuery(sql)) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    }
    return values;
  }
}
