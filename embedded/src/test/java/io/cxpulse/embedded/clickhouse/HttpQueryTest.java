package io.cxpulse.embedded.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HttpQueryTest {

  @Test
  void sortsProtocolParametersSettingsAndBoundParameters() {
    HttpQuery query =
        HttpQuery.parse(
            "query=SELECT+%7Bx%3AUInt8%7D&compress=1&database=cx&param_x=5"
                + "&max_threads=2&wait_end_of_query=1&query_id=q1");
    assertThat(query.protocol("query")).isEqualTo("SELECT {x:UInt8}");
    assertThat(query.isTrue("compress")).isTrue();
    assertThat(query.protocol("database")).isEqualTo("cx");
    assertThat(query.queryParameters()).containsExactly(java.util.Map.entry("x", "5"));
    assertThat(query.settings()).containsExactly(java.util.Map.entry("max_threads", "2"));
  }

  @Test
  void setStatementsQuoteValuesAndRejectOddNames() {
    assertThat(HttpQuery.setStatement("max_threads", "2")).isEqualTo("SET max_threads = 2");
    assertThat(HttpQuery.setStatement("log_comment", "it's; DROP TABLE t"))
        .isEqualTo("SET log_comment = 'it\\'s; DROP TABLE t'");
    assertThatThrownBy(() -> HttpQuery.setStatement("x; DROP TABLE t", "1"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
