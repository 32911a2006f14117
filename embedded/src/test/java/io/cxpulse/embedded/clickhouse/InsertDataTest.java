package io.cxpulse.embedded.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class InsertDataTest {

  @Test
  void splitsInlineDataAfterTheFormatClause() {
    String sql = "INSERT INTO db.t (a, b) FORMAT TSV\n1\tx\n\n2\ty\n";
    InsertData.Split split = InsertData.parse(sql).orElseThrow();
    assertThat(split.insert().target()).isEqualTo("INSERT INTO db.t (a, b)");
    assertThat(split.insert().format()).isEqualTo("TSV");
    assertThat(sql.substring(split.dataOffset())).isEqualTo("1\tx\n\n2\ty\n");
    assertThat(split.insert().fromInfile("/spool/f.data"))
        .isEqualTo("INSERT INTO db.t (a, b) FROM INFILE '/spool/f.data' FORMAT TSV");
  }

  @Test
  void keepsSettingsAfterTheInfileClause() {
    InsertData insert =
        InsertData.parse("insert into `my table` SETTINGS async_insert = 0 format CSV")
            .orElseThrow()
            .insert();
    assertThat(insert.fromInfile("/f"))
        .isEqualTo("insert into `my table` FROM INFILE '/f' SETTINGS async_insert = 0 FORMAT CSV");
  }

  @Test
  void leavesValuesAndSelectInsertsAlone() {
    assertThat(InsertData.parse("INSERT INTO t VALUES (1, 'FORMAT x')")).isEmpty();
    assertThat(InsertData.parse("INSERT INTO t (a) SELECT 1 FORMAT TSV")).isEmpty();
    assertThat(InsertData.parse("SELECT 1 FORMAT JSONEachRow")).isEmpty();
  }

  @Test
  void binaryDataIsSlicedUntouched() {
    byte[] data = {0x0a, 0x0a, (byte) 0xff, 0x00, 0x0a};
    byte[] head = "INSERT INTO t FORMAT RowBinary\n".getBytes(StandardCharsets.US_ASCII);
    byte[] request = new byte[head.length + data.length];
    System.arraycopy(head, 0, request, 0, head.length);
    System.arraycopy(data, 0, request, head.length, data.length);
    ClickHouseHttpServer.Statement statement = ClickHouseHttpServer.Statement.of(null, request);
    assertThat(statement.data()).containsExactly(data);
    assertThat(statement.insert().format()).isEqualTo("RowBinary");
  }

  @Test
  void bodyIsTheDataWhenTheQueryParameterHoldsTheInsert() {
    byte[] body = "1\ta\n".getBytes(StandardCharsets.UTF_8);
    ClickHouseHttpServer.Statement statement =
        ClickHouseHttpServer.Statement.of("INSERT INTO t FORMAT TSV", body);
    assertThat(statement.data()).containsExactly(body);
    ClickHouseHttpServer.Statement continued =
        ClickHouseHttpServer.Statement.of("SELECT", " 1".getBytes(StandardCharsets.UTF_8));
    assertThat(continued.insert()).isNull();
    assertThat(continued.sql()).isEqualTo("SELECT\n 1");
  }
}
