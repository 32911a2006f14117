package io.cxpulse.jobs.aggregate;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;

/**
 * Tumbling event-time window rows per channel × segment (× priority), aggregated in two phases so
 * that no key is hot however skewed the traffic.
 *
 * <pre>
 * input ─► keyBy (window, channel, segment, priority, salt = hash(entity id) mod salts)
 *       ─► {@link WindowPreAggregator}: additive partial per salted key, flushed on event time
 *       ─► keyBy (window, channel, segment, priority)
 *       ─► {@link WindowMerger}: the row's total, emitted as a versioned row
 * </pre>
 *
 * <p>Why not {@code keyBy(channel, segment).window(...)}: channel × segment is a handful of keys,
 * and with 90 % of traffic on one of them one subtask would do 90 % of the work. The salt spreads
 * every row over {@code salts} keys; since the window start is part of the key as well, the salted
 * keys of successive windows land on different subtasks and the load evens out. The merge phase
 * sees one partial per salted key and flush (a few per window), not one record per event.
 *
 * <p>Why not Flink's window operator: a checkout is attributed to the window of its start, but its
 * outcome is known only after the inactivity timeout; a window operator would call every outcome
 * late. Here a record may arrive for any window still within {@code retention} of its end, and the
 * row is re-emitted with a higher version (the number of records absorbed) each time it changes.
 *
 * <p>Flush timing: the pre-aggregator flushes a partial when the watermark passes the window end,
 * or, for a record arriving after that, at the next watermark. The merger emits the row at the
 * partial's timestamp, once its own watermark (the minimum over all pre-aggregators) says every
 * pre-aggregator has flushed up to it; a window thus gets one row when it closes and one per later
 * watermark step that brought changes, not one per partial.
 *
 * <p>A correction that no watermark step delivers: a record for a window the watermark has already
 * passed waits for the watermark's next rise, and that rise may never come. When an input resumes
 * after being idle behind the others (a broker restart, a partition whose producer paused), its
 * records land in windows the other inputs have closed, and if it ends below their watermark, the
 * watermark stays where it was until new traffic. So both phases also flush such corrections on
 * processing time, at most {@link #CORRECTION_TICK} after they arrive (each phase rounds up to the
 * next tick, so a correction reaches the row within two ticks): never a window the watermark has
 * not closed, so a row's first version is still complete for everything before its end.
 *
 * <p>Retention: a record whose window ended more than {@code retention} ago (by the watermark at
 * the pre-aggregator) is too late; it goes to the {@link Output#tooLate()} stream, never silently
 * dropped. The merger keeps a row's total until the same time, so no partial can arrive after it.
 *
 * @param <IN> input records
 * @param <C> the row's additive components
 * @param <ROW> the emitted row
 */
