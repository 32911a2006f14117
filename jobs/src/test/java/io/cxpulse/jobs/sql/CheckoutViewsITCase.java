package io.cxpulse.jobs.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.cxpulse.embedded.clickhouse.EmbeddedClickHouse;
import io.cxpulse.events.FunnelStep;
import io.cxpulse.jobs.checkout.CheckoutClickHouse;
import io.cxpulse.jobs.checkout.CheckoutClickHouse.Key;
import io.cxpulse.jobs.checkout.CheckoutClickHouse.ViewRow;
import io.cxpulse.jobs.checkout.CheckoutComponents;
import io.cxpulse.jobs.checkout.CheckoutOutcome;
import io.cxpulse.jobs.checkout.CheckoutStatus;
import io.cxpulse.jobs.checkout.CheckoutWindowRow;
import io.cxpulse.jobs.checkout.ExpectedCheckoutRows;
import io.cxpulse.metrics.AbandonmentComponents;
import io.cxpulse.metrics.ConfidenceInterval;
import io.cxpulse.metrics.LogHistogram;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The checkout views against the metric classes: window rows built from hand-made outcomes go into
 * {@code cx_checkout_window} through the job's own JDBC binding ({@link CheckoutWindowRow#TABLE}),
 * and for every grain and grouping set the views' summed components must equal the sums of the
 * newest row versions computed in Java, and every derived value must equal what io.cxpulse.metrics
 * computes from those sums: abandonment rate and Wilson interval ({@link AbandonmentComponents}),
 * conversion, value at risk per currency, drop-off per step, failure reasons, mean and quantiles of
 * the completion time ({@link LogHistogram}), the quantiles also within the stated bound of the
 * exact quantiles of the completion times.
 */
class CheckoutViewsITCase {

  /** Same formulas in the same order: agreement to rounding. */
  private static final double TOLERANCE = 1e-9;

  private static final LocalDateTime T0 = LocalDateTime.of(2026, 3, 1, 10, 0);

  private static final double[] QUANTILES = ViewRow.QUANTILES;

  /** A grain and how Java truncates a window start to it. */
  enum Grain {
    MINUTE(t -> t.truncatedTo(ChronoUnit.MINUTES)),
    HOUR(t -> t.truncatedTo(ChronoUnit.HOURS)),
    DAY(t -> t.truncatedTo(ChronoUnit.DAYS));

    final Function<LocalDateTime, LocalDateTime> truncate;

    Grain(Function<LocalDateTime, LocalDateTime> truncate) {
      this.truncate = truncate;
    }

    String view() {
      return "cx_checkout_abandonment_" + name().toLowerCase();
    }
  }

  /** A row as inserted: the outcomes it absorbed (its version is their number). */
  record Row(
      LocalDateTime windowStart, String channel, String segment, List<CheckoutOutcome> outcomes) {

    String key() {
      return windowStart + "|" + channel + "|" + segment;
    }

    CheckoutComponents components() {
      CheckoutComponents components = new CheckoutComponents();
      outcomes.forEach(components::add);
      return components;
    }

    long version() {
      return outcomes.size();
    }

    CheckoutWindowRow windowRow() {
      return CheckoutWindowRow.of(
          windowStart.toInstant(ZoneOffset.UTC),
          windowStart.plusMinutes(1).toInstant(ZoneOffset.UTC),
          channel,
          segment,
          components());
    }
  }

  private static final List<Row> ROWS = new ArrayList<>();

