package io.cxpulse.jobs.generator;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.jobs.generator.BadRecords.BadRecord;
import io.cxpulse.jobs.pipeline.EventTimeOptions;
import io.cxpulse.jobs.validation.RejectReason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The exact sequence of Kafka records an end-to-end test (or the demo) produces to {@code
 * cx.surveys}, built from generated responses, with the fate of every record known in advance:
 * counted in a metric, or dead-lettered for a given {@link RejectReason}.
 *
 * <p>Why: the pipeline's promise is "in = counted + dead-lettered", per reason. A test can only
 * check that against an expectation it computes without the pipeline, so the stream must contain
 * every kind of trouble at places where its outcome is certain, not merely likely.
 *
 * <h2>What the stream contains</h2>
 *
 * <ul>
 *   <li><b>ON_TIME</b> (counted): every response not picked for another role, in bounded-disorder
 *       order. Each is delayed by a random 0..{@code outOfOrderness} and the stream is ordered by
 *       event time plus delay, so a record is never more than {@code outOfOrderness} behind the
 *       largest event time before it.
 *   <li><b>LATE</b> (counted): a {@code lateFraction} of responses held back until the stream has
 *       moved past their window's end, but not past its allowed lateness; the job counts them in a
 *       late firing (a newer version of the window row).
 *   <li><b>DUPLICATE</b>: a {@code duplicateFraction} of on-time responses are sent again,
 *       byte-identical, up to {@code maxDuplicateDelay} later. The first copy is counted, the
 *       second dead-lettered.
 *   <li><b>TOO_LATE</b>: {@code tooLateCount} responses (default 3) held back until the stream is
 *       far past their window's end plus allowed lateness.
 *   <li><b>BAD</b>: every variant of {@link BadRecords#allVariants}, spread evenly over the stream
 *       (UNDECODABLE ×2, UNKNOWN_SCHEMA, MISSING_FIELD ×3, OUT_OF_RANGE, FUTURE_EVENT_TIME).
 * </ul>
 *
 * <p>Duplicates are the only records sharing an event_id; bad records carry ids of their own.
 *
 * <h2>Timing assumptions</h2>
 *
 * The job is assumed to use tumbling event-time windows of {@code windowSize} aligned to the epoch
 * (Flink's default offset 0), {@code WatermarkStrategy.forBoundedOutOfOrderness(outOfOrderness)} on
 * the survey event_time, and {@code allowedLateness}. Flink then drops an element of window [S, E)
 * when {@code E − 1 ms + allowedLateness <= watermark}, and the watermark is never above {@code
 * (largest event_time read so far) − outOfOrderness − 1 ms}. Call the largest event_time of the
 * records before and including a given one its <em>stream position</em> P ({@link
 * ScenarioRecord#streamPosition()}). By construction:
 *
 * <ul>
 *   <li>ON_TIME: event_time ≥ P − outOfOrderness, so the record is not even late.
 *   <li>LATE: E + outOfOrderness + {@code lateMinMargin} ≤ P ≤ E + allowedLateness − {@code
 *       lateMaxMargin}. The upper bound makes COUNTED certain whatever the watermark's lag. The
 *       lower bound makes the record late (arriving after its window fired) once the watermark has
 *       caught up with P; if the job reads a backlog faster than watermarks are emitted (every 200
 *       ms of processing time by default) it may still be counted in the first firing: same fate,
 *       one row version fewer.
 *   <li>DUPLICATE: P ≤ E + allowedLateness − lateMaxMargin, so the only possible reason is
 *       DUPLICATE even if the job checked lateness first. The job must remember event_ids for at
 *       least {@code maxDuplicateDelay} plus the disorder bound of event time (and, if its
 *       de-duplication state expires by processing time, for at least as long as the test takes).
 *   <li>TOO_LATE: P ≥ E + allowedLateness + outOfOrderness + {@code tooLateMargin}, so once the
 *       watermark has caught up with the records before it, it is at least {@link
 *       ScenarioRecord#requiredWatermark()} = E − 1 ms + allowedLateness plus the margin, and the
 *       record is dropped. Whether it has caught up is a matter of processing time; see below.
 *   <li>BAD: rejected by the decoder or validator before any window. The FUTURE_EVENT_TIME record's
 *       event time is {@link BadRecords#FUTURE_LEAD} after the reference time; the job must take
 *       watermarks from validated records (or from the Kafka timestamps given here), or that one
 *       record would push the watermark a week ahead and make everything after it too late.
 * </ul>
 *
 * <p>Inserted records (LATE, DUPLICATE, TOO_LATE, BAD) never raise the stream position, so the
 * bounds above hold for the stream exactly as emitted. Every generated response must lie before the
 * reference time: the validator rejects event times ahead of its processing time.
 *
 * <h2>How a test must produce and consume</h2>
 *
 * <ol>
 *   <li>Produce every record to <b>one partition</b> of {@code cx.surveys}, in {@link #records()}
 *       order (set the partition explicitly rather than relying on the key's hash, and use an
 *       idempotent producer or {@code max.in.flight.requests.per.connection=1} so retries cannot
 *       reorder). Watermarks are per partition and combined by minimum; with several partitions an
 *       idle partition that wakes up after the others advanced sees a watermark that its own
 *       records never produced, and the LATE and DUPLICATE bounds no longer hold.
 *   <li>Read it with source parallelism 1, or with {@code withIdleness} so that source subtasks
 *       without a partition do not hold the watermark back forever.
 *   <li>Produce in {@link #phases()}: each phase after the first starts with a TOO_LATE record.
 *       Before producing it, flush and wait until the job's watermark has reached that record's
 *       {@link ScenarioRecord#requiredWatermark()}, e.g. until a window whose end is after it has
 *       been written, or until the window operator's {@code currentInputWatermark} metric shows it.
 *       A test that cannot wait may instead run the job with a watermark generator that emits on
 *       every event (same values as forBoundedOutOfOrderness, no lag).
 *   <li>Optionally set each Kafka record's timestamp to {@link ScenarioRecord#timestamp()}: the
 *       event_time for decodable responses, the stream position for bad records. A far-future
 *       timestamp would also be refused by brokers that bound {@code
 *       log.message.timestamp.after.max.ms}.
 * </ol>
 *
 * <p>The same events, seed and parameters give the same records; only the FUTURE_EVENT_TIME record
 * depends on the reference time.
 */
public final class SurveyScenario {

  /** How the scenario placed a record. */
  public enum Kind {
    /** In bounded-disorder order; counted. */
    ON_TIME,
    /** After its window's end, within its allowed lateness; counted. */
    LATE,
    /** A byte-identical second copy of an on-time record; dead-lettered as DUPLICATE. */
    DUPLICATE,
    /** After its window's end plus allowed lateness; dead-lettered as TOO_LATE. */
    TOO_LATE,
    /** From {@link BadRecords}; dead-lettered by the decoder or validator. */
    BAD
  }

  /**
   * Where a record must end: counted in the metrics ({@link #COUNTED}) or in the dead letters with
   * {@link #rejectReason()}.
   *
   * @param rejectReason why the record is dead-lettered; null when it is counted
   */
  public record Fate(RejectReason rejectReason) {

    /** Counted in the metrics. */
    public static final Fate COUNTED = new Fate(null);

    /** Dead-lettered for {@code reason}. */
    public static Fate deadLettered(RejectReason reason) {
      return new Fate(Objects.requireNonNull(reason, "reason"));
    }

    /** Whether the record is counted. */
    public boolean isCounted() {
      return rejectReason == null;
    }

    @Override
    public String toString() {
      return isCounted() ? "COUNTED" : "DEAD_LETTERED(" + rejectReason + ")";
    }
  }

  private final Duration windowSize;
  private final Duration outOfOrderness;
  private final Duration allowedLateness;
  private final List<ScenarioRecord> records;

  private SurveyScenario(Builder builder, List<ScenarioRecord> records) {
    this.windowSize = builder.windowSize;
    this.outOfOrderness = builder.outOfOrderness;
    this.allowedLateness = builder.allowedLateness;
    this.records = Collections.unmodifiableList(records);
  }

  /**
   * A builder for a scenario over {@code events}.
   *
   * @param events the responses to send, e.g. from {@link SurveyTrafficGenerator#take}; any order
   *     (they are sorted by event time), unique event_ids, all before {@code referenceTime}
   * @param referenceTime the earliest time at which the job will validate the records, i.e. its
   *     processing time: pass the wall clock ({@code Instant.now()}) when the test starts
   */
  public static Builder builder(List<SurveyResponse> events, Instant referenceTime) {
    return new Builder(events, referenceTime);
  }

  /** Every record to produce, in production order. */
  public List<ScenarioRecord> records() {
    return records;
  }

  /**
   * {@link #records()} cut before every record that needs the watermark to have advanced ({@link
   * ScenarioRecord#requiredWatermark()}): produce a phase, wait for the next phase's first record's
   * watermark, produce the next phase.
   */
  public List<List<ScenarioRecord>> phases() {
    List<List<ScenarioRecord>> phases = new ArrayList<>();
    int from = 0;
    for (int i = 0; i < records.size(); i++) {
      if (i > from && records.get(i).requiredWatermark().isPresent()) {
        phases.add(records.subList(from, i));
        from = i;
      }
    }
    phases.add(records.subList(from, records.size()));
    return phases;
  }

  /** How many records end in each fate, in order of first appearance. */
  public Map<Fate, Long> fateCounts() {
    Map<Fate, Long> counts = new LinkedHashMap<>();
    records.forEach(r -> counts.merge(r.fate(), 1L, Long::sum));
    return counts;
  }

  /** The responses that must be counted, each once, in production order. */
  public List<SurveyResponse> countedResponses() {
    return records.stream()
        .filter(r -> r.fate().isCounted())
        .map(r -> r.event().orElseThrow())
        .toList();
  }

  /** The window size the fates assume. */
  public Duration windowSize() {
    return windowSize;
  }

  /** The watermark's out-of-orderness bound the fates assume. */
  public Duration outOfOrderness() {
    return outOfOrderness;
  }

  /** The windows' allowed lateness the fates assume. */
  public Duration allowedLateness() {
    return allowedLateness;
  }

  /** End (exclusive) of the epoch-aligned tumbling window of {@code size} holding {@code time}. */
  public static Instant windowEnd(Instant time, Duration size) {
    long millis = time.toEpochMilli();
    long sizeMillis = size.toMillis();
    return Instant.ofEpochMilli(millis - Math.floorMod(millis, sizeMillis) + sizeMillis);
  }

  /**
   * One Kafka record to produce, with everything a test needs to know about it.
   *
   * <p>Not a Java record: the value is an array, which records would compare by identity.
   */
  public static final class ScenarioRecord {

    private final byte[] value;
    private final String key;
    private final Instant timestamp;
    private final Kind kind;
    private final Fate fate;
    private final SurveyResponse event;
    private final Instant streamPosition;
    private final Instant requiredWatermark;
    private final String label;

    private ScenarioRecord(
        byte[] value,
        String key,
        Instant timestamp,
        Kind kind,
        Fate fate,
        SurveyResponse event,
        Instant streamPosition,
        Instant requiredWatermark,
        String label) {
      this.value = value;
      this.key = key;
      this.timestamp = timestamp;
      this.kind = kind;
      this.fate = fate;
      this.event = event;
      this.streamPosition = streamPosition;
      this.requiredWatermark = requiredWatermark;
      this.label = label;
    }

    /** The Kafka value, a fresh copy. */
    public byte[] value() {
      return value.clone();
    }

    /**
     * The Kafka key a real producer would use, the response_id, so that a resubmitted response
     * stays in order behind the original. The fates assume a single partition whatever the key.
     */
    public String key() {
      return key;
    }

    /**
     * The Kafka record timestamp to produce with: event_time for decodable responses with a
     * plausible one, the stream position for bad records.
     */
    public Instant timestamp() {
      return timestamp;
    }

    /** How the scenario placed the record. */
    public Kind kind() {
      return kind;
    }

    /** Where the record must end. */
    public Fate fate() {
      return fate;
    }

    /** The response the value decodes to; empty for values that do not decode. */
    public Optional<SurveyResponse> event() {
      return Optional.ofNullable(event);
    }

    /** The largest event_time among the records up to and including this one. */
    public Instant streamPosition() {
      return streamPosition;
    }

    /**
     * For TOO_LATE records, the watermark the job must have reached before it reads this record:
     * the record's window end − 1 ms + allowed lateness. Empty for every other record.
     */
    public Optional<Instant> requiredWatermark() {
      return Optional.ofNullable(requiredWatermark);
    }

    /** A short description, e.g. {@code on-time}, {@code late} or {@code bad:truncated}. */
    public String label() {
      return label;
    }

    @Override
    public String toString() {
      return "ScenarioRecord{"
          + label
          + ", "
          + fate
          + ", key="
          + key
          + ", position="
          + streamPosition
          + (event == null ? "" : ", event_time=" + event.getEventTime())
          + "}";
    }
  }

  /** Configures a {@link SurveyScenario}; every margin has a documented default. */
  public static final class Builder {

    private final List<SurveyResponse> events;
    private final Instant referenceTime;
    private long seed = 1L;
    private Duration windowSize = EventTimeOptions.DEFAULT_WINDOW;
    private Duration outOfOrderness = EventTimeOptions.DEFAULT_OUT_OF_ORDERNESS;
    private Duration allowedLateness = Duration.ofMinutes(15);
    private double lateFraction = 0.01;
    private double duplicateFraction = 0.01;
    private int tooLateCount = 3;
    private boolean badRecords = true;
    private Duration lateMinMargin = Duration.ofMinutes(1);
    private Duration lateMaxMargin = Duration.ofMinutes(5);
    private Duration tooLateMargin = Duration.ofMinutes(5);
    private Duration maxDuplicateDelay = Duration.ofMinutes(2);

    private Builder(List<SurveyResponse> events, Instant referenceTime) {
      this.events = List.copyOf(events);
      this.referenceTime = Objects.requireNonNull(referenceTime, "referenceTime");
    }

    /** Seed of the shuffling and role choices; default 1. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Size of the job's tumbling windows; default the job's. */
    public Builder windowSize(Duration windowSize) {
      this.windowSize = windowSize;
      return this;
    }

    /**
     * The job's watermark out-of-orderness bound and the stream's disorder bound; default the
     * job's.
     */
    public Builder outOfOrderness(Duration outOfOrderness) {
      this.outOfOrderness = outOfOrderness;
      return this;
    }

    /** The job's allowed lateness; default 15 minutes. */
    public Builder allowedLateness(Duration allowedLateness) {
      this.allowedLateness = allowedLateness;
      return this;
    }

    /** Share of responses sent LATE; default 0.01. */
    public Builder lateFraction(double lateFraction) {
      this.lateFraction = lateFraction;
      return this;
    }

    /** Share of responses sent twice; default 0.01. */
    public Builder duplicateFraction(double duplicateFraction) {
      this.duplicateFraction = duplicateFraction;
      return this;
    }

    /** Number of TOO_LATE responses; default 3. */
    public Builder tooLateCount(int tooLateCount) {
      this.tooLateCount = tooLateCount;
      return this;
    }

    /** Whether to include the {@link BadRecords}; default true. */
    public Builder badRecords(boolean include) {
      this.badRecords = include;
      return this;
    }

    /** How far past window end + out-of-orderness a LATE record comes at least; default 1 min. */
    public Builder lateMinMargin(Duration margin) {
      this.lateMinMargin = margin;
      return this;
    }

    /**
     * How far before window end + allowed lateness a LATE or DUPLICATE record comes at the latest;
     * default 5 min.
     */
    public Builder lateMaxMargin(Duration margin) {
      this.lateMaxMargin = margin;
      return this;
    }

    /**
     * How far past window end + allowed lateness + out-of-orderness a TOO_LATE record comes at
     * least; default 5 min.
     */
    public Builder tooLateMargin(Duration margin) {
      this.tooLateMargin = margin;
      return this;
    }

    /**
     * How much further the stream has moved when a duplicate is re-sent, at most; default 2 min.
     */
    public Builder maxDuplicateDelay(Duration delay) {
      this.maxDuplicateDelay = delay;
      return this;
    }

    /**
     * Builds the scenario.
     *
     * @throws IllegalArgumentException if the parameters contradict each other, or the events
     *     cannot hold what was asked (too short a span for TOO_LATE records, events not before the
     *     reference time, repeated event_ids)
     * @throws IllegalStateException if the stream is too sparse to place a LATE record inside its
     *     interval (gaps between responses longer than that interval)
     */
    public SurveyScenario build() {
      validate();
      return new SurveyScenario(this, new Assembler(this).assemble());
    }

    private void validate() {
      requirePositive("windowSize", windowSize);
      requireNotNegative("outOfOrderness", outOfOrderness);
      requireNotNegative("allowedLateness", allowedLateness);
      requireNotNegative("lateMinMargin", lateMinMargin);
      requireNotNegative("lateMaxMargin", lateMaxMargin);
      requireNotNegative("tooLateMargin", tooLateMargin);
      requireNotNegative("maxDuplicateDelay", maxDuplicateDelay);
      if (!(lateFraction >= 0 && duplicateFraction >= 0 && lateFraction + duplicateFraction <= 1)) {
        throw new IllegalArgumentException(
            "fractions must not be negative and add up to at most 1: late "
                + lateFraction
                + ", duplicate "
                + duplicateFraction);
      }
      if (tooLateCount < 0) {
        throw new IllegalArgumentException("negative tooLateCount: " + tooLateCount);
      }
      if (lateFraction > 0
          && allowedLateness.compareTo(outOfOrderness.plus(lateMinMargin).plus(lateMaxMargin))
              < 0) {
        throw new IllegalArgumentException(
            "LATE records need allowedLateness ≥ outOfOrderness + lateMinMargin + lateMaxMargin ("
                + outOfOrderness.plus(lateMinMargin).plus(lateMaxMargin)
                + "), got "
                + allowedLateness
                + "; lower the margins or set lateFraction(0)");
      }
      if (duplicateFraction > 0
          && allowedLateness.compareTo(outOfOrderness.plus(lateMaxMargin)) <= 0) {
        throw new IllegalArgumentException(
            "DUPLICATE records need allowedLateness > outOfOrderness + lateMaxMargin ("
                + outOfOrderness.plus(lateMaxMargin)
                + "), got "
                + allowedLateness
                + "; lower the margin or set duplicateFraction(0)");
      }
      if (events.isEmpty()) {
        throw new IllegalArgumentException("no events");
      }
      if (events.stream().map(SurveyResponse::getEventId).distinct().count() != events.size()) {
        throw new IllegalArgumentException("event_ids must be unique");
      }
      Instant latest =
          events.stream().map(SurveyResponse::getEventTime).max(Comparator.naturalOrder()).get();
      if (latest.isAfter(referenceTime)) {
        throw new IllegalArgumentException(
            "the latest event time "
                + latest
                + " is after the reference time "
                + referenceTime
                + "; the validator would reject it as a future event. Start the traffic earlier.");
      }
    }

    private static void requirePositive(String name, Duration value) {
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + value);
      }
    }

    private static void requireNotNegative(String name, Duration value) {
      if (value.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative: " + value);
      }
    }
  }

  /** One build of the record sequence; all times in epoch milliseconds. */
  private static final class Assembler {

    // Order of inserted records sharing an insertion point, so the output is deterministic.
    private static final Comparator<Insert> INSERT_ORDER =
        Comparator.comparingInt((Insert i) -> i.afterBaseIndex)
            .thenComparing(i -> i.kind)
            .thenComparingInt(i -> i.tieBreak);

    private final Builder config;
    private final long windowMillis;
    private final long boundMillis;
    private final long latenessMillis;

    Assembler(Builder config) {
      this.config = config;
      this.windowMillis = config.windowSize.toMillis();
      this.boundMillis = config.outOfOrderness.toMillis();
      this.latenessMillis = config.allowedLateness.toMillis();
    }

    /** A record placed after the on-time record at {@code afterBaseIndex}. */
    private record Insert(int afterBaseIndex, Kind kind, int tieBreak, ScenarioRecord record) {}

    List<ScenarioRecord> assemble() {
      List<SurveyResponse> sorted = new ArrayList<>(config.events);
      // Stable: equal event times keep the caller's order.
      sorted.sort(Comparator.comparing(SurveyResponse::getEventTime));
      int n = sorted.size();
      long[] time = new long[n];
      for (int i = 0; i < n; i++) {
        time[i] = sorted.get(i).getEventTime().toEpochMilli();
      }
      long latest = time[n - 1];

      // Three draws per response whatever its role, so one choice never shifts another.
      DeterministicRandom random = new DeterministicRandom(config.seed);
      long[] delay = new long[n];
      double[] roleDraw = new double[n];
      double[] placeDraw = new double[n];
      for (int i = 0; i < n; i++) {
        delay[i] = random.nextLongInclusive(boundMillis);
        roleDraw[i] = random.nextDouble();
        placeDraw[i] = random.nextDouble();
      }

      // The latest response always stays on time, so the stream's final position is `latest`
      // and every held-back record whose earliest place is not after it can be placed.
      Kind[] role = new Kind[n];
      Arrays.fill(role, Kind.ON_TIME);
      chooseTooLate(time, latest, role);
      boolean[] duplicated = new boolean[n];
      for (int i = 0; i < n; i++) {
        if (role[i] != Kind.ON_TIME) {
          continue;
        }
        if (roleDraw[i] < config.lateFraction) {
          // Near the end of the stream there is no place late enough; such responses stay on time.
          if (i < n - 1 && lateEarliest(time[i]) <= latest) {
            role[i] = Kind.LATE;
          }
        } else if (roleDraw[i] < config.lateFraction + config.duplicateFraction) {
          duplicated[i] = true;
        }
      }

      // Bounded disorder: order by event time plus a delay of at most the bound. A record
      // emitted after another with a later event time can only be behind by delay difference.
      List<Integer> base = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (role[i] == Kind.ON_TIME) {
          base.add(i);
        }
      }
      base.sort(
          Comparator.comparingLong((Integer i) -> time[i] + delay[i]).thenComparingInt(i -> i));
      int baseCount = base.size();
      long[] position = new long[baseCount];
      int[] baseIndexOf = new int[n];
      long running = Long.MIN_VALUE;
      for (int k = 0; k < baseCount; k++) {
        int i = base.get(k);
        running = Math.max(running, time[i]);
        position[k] = running;
        baseIndexOf[i] = k;
      }

      byte[][] encoded = new byte[n][];
      List<Insert> inserts = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (role[i] == Kind.LATE) {
          inserts.add(placeLate(i, sorted.get(i), time[i], placeDraw[i], position, encoded));
        } else if (role[i] == Kind.TOO_LATE) {
          inserts.add(placeTooLate(i, sorted.get(i), time[i], placeDraw[i], position, encoded));
        } else if (duplicated[i]) {
          inserts.add(
              placeDuplicate(
                  i, sorted.get(i), time[i], placeDraw[i], baseIndexOf[i], position, encoded));
        }
      }
      if (config.badRecords) {
        placeBadRecords(sorted, base, position, inserts);
      }
      inserts.sort(INSERT_ORDER);

      List<ScenarioRecord> records = new ArrayList<>(n + inserts.size());
      int next = 0;
      for (int k = 0; k < baseCount; k++) {
        int i = base.get(k);
        SurveyResponse event = sorted.get(i);
        records.add(
            new ScenarioRecord(
                encoded(i, event, encoded),
                event.getResponseId(),
                event.getEventTime(),
                Kind.ON_TIME,
                Fate.COUNTED,
                event,
                Instant.ofEpochMilli(position[k]),
                null,
                "on-time"));
        while (next < inserts.size() && inserts.get(next).afterBaseIndex == k) {
          records.add(inserts.get(next++).record);
        }
      }
      return records;
    }

    private void chooseTooLate(long[] time, long latest, Kind[] role) {
      if (config.tooLateCount == 0) {
        return;
      }
      List<Integer> eligible = new ArrayList<>();
      for (int i = 0; i < time.length - 1; i++) {
        if (tooLateEarliest(time[i]) <= latest) {
          eligible.add(i);
        }
      }
      if (eligible.size() < config.tooLateCount) {
        throw new IllegalArgumentException(
            "the events span too little event time for "
                + config.tooLateCount
                + " TOO_LATE records: each needs the stream to go on for windowSize + "
                + "allowedLateness + outOfOrderness + tooLateMargin ("
                + config
                    .windowSize
                    .plus(config.allowedLateness)
                    .plus(config.outOfOrderness)
                    .plus(config.tooLateMargin)
                + ") after it; generate more events or set tooLateCount(0)");
      }
      // Evenly spread over the eligible part of the stream, not bunched at its start.
      int count = config.tooLateCount;
      for (int k = 0; k < count; k++) {
        role[eligible.get((int) ((2L * k + 1) * eligible.size() / (2L * count)))] = Kind.TOO_LATE;
      }
    }

    private long windowEndOf(long eventTime) {
      return eventTime - Math.floorMod(eventTime, windowMillis) + windowMillis;
    }

    private long lateEarliest(long eventTime) {
      return windowEndOf(eventTime) + boundMillis + config.lateMinMargin.toMillis();
    }

    /** The latest position at which a record cannot be too late, with the safety margin. */
    private long countedLatest(long eventTime) {
      return windowEndOf(eventTime) + latenessMillis - config.lateMaxMargin.toMillis();
    }

    private long tooLateEarliest(long eventTime) {
      return windowEndOf(eventTime)
          + latenessMillis
          + boundMillis
          + config.tooLateMargin.toMillis();
    }

    private Insert placeLate(
        int i, SurveyResponse event, long eventTime, double draw, long[] position, byte[][] enc) {
      long earliest = lateEarliest(eventTime);
      long latestAllowed = countedLatest(eventTime);
      long last = position[position.length - 1];
      long target = earliest + (long) (draw * (Math.min(latestAllowed, last) - earliest));
      int k = firstAtOrAfter(position, 0, target);
      if (k < 0 || position[k] > latestAllowed) {
        k = lastAtOrBefore(position, latestAllowed);
      }
      if (k < 0 || position[k] < earliest || position[k] > latestAllowed) {
        throw new IllegalStateException(
            "no place for LATE event "
                + event.getEventId()
                + " between "
                + Instant.ofEpochMilli(earliest)
                + " and "
                + Instant.ofEpochMilli(latestAllowed)
                + ": the stream is too sparse; raise the rate or set lateFraction(0)");
      }
      return new Insert(
          k,
          Kind.LATE,
          i,
          timedRecord(i, event, enc, Kind.LATE, Fate.COUNTED, position[k], null, "late"));
    }

    private Insert placeTooLate(
        int i, SurveyResponse event, long eventTime, double draw, long[] position, byte[][] enc) {
      long earliest = tooLateEarliest(eventTime);
      long last = position[position.length - 1];
      // A little spread past the earliest place, so the records do not all sit on the bound.
      long target = Math.min(last, earliest + (long) (draw * windowMillis));
      int k = firstAtOrAfter(position, 0, target);
      long required = windowEndOf(eventTime) - 1 + latenessMillis;
      return new Insert(
          k,
          Kind.TOO_LATE,
          i,
          timedRecord(
              i,
              event,
              enc,
              Kind.TOO_LATE,
              Fate.deadLettered(RejectReason.TOO_LATE),
              position[k],
              Instant.ofEpochMilli(required),
              "too-late"));
    }

    private Insert placeDuplicate(
        int i,
        SurveyResponse event,
        long eventTime,
        double draw,
        int originalIndex,
        long[] position,
        byte[][] enc) {
      long latestAllowed = countedLatest(eventTime);
      long target = position[originalIndex] + (long) (draw * config.maxDuplicateDelay.toMillis());
      // The last place not past the target, so the delay bound is exact; never before the
      // original, whose own place is within both bounds (target by definition, latestAllowed by
      // the validated margins).
      int k = Math.max(originalIndex, lastAtOrBefore(position, Math.min(target, latestAllowed)));
      return new Insert(
          k,
          Kind.DUPLICATE,
          i,
          timedRecord(
              i,
              event,
              enc,
              Kind.DUPLICATE,
              Fate.deadLettered(RejectReason.DUPLICATE),
              position[k],
              null,
              "duplicate"));
    }

    private void placeBadRecords(
        List<SurveyResponse> sorted, List<Integer> base, long[] position, List<Insert> inserts) {
      // The template only lends plausible field values; the bad records get their own ids.
      SurveyResponse template = sorted.get(base.get(0));
      List<BadRecord> bad = BadRecords.allVariants(template, config.referenceTime);
      int baseCount = position.length;
      for (int b = 0; b < bad.size(); b++) {
        int k = Math.max(0, (int) ((long) (b + 1) * baseCount / (bad.size() + 1)) - 1);
        BadRecord record = bad.get(b);
        inserts.add(
            new Insert(
                k,
                Kind.BAD,
                b,
                new ScenarioRecord(
                    record.value(),
                    record.key(),
                    Instant.ofEpochMilli(position[k]),
                    Kind.BAD,
                    Fate.deadLettered(record.reason()),
                    record.decoded().orElse(null),
                    Instant.ofEpochMilli(position[k]),
                    null,
                    "bad:" + record.label())));
      }
    }

    private ScenarioRecord timedRecord(
        int i,
        SurveyResponse event,
        byte[][] enc,
        Kind kind,
        Fate fate,
        long position,
        Instant requiredWatermark,
        String label) {
      return new ScenarioRecord(
          encoded(i, event, enc),
          event.getResponseId(),
          event.getEventTime(),
          kind,
          fate,
          event,
          Instant.ofEpochMilli(position),
          requiredWatermark,
          label);
    }

    /** Encodes each response once, so a duplicate is the very same bytes as its original. */
    private static byte[] encoded(int i, SurveyResponse event, byte[][] cache) {
      if (cache[i] == null) {
        cache[i] = BadRecords.encode(event);
      }
      return cache[i];
    }

    /** First index ≥ from with position ≥ target, or −1; positions never decrease. */
    private static int firstAtOrAfter(long[] position, int from, long target) {
      int low = from;
      int high = position.length;
      while (low < high) {
        int mid = (low + high) >>> 1;
        if (position[mid] < target) {
          low = mid + 1;
        } else {
          high = mid;
        }
      }
      return low < position.length ? low : -1;
    }

    /** Last index with position ≤ limit, or −1. */
    private static int lastAtOrBefore(long[] position, long limit) {
      int low = 0;
      int high = position.length;
      while (low < high) {
        int mid = (low + high) >>> 1;
        if (position[mid] <= limit) {
          low = mid + 1;
        } else {
          high = mid;
        }
      }
      return low - 1;
    }
  }
}
