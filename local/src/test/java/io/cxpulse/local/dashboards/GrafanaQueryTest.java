package io.cxpulse.local.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link GrafanaQuery} against what the ClickHouse plugin documents and does: the examples of its
 * query editor documentation (a range from 1415792726 to 1447328726 seconds, an interval of 20 s)
 * and the template service's formats.
 */
class GrafanaQueryTest {

  private static final Instant FROM = Instant.ofEpochMilli(1_415_792_726_123L);
  private static final Instant TO = Instant.ofEpochMilli(1_447_328_726_456L);

  private static String expand(String sql, Duration interval, Map<String, String> variables) {
    return GrafanaQuery.expand(sql, new GrafanaQuery.Request(FROM, TO, interval, variables));
  }

  private static String expand(String sql) {
    return expand(sql, Duration.ofSeconds(20), Map.of());
  }

  @Test
  void timeMacrosAreThoseOfThePluginDocumentation() {
    assertThat(expand("WHERE $__timeFilter(ts)"))
        .isEqualTo("WHERE ts >= toDateTime(1415792726) AND ts <= toDateTime(1447328726)");
    assertThat(expand("WHERE $__timeFilter_ms(ts)"))
        .isEqualTo(
            "WHERE ts >= fromUnixTimestamp64Milli(1415792726123) AND ts <="
                + " fromUnixTimestamp64Milli(1447328726456)");
    assertThat(expand("$__fromTime, $__toTime, $__fromTime_ms, $__toTime_ms"))
        .isEqualTo(
            "toDateTime(1415792726), toDateTime(1447328726), fromUnixTimestamp64Milli(1415792726123),"
                + " fromUnixTimestamp64Milli(1447328726456)");
    assertThat(expand("$__dateFilter(d)"))
        .isEqualTo("d >= toDate('2014-11-12') AND d <= toDate('2015-11-12')");
    assertThat(expand("$__dateTimeFilter(d, t)"))
        .isEqualTo(
            "(d >= toDate('2014-11-12') AND d <= toDate('2015-11-12')) AND (t >="
                + " toDateTime(1415792726) AND t <= toDateTime(1447328726))");
  }

  @Test
  void intervalMacrosUseWholeSecondsAndAtLeastOne() {
    assertThat(expand("$__interval_s")).isEqualTo("20");
    assertThat(expand("$__timeInterval(ts)"))
        .isEqualTo("toStartOfInterval(toDateTime(ts), INTERVAL 20 second)");
    assertThat(expand("$__timeInterval_ms(ts)"))
        .isEqualTo("toStartOfInterval(toDateTime64(ts, 3), INTERVAL 20000 millisecond)");
    assertThat(expand("$__interval_s", Duration.ofMillis(500), Map.of())).isEqualTo("1");
    assertThat(expand("greatest($__interval_s, 60)", Duration.ofMillis(1500), Map.of()))
        .isEqualTo("greatest(1, 60)");
  }

  @Test
  void intervalIsGrafanasRoundedRangePerDataPoint() {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    assertThat(GrafanaQuery.interval(now.minus(Duration.ofHours(1)), now, 1000))
        .as("3.6 s a point rounds to 5 s")
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(GrafanaQuery.interval(now.minus(Duration.ofDays(7)), now, 1000))
        .as("604.8 s rounds to 10 min")
        .isEqualTo(Duration.ofMinutes(10));
    assertThat(GrafanaQuery.interval(now.minus(Duration.ofDays(30)), now, 1000))
        .as("2592 s rounds to 30 min")
        .isEqualTo(Duration.ofMinutes(30));
    assertThat(GrafanaQuery.roundInterval(1e12)).isEqualTo(31_536_000_000L);
  }

  @Test
  void variablesAreReplacedInEverySyntaxAndFormat() {
    Map<String, String> variables = Map.of("grain", "hour", "channel", "it's");
    assertThat(expand("FROM v_$grain, v_${grain}, v_[[grain]]", Duration.ofSeconds(1), variables))
        .isEqualTo("FROM v_hour, v_hour, v_hour");
    assertThat(expand("channel = ${channel:singlequote}", Duration.ofSeconds(1), variables))
        .isEqualTo("channel = 'it\\'s'");
    assertThat(expand("channel = ${channel:sqlstring}", Duration.ofSeconds(1), variables))
        .isEqualTo("channel = 'it''s'");
  }

  @Test
  void whatGrafanaWouldExpandDifferentlyIsRefused() {
    assertThatThrownBy(() -> expand("WHERE c = $undefined"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("$undefined");
    assertThatThrownBy(() -> expand("WHERE $__timeFrom(t)"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("$__timeFrom");
    assertThatThrownBy(() -> expand("WHERE $__conditionalAll(c IN ($v), $v)"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> expand("WHERE $__timeFilter(a, b)"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected 1 argument");
    assertThatThrownBy(
            () -> expand("c = ${channel:regex}", Duration.ofSeconds(1), Map.of("channel", "web")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