  static {
    // The DESIGN's worked example, 1,590 started / 879 completed -> 44.72 %, as the newest
    // version of a row whose older version (fewer outcomes) is inserted after it.
    List<CheckoutOutcome> worked = new ArrayList<>();
    Random random = new Random(7);
    for (int i = 0; i < 1_590; i++) {
      worked.add(
          i < 879
              ? completed(60_000 + random.nextInt(900_000))
              : abandoned(
                  FunnelStep.values()[i % 4],
                  1_000 + i,
                  i % 3 == 0 ? "USD" : "EUR",
                  i % 4 == 3 ? reason(i) : null));
    }
    ROWS.add(new Row(T0, "web", "new", worked));
    ROWS.add(new Row(T0, "web", "new", worked.subList(0, 100)));
    // Several currencies, reasons, a zero completion time, and a correction (abandoned, taken
    // back, completed).
    CheckoutOutcome corrected = abandoned(FunnelStep.PAYMENT, 8_800, "GBP", "card_declined");
    ROWS.add(
        new Row(
            T0,
            "web",
            "returning",
            List.of(
                completed(0),
                completed(3_000),
                completed(185_000),
                abandoned(FunnelStep.CHECKOUT_STARTED, 4_200, "GBP", null),
                abandoned(FunnelStep.PAYMENT, 1_234, "JPY", "insufficient_funds"),
                abandoned(FunnelStep.PAYMENT, 99, "EUR", "3ds_failed"),
                corrected,
                corrected.retraction(),
                completed(2_400_000))));
    // Only abandoned checkouts, one with no known step: no completion time at all.
    ROWS.add(
        new Row(
            T0,
            "mobile_app",
            "new",
            List.of(
                abandoned(FunnelStep.CART, 1_000, "EUR", null),
                abandoned(FunnelStep.UNKNOWN, 500, "EUR", null))));
    // Every checkout completed: abandonment 0 %, its interval starting at 0.
    ROWS.add(
        new Row(
            T0.plusMinutes(1),
            "web",
            "new",
            List.of(completed(50_000), completed(70_000), completed(90_000))));
    ROWS.add(
        new Row(
            T0.plusMinutes(59),
            "mobile_app",
            "returning",
            List.of(
                completed(240_000),
                abandoned(FunnelStep.SHIPPING, 15_000, "USD", "processor_error"),
                abandoned(FunnelStep.SHIPPING, 15_000, "USD", null))));
    ROWS.add(
        new Row(
            T0.plusMinutes(65),
            "web",
            "new",
            List.of(
                completed(121_000), abandoned(FunnelStep.PAYMENT, 2_000, "EUR", "card_declined"))));
    // Every outcome moved away (its checkout's start changed): a row of zeros, not in the views.
    CheckoutOutcome moved = completed(30_000);
    ROWS.add(new Row(T0.plusMinutes(65), "email", "vip", List.of(moved, moved.retraction())));
    // The next UTC day: large counts, and a checkout in the overflow bucket (>= 30.4 days).
    List<CheckoutOutcome> large = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      // Log-normal around 4 minutes.
      long millis = Math.round(240_000 * Math.exp(0.8 * random.nextGaussian()));
      large.add(
          i % 5 == 0
              ? abandoned(
                  FunnelStep.values()[i % 3 + 1], 2_000 + i, "EUR", i % 10 == 0 ? reason(i) : null)
              : completed(millis));
    }
    large.add(completed(LogHistogram.OVERFLOW_THRESHOLD_MILLIS + 5));
    ROWS.add(new Row(T0.plusHours(14), "email", "vip", large));
    ROWS.add(new Row(T0.plusHours(14), "email", "vip", large.subList(0, 4_000)));

