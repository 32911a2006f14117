package io.cxpulse.jobs.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.IntStream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Both phases of {@link WindowAggregation} in operator harnesses, on a fixed event-time clock: when
 * partials are flushed and rows emitted, versions, retractions, the retention and restore.
 */
class WindowAggregationTest {

  private static final long MINUTE = 60_000;
  private static final Duration RETENTION = Duration.ofMinutes(10);
  private static final int SALTS = 8;

  private TwoPhaseHarness<Sale, SaleTotals, SaleRow> harness;

  @BeforeEach
  void setUp() throws Exception {
    harness = TwoPhaseHarness.open(aggregation(), TypeInformation.of(Sale.class));
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  @Test
  void saltedPartialsOfOneWindowMergeIntoOneRowWhenTheWatermarkPassesItsEnd() throws Exception {
    for (int i = 0; i < 40; i++) {
      sale("order-" + i, 1_000 + i, 10, +1);
    }
    harness.processWatermark(MINUTE - 2);
    assertThat(harness.rows()).as("window still open").isEmpty();
    assertThat(harness.partials()).isEmpty();

    harness.processWatermark(MINUTE - 1);

    long salts =
        IntStream.range(0, 40)
            .map(i -> Math.floorMod(("order-" + i).hashCode(), SALTS))
            .distinct()
            .count();
    assertThat(salts).as("the test spreads over several salts").isGreaterThan(1);
    assertThat(harness.partials()).as("one partial per salt").hasSize((int) salts);
    assertThat(harness.rows()).containsExactly(new SaleRow(0, MINUTE, "web", "new", 400, 40));
  }

  @Test
  void aRecordAfterTheWindowClosedReEmitsTheRowAtTheNextWatermarkWithAHigherVersion()
      throws Exception {
    sale("a", 1_000, 10, +1);
    sale("b", 2_000, 5, +1);
    harness.processWatermark(MINUTE + 30_000);
    assertThat(harness.rows()).containsExactly(new SaleRow(0, MINUTE, "web", "new", 15, 2));

    sale("late", 3_000, 7, +1);
    assertThat(harness.rows()).as("waits for the next watermark").hasSize(1);
    harness.processWatermark(MINUTE + 30_001);

    assertThat(harness.rows())
        .containsExactly(
            new SaleRow(0, MINUTE, "web", "new", 15, 2),
            new SaleRow(0, MINUTE, "web", "new", 22, 3));
  }

  @Test
  void aCorrectionIsEmittedWithinTwoTicksWhenNoWatermarkRiseComes() throws Exception {
    // An input resumed behind the others after being idle: the watermark stays where they left
    // it, so the rise a correction normally waits for does not come until new traffic.
    long tick = WindowAggregation.CORRECTION_TICK.toMillis();
    sale("a", 1_000, 10, +1);
    harness.processWatermark(MINUTE + 30_000);
    sale("late", 3_000, 7, +1);
    sale("later", 4_000, 1, +1);

    harness.setProcessingTime(tick - 1);
    assertThat(harness.partials()).as("before the tick").hasSize(1);
    assertThat(harness.rows()).hasSize(1);
    harness.setProcessingTime(2 * tick);

    assertThat(harness.rows())
        .containsExactly(
            new SaleRow(0, MINUTE, "web", "new", 10, 1),
            new SaleRow(0, MINUTE, "web", "new", 18, 3));
    harness.processWatermark(MINUTE + 30_001);
    assertThat(harness.rows()).as("the rise finds the correction already emitted").hasSize(2);
  }

  @Test
  void processingTimeNeverFlushesAWindowTheWatermarkHasNotClosed() throws Exception {
    long tick = WindowAggregation.CORRECTION_TICK.toMillis();
    sale("a", 1_000, 10, +1);
    harness.processWatermark(MINUTE - 2);
    // A correction of the previous window arms the ticks; the open window must not ride on them.
    sale("b", MINUTE + 1_000, 5, +1);
    harness.processWatermark(2 * MINUTE + 5_000);
    sale("c", MINUTE + 2_000, 1, +1);
    sale("d", 2 * MINUTE + 6_000, 3, +1);

    harness.setProcessingTime(10 * tick);

    assertThat(harness.rows())
        .containsExactly(
            new SaleRow(0, MINUTE, "web", "new", 10, 1),
            new SaleRow(MINUTE, 2 * MINUTE, "web", "new", 5, 1),
            new SaleRow(MINUTE, 2 * MINUTE, "web", "new", 6, 2));
    harness.processWatermark(3 * MINUTE);
    assertThat(harness.rows())
        .last()
        .isEqualTo(new SaleRow(2 * MINUTE, 3 * MINUTE, "web", "new", 3, 1));
  }

  @Test
  void aWatermarkWithoutNewRecordsEmitsNothing() throws Exception {
    sale("a", 1_000, 10, +1);
    harness.processWatermark(MINUTE);
    harness.processWatermark(2 * MINUTE);
    harness.processWatermark(3 * MINUTE);

    assertThat(harness.rows()).hasSize(1);
  }

  @Test
  void aRetractionTakesBackItsAdditionAndStillRaisesTheVersion() throws Exception {
    sale("a", 1_000, 10, +1);
    sale("b", 2_000, 5, +1);
    harness.processWatermark(MINUTE);
    // b's outcome changed: taken back from this window, added to the next one.
    sale("b", 2_000, 5, -1);
    sale("b", MINUTE + 1_000, 5, +1);
    harness.processWatermark(MINUTE + 1);
    harness.processWatermark(2 * MINUTE);

    assertThat(harness.rows())
        .containsExactly(
            new SaleRow(0, MINUTE, "web", "new", 15, 2),
            new SaleRow(0, MINUTE, "web", "new", 10, 3),
            new SaleRow(MINUTE, 2 * MINUTE, "web", "new", 5, 1));
  }

  @Test
  void eachWindowAndDimensionIsItsOwnRow() throws Exception {
    sale("a", 1_000, 1, +1, "web", "new");
    sale("b", 1_000, 2, +1, "web", "vip");
    sale("c", 1_000, 4, +1, "email", "new");
    sale("d", MINUTE + 1, 8, +1, "web", "new");
    harness.processWatermark(2 * MINUTE);

    assertThat(harness.rows())
        .containsExactlyInAnyOrder(
            new SaleRow(0, MINUTE, "web", "new", 1, 1),
            new SaleRow(0, MINUTE, "web", "vip", 2, 1),
            new SaleRow(0, MINUTE, "email", "new", 4, 1),
            new SaleRow(MINUTE, 2 * MINUTE, "web", "new", 8, 1));
  }

  @Test
  void afterTheRetentionARecordGoesToTheTooLateOutputAndTheStateIsGone() throws Exception {
    sale("a", 1_000, 10, +1);
    long lastAccepted = MINUTE - 1 + RETENTION.toMillis() - 1;
    harness.processWatermark(lastAccepted);
    Sale stillOnTime = sale("b", 2_000, 1, +1);
    harness.processWatermark(lastAccepted + 1);
    assertThat(harness.rows()).extracting(SaleRow::version).containsExactly(1L, 2L);
    assertThat(harness.tooLate()).isEmpty();

    Sale tooLate = sale("c", 3_000, 1, +1);
    harness.processWatermark(lastAccepted + 2);

    assertThat(harness.tooLate()).containsExactly(tooLate).doesNotContain(stillOnTime);
    assertThat(harness.preAggregationCounter(WindowPreAggregator.TOO_LATE)).isOne();
    assertThat(harness.rows()).as("no row without the too-late record's window").hasSize(2);
    assertThat(harness.keyedStateEntries()).as("pre-aggregation and merge state cleared").isZero();
  }

  @Test
  void totalsSurviveARestoreFromASnapshot() throws Exception {
    sale("a", 1_000, 10, +1);
    harness.processWatermark(MINUTE);
    sale("b", 2_000, 5, +1);
    var snapshot = harness.snapshot();
    harness.close();

    harness = TwoPhaseHarness.restore(aggregation(), TypeInformation.of(Sale.class), snapshot);
    sale("c", 3_000, 1, +1);
    harness.processWatermark(MINUTE + 1);

    assertThat(harness.rows()).containsExactly(new SaleRow(0, MINUTE, "web", "new", 16, 3));
  }

  @Test
  void keysAndTestComponentsArePojos() {
    assertThat(TypeInformation.of(WindowKey.class)).isInstanceOf(PojoTypeInfo.class);
    assertThat(TypeInformation.of(SaleTotals.class)).isInstanceOf(PojoTypeInfo.class);
  }

  private Sale sale(String id, long time, long value, int sign) throws Exception {
    return sale(id, time, value, sign, "web", "new");
  }

  private Sale sale(String id, long time, long value, int sign, String channel, String segment)
      throws Exception {
    Sale sale = new Sale(id, time, channel, segment, value, sign);
    harness.processElement(sale, time);
    return sale;
  }

  private static WindowAggregation<Sale, SaleTotals, SaleRow> aggregation() {
    return WindowAggregation.<Sale, SaleTotals, SaleRow>builder("sales window", "sales-window")
        .window(Duration.ofMinutes(1))
        .retention(RETENTION)
        .salts(SALTS)
        .attribution(
            sale ->
                new Attribution(
                    sale.time(), sale.channel(), sale.segment(), WindowKey.NO_PRIORITY, sale.id()))
        .components(
            SaleTotals::new,
            (totals, sale) -> totals.add(sale.sign() * sale.value()),
            TypeInformation.of(SaleTotals.class))
        .rows(
            (key, end, totals) ->
                new SaleRow(
                    key.getWindowStart(),
                    end,
                    key.getChannel(),
                    key.getSegment(),
                    totals.getSum(),
                    totals.records()),
            TypeInformation.of(SaleRow.class))
        .build();
  }

  /** A signed input record. */
  public record Sale(String id, long time, String channel, String segment, long value, int sign) {}

  /** An emitted row. */
  public record SaleRow(
      long windowStart, long windowEnd, String channel, String segment, long sum, long version) {}

  /** Test components: a signed sum. */
  public static class SaleTotals implements WindowComponents<SaleTotals> {
    private long sum;
    private long count;

    public SaleTotals() {}

    void add(long signedValue) {
      sum += signedValue;
      count++;
    }

    @Override
    public SaleTotals merge(SaleTotals other) {
      sum += other.sum;
      count += other.count;
      return this;
    }

    @Override
    public long records() {
      return count;
    }

    public long getSum() {
      return sum;
    }

    public void setSum(long sum) {
      this.sum = sum;
    }

    public long getCount() {
      return count;
    }

    public void setCount(long count) {
      this.count = count;
    }
  }
}