public final class WindowAggregation<IN, C extends WindowComponents<C>, ROW>
    implements Serializable {

  private static final long serialVersionUID = 1L;

  /**
   * How long a correction of a closed window may wait for the next watermark before it is flushed
   * on processing time. With traffic the watermark rises every 200 ms and delivers it first; the
   * tick only matters when the watermark stalls.
   */
  public static final Duration CORRECTION_TICK = Duration.ofSeconds(1);

  /** Salts per row by default: enough to spread one hot row evenly over dozens of subtasks. */
  public static final int DEFAULT_SALTS = 32;

  /** Where a record is counted. */
  @FunctionalInterface
  public interface Attributor<IN> extends Serializable {
    Attribution attribute(IN record);
  }

  /** Adds one record to components. */
  @FunctionalInterface
  public interface Adder<IN, C> extends Serializable {
    void add(C components, IN record);
  }

  /** Creates empty components. */
  @FunctionalInterface
  public interface ComponentsFactory<C> extends Serializable {
    C create();
  }

  /** Turns a row's total into the emitted row; its version is {@code components.records()}. */
  @FunctionalInterface
  public interface RowFactory<C, ROW> extends Serializable {
    ROW toRow(WindowKey key, long windowEndMillis, C components);
  }

  /** The rows, and the records that came too late for their window. */
  public record Output<IN, ROW>(SingleOutputStreamOperator<ROW> rows, DataStream<IN> tooLate) {}

  private final String name;
  private final String uidPrefix;
  private final long windowMillis;
  private final long retentionMillis;
  private final int salts;
  private final Attributor<IN> attributor;
  private final ComponentsFactory<C> componentsFactory;
  private final Adder<IN, C> adder;
  private final TypeInformation<C> componentsType;
  private final RowFactory<C, ROW> rowFactory;
  private final TypeInformation<ROW> rowType;

  private WindowAggregation(Builder<IN, C, ROW> builder) {
    this.name = Objects.requireNonNull(builder.name, "name");
    this.uidPrefix = Objects.requireNonNull(builder.uidPrefix, "uidPrefix");
    Objects.requireNonNull(builder.window, "window");
    Objects.requireNonNull(builder.retention, "retention");
    if (builder.window.isNegative() || builder.window.isZero()) {
      throw new IllegalArgumentException("window must be positive: " + builder.window);
    }
    if (builder.retention.isNegative()) {
      throw new IllegalArgumentException("retention must not be negative: " + builder.retention);
    }
    this.windowMillis = builder.window.toMillis();
    this.retentionMillis = builder.retention.toMillis();
    this.salts = requireSalts(builder.salts);
    this.attributor = Objects.requireNonNull(builder.attributor, "attribution");
    this.componentsFactory = Objects.requireNonNull(builder.componentsFactory, "components");
    this.adder = Objects.requireNonNull(builder.adder, "components adder");
    this.componentsType = Objects.requireNonNull(builder.componentsType, "components type");
    this.rowFactory = Objects.requireNonNull(builder.rowFactory, "rows");
    this.rowType = Objects.requireNonNull(builder.rowType, "row type");
  }

  /**
   * {@code salts}, which must be at least 1 (1 disables salting).
   *
   * @throws IllegalArgumentException "{@code salts must be at least 1: <salts>}"
   */
  public static int requireSalts(int salts) {
    if (salts < 1) {
      throw new IllegalArgumentException("salts must be at least 1: " + salts);
    }
    return salts;
  }

  /**
   * @param name operator names start with it, e.g. "survey window"
   * @param uidPrefix operator uids start with it; keep it stable, savepoints map state by uid
   */
  public static <IN, C extends WindowComponents<C>, ROW> Builder<IN, C, ROW> builder(
      String name, String uidPrefix) {
    return new Builder<>(name, uidPrefix);
  }

  /** The uid of the pre-aggregation operator, whose per-subtask numRecordsIn shows the spread. */
  public String preAggregateUid() {
    return uidPrefix + "-pre-aggregate";
  }

  /** The name of the pre-aggregation operator. */
  public String preAggregateName() {
    return name + " pre-aggregation (salted)";
  }

  /** The uid of the merge operator. */
  public String mergeUid() {
    return uidPrefix + "-merge";
  }

  /** Adds both phases to the graph after {@code input}. */
  public Output<IN, ROW> apply(DataStream<IN> input) {
    OutputTag<IN> tooLate = tooLateTag(input.getType());
    SingleOutputStreamOperator<Tuple2<WindowKey, C>> partials =
        input
            .keyBy(saltedKeySelector(), KEY_TYPE)
            .process(preAggregator(tooLate), partialType())
            .name(preAggregateName())
            .uid(preAggregateUid());

    SingleOutputStreamOperator<ROW> rows =
        partials
            .keyBy(partial -> partial.f0, KEY_TYPE)
            .process(merger(), rowType)
            .name(name + " merge")
            .uid(mergeUid());
    return new Output<>(rows, partials.getSideOutput(tooLate));
  }

  // The pieces of the two phases, package-private for harness tests.

  static final TypeInformation<WindowKey> KEY_TYPE = TypeInformation.of(WindowKey.class);

  OutputTag<IN> tooLateTag(TypeInformation<IN> inputType) {
    return new OutputTag<>(uidPrefix + "-too-late", inputType);
  }

  SaltedWindowKeySelector<IN> saltedKeySelector() {
    return new SaltedWindowKeySelector<>(attributor, windowMillis, salts);
  }

  WindowPreAggregator<IN, C> preAggregator(OutputTag<IN> tooLate) {
    return new WindowPreAggregator<>(
        windowMillis, retentionMillis, componentsFactory, adder, componentsType, tooLate);
  }

  WindowMerger<C, ROW> merger() {
    return new WindowMerger<>(windowMillis, retentionMillis, rowFactory, componentsType);
  }

  TypeInformation<Tuple2<WindowKey, C>> partialType() {
    return Types.TUPLE(KEY_TYPE, componentsType);
  }

  /** Builds a {@link WindowAggregation}; every setting but {@link #salts} is required. */
  public static final class Builder<IN, C extends WindowComponents<C>, ROW> {
    private final String name;
    private final String uidPrefix;
    private Duration window;
    private Duration retention;
    private int salts = DEFAULT_SALTS;
    private Attributor<IN> attributor;
    private ComponentsFactory<C> componentsFactory;
    private Adder<IN, C> adder;
    private TypeInformation<C> componentsType;
    private RowFactory<C, ROW> rowFactory;
    private TypeInformation<ROW> rowType;

    private Builder(String name, String uidPrefix) {
      this.name = name;
      this.uidPrefix = uidPrefix;
    }

    /** Tumbling window size. */
    public Builder<IN, C, ROW> window(Duration window) {
      this.window = window;
      return this;
    }

    /** How long after its end a window still takes records (and its total is kept). */
    public Builder<IN, C, ROW> retention(Duration retention) {
      this.retention = retention;
      return this;
    }

    /** Pre-aggregation keys per row (default {@value #DEFAULT_SALTS}); 1 disables salting. */
    public Builder<IN, C, ROW> salts(int salts) {
      this.salts = salts;
      return this;
    }

    public Builder<IN, C, ROW> attribution(Attributor<IN> attributor) {
      this.attributor = attributor;
      return this;
    }

    public Builder<IN, C, ROW> components(
        ComponentsFactory<C> factory, Adder<IN, C> adder, TypeInformation<C> type) {
      this.componentsFactory = factory;
      this.adder = adder;
      this.componentsType = type;
      return this;
    }

    public Builder<IN, C, ROW> rows(RowFactory<C, ROW> factory, TypeInformation<ROW> type) {
      this.rowFactory = factory;
      this.rowType = type;
      return this;
    }

    public WindowAggregation<IN, C, ROW> build() {
      return new WindowAggregation<>(this);
    }
  }
}