    // The newest minutes: checkouts still open. One row with only pending checkouts (no rate
    // yet), one with decided and pending ones (the rate over the decided ones only), and one whose
    // pending checkout was decided into it after a late first event took it from another row.
    ROWS.add(new Row(T0.plusMinutes(2), "web", "new", List.of(pending(), pending(), pending())));
    ROWS.add(
        new Row(
            T0.plusMinutes(2),
            "mobile_app",
            "new",
            List.of(completed(90_000), abandoned(FunnelStep.CART, 500, "EUR", null), pending())));
    CheckoutOutcome decidedElsewhere = pending();
    ROWS.add(
        new Row(
            T0.plusMinutes(3),
            "web",
            "returning",
            List.of(decidedElsewhere, decidedElsewhere.retraction())));
  }

  @TempDir static Path dataDir;

  private static EmbeddedClickHouse clickHouse;
  private static Connection connection;

  @BeforeAll
  static void startAndLoad() throws Exception {
    clickHouse = EmbeddedClickHouse.builder().dataDir(dataDir).port(0).start();
    connection = DriverManager.getConnection(clickHouse.jdbcUrl());
    new SchemaMigrator(Migrations.fromClasspath()).migrate(connection);
    // One INSERT per row, through the job's own binding, so that the versions of a key land in
    // different parts and FINAL, not an insert-time merge, has to pick the newest.
    JdbcStatementBuilder<CheckoutWindowRow> binding = CheckoutWindowRow.TABLE.statement();
    try (PreparedStatement insert =
        connection.prepareStatement(CheckoutWindowRow.TABLE.insertSql())) {
      for (Row row : ROWS) {
        binding.accept(insert, row.windowRow());
        insert.executeUpdate();
      }
    }
  }

  @AfterAll
  static void stop() throws SQLException {
    if (connection != null) {
      connection.close();
    }
    if (clickHouse != null) {
      clickHouse.close();
    }
  }

  @Test
  void latestViewHoldsTheNewestVersionOfEachRowAsWritten() throws SQLException {
    Map<String, CheckoutWindowRow> latest = new TreeMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT * FROM cx_checkout_window_latest")) {
      while (rs.next()) {
        CheckoutWindowRow row = new CheckoutWindowRow();
        row.setWindowStart(
            rs.getObject("window_start", LocalDateTime.class).toInstant(ZoneOffset.UTC));
        row.setWindowEnd(rs.getObject("window_end", LocalDateTime.class).toInstant(ZoneOffset.UTC));
        row.setChannel(rs.getString("channel"));
        row.setSegment(rs.getString("segment"));
        row.setStarted(rs.getLong("started"));
        row.setCompleted(rs.getLong("completed"));
        row.setAbandoned(rs.getLong("abandoned"));
        row.setPending(rs.getLong("pending"));
        row.setAbandonedValueCurrencies(
            CheckoutClickHouse.strings(rs, "abandoned_value_currencies"));
        row.setAbandonedValueMinor(CheckoutClickHouse.longs(rs, "abandoned_value_minor"));
        row.setAbandonedSteps(CheckoutClickHouse.strings(rs, "abandoned_steps"));
        row.setAbandonedStepCounts(CheckoutClickHouse.longs(rs, "abandoned_step_counts"));
        row.setAbandonedReasons(CheckoutClickHouse.strings(rs, "abandoned_reasons"));
        row.setAbandonedReasonCounts(CheckoutClickHouse.longs(rs, "abandoned_reason_counts"));
        row.setCompletionTimeBuckets(
            Arrays.stream(CheckoutClickHouse.longs(rs, "completion_time_buckets"))
                .mapToInt(Math::toIntExact)
                .toArray());
        row.setCompletionTimeCounts(CheckoutClickHouse.longs(rs, "completion_time_counts"));
        row.setCompletionTimeSumMillis(rs.getLong("completion_time_sum_ms"));
        row.setVersion(rs.getLong("version"));
        String key =
            LocalDateTime.ofInstant(row.getWindowStart(), ZoneOffset.UTC)
                + "|"
                + row.getChannel()
                + "|"
                + row.getSegment();
        assertThat(latest.put(key, row)).as("one row per key").isNull();
      }
    }

    Map<String, CheckoutWindowRow> expected = new TreeMap<>();
    newest().stream()
        .filter(row -> row.components().getStarted() != 0 || row.components().getPending() != 0)
        .forEach(row -> expected.put(row.key(), row.windowRow()));
    assertThat(latest).isEqualTo(expected);
    assertThat(latest.get(T0 + "|web|new").getVersion()).isEqualTo(1_590);
  }

  @ParameterizedTest
  @EnumSource(Grain.class)
  void viewsAgreeWithTheMetricClassesForEveryGroupingSet(Grain grain) throws SQLException {
    Map<Key, Expected> expected = expected(grain);
    Map<Key, ViewRow> actual = query(grain.view());

    assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
    for (Map.Entry<Key, Expected> entry : expected.entrySet()) {
      assertAgrees(entry.getKey().toString(), entry.getValue(), actual.get(entry.getKey()));
    }
    // The parameterised view is the same SQL.
    Map<Key, ViewRow> parameterised =
        query("cx_checkout_abandonment(grain = '" + grain.name().toLowerCase() + "')");
    assertThat(parameterised).isEqualTo(actual);
  }

  @Test
  void theWorkedExampleOfTheDesign() throws SQLException {
    ViewRow row = query("cx_checkout_abandonment_minute").get(key(T0, "web", "new"));

    assertThat(row.started()).isEqualTo(1_590);
    assertThat(row.completed()).isEqualTo(879);
    assertThat(Math.round(row.abandonmentPct() * 100) / 100.0).isEqualTo(44.72);
  }

  @Test
  void aBucketWhoseCheckoutsAreStillOpenSaysSoAndRatesOnlyTheDecidedOnes() throws SQLException {
    Map<Key, ViewRow> minute = query("cx_checkout_abandonment_minute");
    ViewRow open = minute.get(key(T0.plusMinutes(2), "web", "new"));
    assertThat(open.pending()).isEqualTo(3);
    assertThat(open.started()).isZero();
    assertThat(open.abandonmentPct()).as("no decided checkout, no rate").isNull();

    ViewRow mixed = minute.get(key(T0.plusMinutes(2), "mobile_app", "new"));
    assertThat(mixed.pending()).isOne();
    assertThat(mixed.started()).isEqualTo(2);
    assertThat(mixed.abandonmentPct()).as("1 of 2 decided").isEqualTo(50.0);

    ViewRow all = minute.get(key(T0.plusMinutes(2), "all", "all"));
    assertThat(all.pending()).isEqualTo(4);
    assertThat(all.abandonmentPct()).isEqualTo(50.0);

    assertThat(minute)
        .as("a pending checkout taken back leaves no row")
        .doesNotContainKey(key(T0.plusMinutes(3), "web", "returning"));
  }

  @Test
  void derivedValuesAreNullWithoutCompletionsAndRowsWithoutCheckoutsAreLeftOut()
      throws SQLException {
    Map<Key, ViewRow> minute = query("cx_checkout_abandonment_minute");
    // Every outcome of this row was taken back: it is in the table, but no view shows it.
    assertThat(
            CheckoutClickHouse.single(
                connection,
                "SELECT count() FROM cx_checkout_window FINAL WHERE channel = 'email' AND started = 0"))
        .isOne();
    assertThat(
            CheckoutClickHouse.single(
                connection,
                "SELECT count() FROM cx_checkout_window_latest WHERE started = 0 AND pending = 0"))
        .isZero();
    assertThat(minute).doesNotContainKey(key(T0.plusMinutes(65), "email", "vip"));
    assertThat(minute).doesNotContainKey(key(T0.plusMinutes(65), "email", "all"));
    assertThat(minute).containsKey(key(T0.plusMinutes(65), "all", "all"));

    ViewRow noCompletions = minute.get(key(T0, "mobile_app", "new"));
    assertThat(noCompletions.abandonmentPct()).isEqualTo(100.0);
    assertThat(noCompletions.meanMs()).isNull();
    assertThat(noCompletions.quantilesMs()).containsOnlyNulls();
    // The checkout with no known step is abandoned but in no funnel step.
    assertThat(noCompletions.abandonedByStep())
        .containsOnly(Map.entry("cart", 1L), Map.entry("unknown", 1L));
    assertThat(noCompletions.dropOffPct()).containsOnly(Map.entry("cart", 100.0));
  }

  @Test
  void quantilesAreWithinTheStatedBoundOfTheExactQuantiles() throws SQLException {
    Map<Key, ViewRow> day = query("cx_checkout_abandonment_day");
    int checked = 0;
    for (Map.Entry<Key, Expected> entry : expected(Grain.DAY).entrySet()) {
      List<Long> times = entry.getValue().completionTimes();
      if (times.isEmpty()) {
        continue;
      }
      long[] sorted = times.stream().mapToLong(Long::longValue).sorted().toArray();
      ViewRow row = day.get(entry.getKey());
      for (int i = 0; i < QUANTILES.length; i++) {
        long exact = sorted[(int) LogHistogram.rank(QUANTILES[i], sorted.length) - 1];
        double estimate = row.quantilesMs().get(i);
        if (exact >= LogHistogram.OVERFLOW_THRESHOLD_MILLIS) {
          assertThat(estimate)
              .isCloseTo(
                  LogHistogram.representativeValue(LogHistogram.OVERFLOW_BUCKET), within(1.0));
        } else if (exact == 0) {
          assertThat(estimate).isZero();
        } else {
          assertThat(Math.abs(estimate - exact) / exact)
              .as("%s q%s: estimate %s, exact %s", entry.getKey(), QUANTILES[i], estimate, exact)
              .isLessThanOrEqualTo(LogHistogram.RELATIVE_ERROR_BOUND);
        }
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(20);
  }

  // ---------------------------------------------------------------------------------------------

  /** The expectation for one view row: the newest rows' outcomes, summed in Java. */
  record Expected(CheckoutComponents components, List<Long> completionTimes) {}

  private static void assertAgrees(String key, Expected expected, ViewRow actual) {
    CheckoutComponents c = expected.components();
    assertThat(actual.started()).as("%s started", key).isEqualTo(c.getStarted());
    assertThat(actual.completed()).as("%s completed", key).isEqualTo(c.getCompleted());
    assertThat(actual.abandoned()).as("%s abandoned", key).isEqualTo(c.getAbandoned());
    assertThat(actual.pending()).as("%s pending", key).isEqualTo(c.getPending());
    assertThat(actual.valueAtRisk())
        .as("%s value at risk", key)
        .isEqualTo(c.abandonedValueByCurrency());
    assertThat(actual.abandonedByStep()).as("%s by step", key).isEqualTo(c.abandonedCountByStep());
    assertThat(actual.abandonedByReason())
        .as("%s by reason", key)
        .isEqualTo(c.abandonedCountByReason());
    assertThat(actual.buckets()).as("%s buckets", key).containsExactly(c.getCompletionBuckets());
    assertThat(actual.counts()).as("%s counts", key).containsExactly(c.getCompletionCounts());
    assertThat(actual.completionCount()).as("%s completion count", key).isEqualTo(c.getCompleted());
    assertThat(actual.completionSumMs())
        .as("%s completion sum", key)
        .isEqualTo(c.getCompletionTimeSumMillis());

    AbandonmentComponents abandonment = c.abandonment();
    assertClose(key + " abandonment_pct", actual.abandonmentPct(), abandonment.abandonmentRate());
    Optional<ConfidenceInterval> interval = abandonment.abandonmentInterval95();
    assertClose(
        key + " ci_low",
        actual.ciLow(),
        interval.map(i -> OptionalDouble.of(i.lower())).orElse(OptionalDouble.empty()));
    assertClose(
        key + " ci_high",
        actual.ciHigh(),
        interval.map(i -> OptionalDouble.of(i.upper())).orElse(OptionalDouble.empty()));
    assertClose(key + " conversion_pct", actual.conversionPct(), abandonment.conversionRate());

    Map<String, Double> dropOff =
        ExpectedCheckoutRows.dropOff(c.getCompleted(), c.getAbandonedByStep());
    assertThat(actual.dropOffPct().keySet())
        .as("%s drop-off steps", key)
        .isEqualTo(dropOff.keySet());
    dropOff.forEach(
        (step, pct) ->
            assertThat(actual.dropOffPct().get(step))
                .as("%s drop-off %s", key, step)
                .isCloseTo(pct, within(TOLERANCE)));

    LogHistogram histogram = c.completionTimes();
    assertClose(key + " mean", actual.meanMs(), histogram.mean());
    for (int i = 0; i < QUANTILES.length; i++) {
      OptionalDouble quantile = histogram.quantile(QUANTILES[i]);
      Double value = actual.quantilesMs().get(i);
      if (quantile.isEmpty()) {
        assertThat(value).as("%s q%s", key, QUANTILES[i]).isNull();
      } else {
        // pow in ClickHouse and Math.pow may differ in the last bit.
        assertThat(value)
            .as("%s q%s", key, QUANTILES[i])
            .isNotNull()
            .isCloseTo(quantile.getAsDouble(), within(1e-12 * Math.max(1, quantile.getAsDouble())));
      }
    }
  }

  private static void assertClose(String what, Double actual, OptionalDouble expected) {
    if (expected.isEmpty()) {
      assertThat(actual).as(what).isNull();
    } else {
      assertThat(actual).as(what).isNotNull().isCloseTo(expected.getAsDouble(), within(TOLERANCE));
    }
  }

  /** Sums of the newest versions per bucket and grouping set (groups with checkouts only). */
  private static Map<Key, Expected> expected(Grain grain) {
    Map<Key, Expected> expected = new LinkedHashMap<>();
    for (Row row : newest()) {
      LocalDateTime bucket = grain.truncate.apply(row.windowStart());
      for (String channel : List.of(row.channel(), "all")) {
        for (String segment : List.of(row.segment(), "all")) {
          Expected e =
              expected.computeIfAbsent(
                  key(bucket, channel, segment),
                  k -> new Expected(new CheckoutComponents(), new ArrayList<>()));
          e.components().merge(row.components());
          e.completionTimes().addAll(completionTimes(row.outcomes()));
        }
      }
    }
    // Groups whose every outcome was taken back are not in the views.
    expected
        .values()
        .removeIf(e -> e.components().getStarted() == 0 && e.components().getPending() == 0);
    return expected;
  }

  private static Key key(LocalDateTime bucket, String channel, String segment) {
    return new Key(bucket.toInstant(ZoneOffset.UTC), channel, segment);
  }

  private static Map<Key, ViewRow> query(String from) throws SQLException {
    return CheckoutClickHouse.abandonment(connection, from);
  }

  /** Completion times of the completed outcomes that were not taken back. */
  private static List<Long> completionTimes(List<CheckoutOutcome> outcomes) {
    List<Long> times = new ArrayList<>();
    for (CheckoutOutcome o : outcomes) {
      if (o.getStatus() != CheckoutStatus.COMPLETED) {
        continue;
      }
      if (o.isRetraction()) {
        times.remove(o.getCompletionTimeMillis());
      } else {
        times.add(o.getCompletionTimeMillis());
      }
    }
    return times;
  }

  /** The highest version of each key, as ReplacingMergeTree(version) keeps it. */
  private static List<Row> newest() {
    return new ArrayList<>(
        ROWS.stream()
            .collect(
                Collectors.toMap(
                    Row::key,
                    Function.identity(),
                    (a, b) -> a.version() >= b.version() ? a : b,
                    LinkedHashMap::new))
            .values());
  }

  private static String reason(int i) {
    return List.of("card_declined", "insufficient_funds", "3ds_failed", "processor_error")
        .get(i % 4);
  }

  private static int sequence;

  private static CheckoutOutcome completed(long completionMillis) {
    CheckoutOutcome o = base();
    o.setStatus(CheckoutStatus.COMPLETED);
    o.setLastStep(FunnelStep.ORDER_PLACED);
    o.setCompletionTimeMillis(completionMillis);
    return o;
  }

  private static CheckoutOutcome abandoned(
      FunnelStep lastStep, long cartValueMinor, String currency, String reason) {
    CheckoutOutcome o = base();
    o.setStatus(CheckoutStatus.ABANDONED);
    o.setLastStep(lastStep);
    o.setCartValueMinor(cartValueMinor);
    o.setCurrency(currency);
    o.setPaymentFailureReasons(reason == null ? new String[0] : new String[] {reason});
    o.setLastPaymentFailureReason(reason);
    return o;
  }

  private static CheckoutOutcome pending() {
    CheckoutOutcome o = base();
    o.setStatus(CheckoutStatus.PENDING);
    o.setVersion(0);
    o.setDecidedAt(null);
    o.setCartValueMinor(0);
    o.setCurrency(null);
    return o;
  }

  private static CheckoutOutcome base() {
    CheckoutOutcome o = new CheckoutOutcome();
    o.setCheckoutId("chk-" + sequence++);
    o.setVersion(1);
    o.setSign(CheckoutOutcome.ADD);
    o.setStart(T0.toInstant(ZoneOffset.UTC));
    o.setDecidedAt(T0.toInstant(ZoneOffset.UTC).plus(Duration.ofMinutes(30)));
    o.setChannel("web");
    o.setSegment("new");
    o.setCartValueMinor(1_000);
    o.setCurrency("EUR");
    o.setPaymentFailureReasons(new String[0]);
    return o;
  }
}
