package io.cxpulse.jobs.generator;

import io.cxpulse.events.CheckoutEvent;
import io.cxpulse.events.FunnelStep;
import io.cxpulse.jobs.checkout.CheckoutJobOptions;
import io.cxpulse.jobs.generator.CheckoutBadRecords.BadCheckoutRecord;
import io.cxpulse.jobs.generator.SurveyScenario.Fate;
import io.cxpulse.jobs.pipeline.EagerBoundedOutOfOrderness;
import io.cxpulse.jobs.pipeline.EventTimeOptions;
import io.cxpulse.jobs.validation.RejectReason;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
 * The exact sequence of Kafka records an end-to-end test produces to the checkout topic, built from
 * whole generated checkouts ({@link CheckoutTrafficGenerator}), with the fate of every record known
 * in advance and the truth of every checkout the pipeline must count ({@link #countedCheckouts()}).
 *
 * <p>Why: the pipeline's promises are "in = counted + dead-lettered, per reason" and "the rows are
 * right whatever the arrival order". A test can check both only against an expectation computed
 * without the pipeline, so the stream contains every kind of trouble at places where the outcome is
 * certain, and the expected checkouts come from what the generator recorded while it made them up
 * ({@link CheckoutTruth}), not from the job's session rule.
 *
 * <h2>What the stream contains</h2>
 *
 * <ul>
 *   <li><b>ON_TIME</b> (counted): events in bounded-disorder order: each is delayed by a random
 *       0..{@code outOfOrderness} and the stream is ordered by event time plus delay, so a record
 *       is never more than the bound behind the largest event time before it. Steps of one checkout
 *       a few seconds apart therefore sometimes arrive swapped (payment before shipping).
 *   <li><b>LATE</b> (counted): a {@code lateFraction} of events held back until the stream is past
 *       their window's end, but not past its allowed lateness: they correct outcomes already
 *       emitted (a later start, a higher step, a different cart value) or join a checkout still
 *       open.
 *   <li><b>LATE_ORDER</b> (counted): for a {@code lateOrderFraction} of completed checkouts, the
 *       ORDER_PLACED event is held back until the stream is past the previous event + the
 *       inactivity timeout, so the job has already counted the checkout as abandoned when the order
 *       arrives, and must correct the row with a newer version. The checkout's other events stay on
 *       time.
 *   <li><b>DUPLICATE</b>: a {@code duplicateFraction} of on-time events are sent again,
 *       byte-identical, up to {@code maxDuplicateDelay} later; the second copy is dead-lettered.
 *   <li><b>TOO_LATE</b>: {@code tooLateCheckouts} whole checkouts (default 3) whose every event is
 *       held back until the stream is far past that event's window end plus the allowed lateness;
 *       each is dead-lettered and the checkout is not in {@link #countedCheckouts()}.
 *   <li><b>BAD</b>: every variant of {@link CheckoutBadRecords#allVariants}, spread evenly.
 * </ul>
 *
 * <h2>Timing assumptions</h2>
 *
 * The job is assumed to be {@code CheckoutJob}: watermarks from {@link EagerBoundedOutOfOrderness}
 * (bound {@code outOfOrderness}, step {@code watermarkStep}) on the event_time of validated
 * records, so the watermark when a record is read is at least (largest event_time read so far) −
 * outOfOrderness − step − 1 ms and at most that plus step; the lateness gate of {@code
 * DedupAndLatenessFunction} with tumbling windows of {@code windowSize} and {@code
 * allowedLateness}; sessions with {@code inactivityTimeout} that keep a checkout's events for the
 * allowed lateness after its decision. With P the <em>stream position</em> of a record (largest
 * event_time of the records up to it) and E the end of its event's window:
 *
 * <ul>
 *   <li>LATE: E + outOfOrderness + {@code lateMinMargin} ≤ P ≤ E + allowedLateness − {@code
 *       lateMaxMargin}; {@code lateMaxMargin} ≥ windowSize also keeps P before the checkout's state
 *       is cleared (decision + allowed lateness), so the late event is never a new session.
 *   <li>LATE_ORDER: as LATE, and also P ≥ previous event + inactivityTimeout + outOfOrderness +
 *       watermarkStep + {@code lateMinMargin}, so the abandonment timer has fired.
 *   <li>DUPLICATE: P ≤ E + allowedLateness − lateMaxMargin: only DUPLICATE can be its reason.
 *   <li>TOO_LATE: P ≥ E + allowedLateness + outOfOrderness + watermarkStep + {@code tooLateMargin}.
 *   <li>BAD: rejected by the decoder or validator; the FUTURE_EVENT_TIME record's event time is
 *       {@link BadRecords#FUTURE_LEAD} after the reference time and its Kafka timestamp is its
 *       stream position, so it is in the future for the validator whatever the wall clock.
 * </ul>
 *
 * Inserted records never raise the stream position. Produce every record to <b>one partition</b>,
 * in {@link #records()} order (as for {@link SurveyScenario}), each with its {@link
 * ScenarioRecord#timestamp()}. At the end of a bounded run the job's final watermark decides every
 * checkout still open; the generated checkouts are whole, so that is their true outcome.
 *
 * <p>The same seed and parameters give the same records; only the FUTURE_EVENT_TIME record depends
 * on the reference time.
 */
public final class CheckoutScenario {

  /** How the scenario placed a record. */
  public enum Kind {
    /** In bounded-disorder order; counted. */
    ON_TIME,
    /** After its window's end, within its allowed lateness; counted. */
    LATE,
    /** An order after its checkout's abandonment timer fired, within the lateness; counted. */
    LATE_ORDER,
    /** A byte-identical second copy of an on-time record; dead-lettered as DUPLICATE. */
    DUPLICATE,
    /** After its window's end plus allowed lateness; dead-lettered as TOO_LATE. */
    TOO_LATE,
    /** From {@link CheckoutBadRecords}; dead-lettered by the decoder or validator. */
    BAD
  }

  private final Builder config;
  private final List<GeneratedCheckout> checkouts;
  private final List<CheckoutTruth> counted;
  private final List<ScenarioRecord> records;
  private final int lateOrders;

  private CheckoutScenario(
      Builder config,
      List<GeneratedCheckout> checkouts,
      List<CheckoutTruth> counted,
      List<ScenarioRecord> records,
      int lateOrders) {
    this.config = config;
    this.checkouts = Collections.unmodifiableList(checkouts);
    this.counted = Collections.unmodifiableList(counted);
    this.records = Collections.unmodifiableList(records);
    this.lateOrders = lateOrders;
  }

  /**
   * A builder for a scenario of generated traffic.
   *
   * @param seed everything follows from it
   * @param trafficStart event time the first checkout starts at or after; see {@link #startFor}
   * @param referenceTime the earliest time at which the job will read the records (the wall clock
   *     when the test starts); every generated event must lie before it
   */
  public static Builder builder(long seed, Instant trafficStart, Instant referenceTime) {
    return new Builder(seed, trafficStart, referenceTime);
  }

  /**
   * A traffic start that puts about {@code events} events at {@code checkoutsPerSecond} well before
   * {@code referenceTime} (at least an hour), on a whole hour.
   */
  public static Instant startFor(Instant referenceTime, int events, double checkoutsPerSecond) {
    // Fewer than three events per checkout on average would be a very different funnel.
    long seconds = (long) (events / 3.0 / checkoutsPerSecond);
    return referenceTime
        .minusSeconds(seconds)
        .minus(Duration.ofHours(2))
        .truncatedTo(ChronoUnit.HOURS);
  }

  /** Every record to produce, in production order. */
  public List<ScenarioRecord> records() {
    return records;
  }

  /** Every generated checkout, counted or not, in order of start. */
  public List<GeneratedCheckout> checkouts() {
    return checkouts;
  }

  /**
   * The truth of every checkout the job must count: all but the TOO_LATE ones, in order of start.
   * The expected window rows are sums over these.
   */
  public List<CheckoutTruth> countedCheckouts() {
    return counted;
  }

  /**
   * Checkouts whose order arrives after the job counted them abandoned (LATE_ORDER records): each
   * is corrected once by retract + add, so at least this many corrections happen.
   */
  public int lateOrders() {
    return lateOrders;
  }

  /** How many records end in each fate, in order of first appearance. */
  public Map<Fate, Long> fateCounts() {
    Map<Fate, Long> counts = new LinkedHashMap<>();
    records.forEach(r -> counts.merge(r.fate(), 1L, Long::sum));
    return counts;
  }

  /** How many records of each kind. */
  public Map<Kind, Long> kindCounts() {
    Map<Kind, Long> counts = new LinkedHashMap<>();
    for (Kind kind : Kind.values()) {
      counts.put(kind, 0L);
    }
    records.forEach(r -> counts.merge(r.kind(), 1L, Long::sum));
    return counts;
  }

  /** The events that must be counted, each once, in production order. */
  public List<CheckoutEvent> countedEvents() {
    return records.stream()
        .filter(r -> r.fate().isCounted())
        .map(r -> r.event().orElseThrow())
        .toList();
  }

  public Duration windowSize() {
    return config.windowSize;
  }

  public Duration outOfOrderness() {
    return config.outOfOrderness;
  }

  public Duration allowedLateness() {
    return config.allowedLateness;
  }

  public Duration inactivityTimeout() {
    return config.inactivityTimeout;
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
    private final CheckoutEvent event;
    private final Instant streamPosition;
    private final String label;

    private ScenarioRecord(
        byte[] value,
        String key,
        Instant timestamp,
        Kind kind,
        Fate fate,
        CheckoutEvent event,
        Instant streamPosition,
        String label) {
      this.value = value;
      this.key = key;
      this.timestamp = timestamp;
      this.kind = kind;
      this.fate = fate;
      this.event = event;
      this.streamPosition = streamPosition;
      this.label = label;
    }

    /** The Kafka value, a fresh copy. */
    public byte[] value() {
      return value.clone();
    }

    /** The Kafka key a real producer would use: the checkout_id. */
    public String key() {
      return key;
    }

    /** The Kafka timestamp: event_time for decodable events, the stream position for bad ones. */
    public Instant timestamp() {
      return timestamp;
    }

    public Kind kind() {
      return kind;
    }

    public Fate fate() {
      return fate;
    }

    /** The event the value decodes to; empty for values that do not decode. */
    public Optional<CheckoutEvent> event() {
      return Optional.ofNullable(event);
    }

    /** The largest event_time among the ON_TIME records up to and including this one. */
    public Instant streamPosition() {
      return streamPosition;
    }

    /** A short description, e.g. {@code on-time}, {@code late-order} or {@code bad:truncated}. */
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
          + (event == null ? "" : ", event_time=" + event.getEventTime() + " " + event.getStep())
          + "}";
    }
  }

  /** Configures a {@link CheckoutScenario}; every parameter has a documented default. */
  public static final class Builder {

    private final long seed;
    private final Instant trafficStart;
    private final Instant referenceTime;
    private int events = 50_000;
    private double checkoutsPerSecond = 1.5;
    private double hotShare;
    private final List<CheckoutIncident> incidents = new ArrayList<>();
    private Duration windowSize = EventTimeOptions.DEFAULT_WINDOW;
    private Duration outOfOrderness = EventTimeOptions.DEFAULT_OUT_OF_ORDERNESS;
    private Duration allowedLateness = EventTimeOptions.DEFAULT_ALLOWED_LATENESS;
    private Duration inactivityTimeout = CheckoutJobOptions.DEFAULT_INACTIVITY_TIMEOUT;
    private Duration watermarkStep = EagerBoundedOutOfOrderness.DEFAULT_STEP;
    private double lateFraction = 0.01;
    private double lateOrderFraction = 0.02;
    private double duplicateFraction = 0.01;
    private int tooLateCheckouts = 3;
    private boolean badRecords = true;
    private Duration lateMinMargin = Duration.ofMinutes(1);
    private Duration lateMaxMargin = Duration.ofMinutes(5);
    private Duration tooLateMargin = Duration.ofMinutes(5);
    private Duration maxDuplicateDelay = Duration.ofMinutes(2);

    private Builder(long seed, Instant trafficStart, Instant referenceTime) {
      this.seed = seed;
      this.trafficStart = Objects.requireNonNull(trafficStart, "trafficStart");
      this.referenceTime = Objects.requireNonNull(referenceTime, "referenceTime");
    }

    /** At least this many events, in whole checkouts; default 50,000. */
    public Builder events(int events) {
      this.events = events;
      return this;
    }

    /** Checkouts starting per second of event time; default 1.5 (about 5.5 events a second). */
    public Builder checkoutsPerSecond(double rate) {
      this.checkoutsPerSecond = rate;
      return this;
    }

    /**
     * Share of checkouts on one channel × segment (web × returning), see {@link
     * CheckoutTrafficGenerator.Builder#hotShare}; default 0 (the plain mixes).
     */
    public Builder hotShare(double share) {
      this.hotShare = share;
      return this;
    }

    /** Adds a scripted payment outage to the traffic. */
    public Builder incident(CheckoutIncident incident) {
      incidents.add(Objects.requireNonNull(incident, "incident"));
      return this;
    }

    /** The job's window of checkout start (and of the lateness gate); default the job's. */
    public Builder windowSize(Duration value) {
      this.windowSize = value;
      return this;
    }

    /**
     * The job's watermark out-of-orderness bound and the stream's disorder bound; default the
     * job's.
     */
    public Builder outOfOrderness(Duration value) {
      this.outOfOrderness = value;
      return this;
    }

    /** The job's allowed lateness; default the job's. */
    public Builder allowedLateness(Duration value) {
      this.allowedLateness = value;
      return this;
    }

    /** The job's inactivity timeout; default the job's. */
    public Builder inactivityTimeout(Duration value) {
      this.inactivityTimeout = value;
      return this;
    }

    /** The job's watermark step ({@link EagerBoundedOutOfOrderness}); default 1 s. */
    public Builder watermarkStep(Duration value) {
      this.watermarkStep = value;
      return this;
    }

    /** Share of events sent LATE; default 0.01. */
    public Builder lateFraction(double value) {
      this.lateFraction = value;
      return this;
    }

    /** Share of completed checkouts whose order arrives after the timer; default 0.02. */
    public Builder lateOrderFraction(double value) {
      this.lateOrderFraction = value;
      return this;
    }

    /** Share of events sent twice; default 0.01. */
    public Builder duplicateFraction(double value) {
      this.duplicateFraction = value;
      return this;
    }

    /** Number of whole checkouts sent TOO_LATE; default 3. */
    public Builder tooLateCheckouts(int value) {
      this.tooLateCheckouts = value;
      return this;
    }

    /** Whether to include the {@link CheckoutBadRecords}; default true. */
    public Builder badRecords(boolean include) {
      this.badRecords = include;
      return this;
    }

    /** How far past window end + out-of-orderness a LATE record comes at least; default 1 min. */
    public Builder lateMinMargin(Duration value) {
      this.lateMinMargin = value;
      return this;
    }

    /**
     * How far before window end + allowed lateness a LATE or DUPLICATE record comes at the latest;
     * default 5 min, at least the window size.
     */
    public Builder lateMaxMargin(Duration value) {
      this.lateMaxMargin = value;
      return this;
    }

    /** How far past the too-late bound a TOO_LATE record comes at least; default 5 min. */
    public Builder tooLateMargin(Duration value) {
      this.tooLateMargin = value;
      return this;
    }

    /** How much further the stream has moved when a duplicate is re-sent, at most; 2 min. */
    public Builder maxDuplicateDelay(Duration value) {
      this.maxDuplicateDelay = value;
      return this;
    }

    /**
     * Generates the traffic and builds the scenario.
     *
     * @throws IllegalArgumentException if the parameters contradict each other, or the traffic
     *     cannot hold what was asked (too short for TOO_LATE checkouts, events not before the
     *     reference time)
     */
    public CheckoutScenario build() {
      validate();
      CheckoutTrafficGenerator.Builder generator =
          CheckoutTrafficGenerator.builder(seed, trafficStart, checkoutsPerSecond)
              .hotShare(hotShare);
      incidents.forEach(generator::incident);
      CheckoutTrafficGenerator traffic = generator.build();
      List<GeneratedCheckout> checkouts = new ArrayList<>();
      int total = 0;
      while (total < events) {
        GeneratedCheckout checkout = traffic.nextCheckout();
        checkouts.add(checkout);
        total += checkout.events().size();
      }
      Instant latest =
          checkouts.stream()
              .map(c -> c.truth().lastEventTime())
              .max(Comparator.naturalOrder())
              .orElseThrow();
      if (!latest.isBefore(referenceTime)) {
        throw new IllegalArgumentException(
            "the latest event time "
                + latest
                + " is not before the reference time "
                + referenceTime
                + "; start the traffic earlier (see startFor)");
      }
      return new Assembler(this, checkouts).assemble();
    }

    private void validate() {
      requirePositive("windowSize", windowSize);
      requireNotNegative("outOfOrderness", outOfOrderness);
      requireNotNegative("allowedLateness", allowedLateness);
      requirePositive("inactivityTimeout", inactivityTimeout);
      requirePositive("watermarkStep", watermarkStep);
      requireNotNegative("lateMinMargin", lateMinMargin);
      requireNotNegative("tooLateMargin", tooLateMargin);
      requireNotNegative("maxDuplicateDelay", maxDuplicateDelay);
      if (events < 1) {
        throw new IllegalArgumentException("events must be positive: " + events);
      }
      if (lateMaxMargin.compareTo(windowSize) < 0) {
        throw new IllegalArgumentException(
            "lateMaxMargin "
                + lateMaxMargin
                + " must be at least the window size "
                + windowSize
                + ", or a late event could reach a checkout whose state was already cleared");
      }
      for (double fraction : new double[] {lateFraction, lateOrderFraction, duplicateFraction}) {
        if (!(fraction >= 0 && fraction <= 1)) {
          throw new IllegalArgumentException("fractions must be in [0, 1]: " + fraction);
        }
      }
      if (lateFraction + duplicateFraction > 1) {
        throw new IllegalArgumentException("late + duplicate fractions exceed 1");
      }
      if ((lateFraction > 0 || lateOrderFraction > 0)
          && allowedLateness.compareTo(outOfOrderness.plus(lateMinMargin).plus(lateMaxMargin))
              < 0) {
        throw new IllegalArgumentException(
            "LATE records need allowedLateness ≥ outOfOrderness + lateMinMargin + lateMaxMargin ("
                + outOfOrderness.plus(lateMinMargin).plus(lateMaxMargin)
                + "), got "
                + allowedLateness);
      }
      if (duplicateFraction > 0
          && allowedLateness.compareTo(outOfOrderness.plus(lateMaxMargin)) <= 0) {
        throw new IllegalArgumentException(
            "DUPLICATE records need allowedLateness > outOfOrderness + lateMaxMargin");
      }
      if (tooLateCheckouts < 0) {
        throw new IllegalArgumentException("negative tooLateCheckouts: " + tooLateCheckouts);
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

    private static final Comparator<Insert> INSERT_ORDER =
        Comparator.comparingInt((Insert i) -> i.afterBaseIndex)
            .thenComparing(i -> i.kind)
            .thenComparingInt(i -> i.tieBreak);

    private final Builder config;
    private final List<GeneratedCheckout> checkouts;
    private final long windowMillis;
    private final long boundMillis;
    private final long latenessMillis;

    /** A record placed after the on-time record at {@code afterBaseIndex}. */
    private record Insert(int afterBaseIndex, Kind kind, int tieBreak, ScenarioRecord record) {}

    Assembler(Builder config, List<GeneratedCheckout> checkouts) {
      this.config = config;
      this.checkouts = checkouts;
      this.windowMillis = config.windowSize.toMillis();
      this.boundMillis = config.outOfOrderness.toMillis();
      this.latenessMillis = config.allowedLateness.toMillis();
    }

    CheckoutScenario assemble() {
      // Flatten: event i belongs to checkout owner[i]; events sorted by time (stable).
      List<CheckoutEvent> events = new ArrayList<>();
      List<Integer> ownerList = new ArrayList<>();
      for (int c = 0; c < checkouts.size(); c++) {
        for (CheckoutEvent event : checkouts.get(c).events()) {
          events.add(event);
          ownerList.add(c);
        }
      }
      Integer[] order = new Integer[events.size()];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      Arrays.sort(order, Comparator.comparing(i -> events.get(i).getEventTime()));
      int n = events.size();
      CheckoutEvent[] event = new CheckoutEvent[n];
      int[] owner = new int[n];
      long[] time = new long[n];
      for (int k = 0; k < n; k++) {
        event[k] = events.get(order[k]);
        owner[k] = ownerList.get(order[k]);
        time[k] = event[k].getEventTime().toEpochMilli();
      }
      long latest = time[n - 1];

      // Draws: three per event and one per checkout, whatever the roles.
      DeterministicRandom random = new DeterministicRandom(config.seed ^ 0x5ca1ab1eL);
      long[] delay = new long[n];
      double[] roleDraw = new double[n];
      double[] placeDraw = new double[n];
      for (int i = 0; i < n; i++) {
        delay[i] = random.nextLongInclusive(boundMillis);
        roleDraw[i] = random.nextDouble();
        placeDraw[i] = random.nextDouble();
      }
      double[] checkoutDraw = new double[checkouts.size()];
      for (int c = 0; c < checkouts.size(); c++) {
        checkoutDraw[c] = random.nextDouble();
      }

      // Checkout roles: too late (whole), late order, or plain.
      boolean[] tooLate = chooseTooLate(latest);
      boolean[] lateOrder = new boolean[checkouts.size()];
      for (int c = 0; c < checkouts.size(); c++) {
        GeneratedCheckout checkout = checkouts.get(c);
        if (!tooLate[c]
            && checkout.truth().completed()
            && checkoutDraw[c] < config.lateOrderFraction
            && lateOrderWindow(checkout, latest) != null) {
          lateOrder[c] = true;
        }
      }

      Kind[] role = new Kind[n];
      boolean[] duplicated = new boolean[n];
      for (int i = 0; i < n; i++) {
        int c = owner[i];
        if (tooLate[c]) {
          role[i] = Kind.TOO_LATE;
        } else if (lateOrder[c]) {
          role[i] = event[i].getStep() == FunnelStep.ORDER_PLACED ? Kind.LATE_ORDER : Kind.ON_TIME;
        } else if (i < n - 1
            && roleDraw[i] < config.lateFraction
            && lateEarliest(time[i]) <= Math.min(latest, countedLatest(time[i]))) {
          role[i] = Kind.LATE;
        } else {
          role[i] = Kind.ON_TIME;
        }
        if (role[i] == Kind.ON_TIME
            && roleDraw[i] >= config.lateFraction
            && roleDraw[i] < config.lateFraction + config.duplicateFraction) {
          duplicated[i] = true;
        }
      }
      // The latest event stays on time, so the stream ends at `latest`.
      if (role[n - 1] != Kind.ON_TIME) {
        throw new IllegalStateException("the last event must stay on time");
      }

      // Bounded disorder for the on-time events.
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
      int lateOrders = 0;
      for (int i = 0; i < n; i++) {
        switch (role[i]) {
          case LATE -> {
            long earliest = lateEarliest(time[i]);
            long latestAllowed = countedLatest(time[i]);
            inserts.add(
                placeBetween(
                    i,
                    event[i],
                    earliest,
                    latestAllowed,
                    placeDraw[i],
                    position,
                    Kind.LATE,
                    encoded));
          }
          case LATE_ORDER -> {
            long[] window = lateOrderWindow(checkouts.get(owner[i]), latest);
            inserts.add(
                placeBetween(
                    i,
                    event[i],
                    window[0],
                    window[1],
                    placeDraw[i],
                    position,
                    Kind.LATE_ORDER,
                    encoded));
            lateOrders++;
          }
          default -> {}
        }
        if (duplicated[i]) {
          long latestAllowed = countedLatest(time[i]);
          long target =
              position[baseIndexOf[i]]
                  + (long) (placeDraw[i] * config.maxDuplicateDelay.toMillis());
          int k =
              Math.max(baseIndexOf[i], lastAtOrBefore(position, Math.min(target, latestAllowed)));
          inserts.add(
              new Insert(
                  k,
                  Kind.DUPLICATE,
                  i,
                  record(
                      i,
                      event[i],
                      encoded,
                      Kind.DUPLICATE,
                      Fate.deadLettered(RejectReason.DUPLICATE),
                      position[k],
                      "duplicate")));
        }
      }
      placeTooLate(tooLate, position, encoded, inserts);
      if (config.badRecords) {
        placeBadRecords(event[base.get(0)], position, inserts);
      }
      inserts.sort(INSERT_ORDER);

      List<ScenarioRecord> records = new ArrayList<>(n + inserts.size());
      int next = 0;
      for (int k = 0; k < baseCount; k++) {
        int i = base.get(k);
        records.add(
            record(i, event[i], encoded, Kind.ON_TIME, Fate.COUNTED, position[k], "on-time"));
        while (next < inserts.size() && inserts.get(next).afterBaseIndex == k) {
          records.add(inserts.get(next++).record);
        }
      }
      List<CheckoutTruth> counted = new ArrayList<>();
      for (int c = 0; c < checkouts.size(); c++) {
        if (!tooLate[c]) {
          counted.add(checkouts.get(c).truth());
        }
      }
      return new CheckoutScenario(config, checkouts, counted, records, lateOrders);
    }

    /** Chooses the TOO_LATE checkouts, evenly over those with room after them. */
    private boolean[] chooseTooLate(long latest) {
      boolean[] tooLate = new boolean[checkouts.size()];
      if (config.tooLateCheckouts == 0) {
        return tooLate;
      }
      List<Integer> eligible = new ArrayList<>();
      for (int c = 0; c < checkouts.size() - 1; c++) {
        if (tooLateEarliest(checkouts.get(c)) + windowMillis <= latest) {
          eligible.add(c);
        }
      }
      if (eligible.size() < config.tooLateCheckouts) {
        throw new IllegalArgumentException(
            "the traffic spans too little event time for "
                + config.tooLateCheckouts
                + " TOO_LATE checkouts: each needs the stream to go on for windowSize +"
                + " allowedLateness + outOfOrderness + watermarkStep + tooLateMargin after it;"
                + " generate more events or set tooLateCheckouts(0)");
      }
      int count = config.tooLateCheckouts;
      for (int k = 0; k < count; k++) {
        tooLate[eligible.get((int) ((2L * k + 1) * eligible.size() / (2L * count)))] = true;
      }
      return tooLate;
    }

    /** Places the events of each TOO_LATE checkout together, in their order, past every bound. */
    private void placeTooLate(
        boolean[] tooLate, long[] position, byte[][] encoded, List<Insert> inserts) {
      for (int c = 0; c < checkouts.size(); c++) {
        if (!tooLate[c]) {
          continue;
        }
        GeneratedCheckout checkout = checkouts.get(c);
        int k = firstAtOrAfter(position, tooLateEarliest(checkout));
        List<CheckoutEvent> events = checkout.events();
        for (int e = 0; e < events.size(); e++) {
          CheckoutEvent event = events.get(e);
          inserts.add(
              new Insert(
                  k,
                  Kind.TOO_LATE,
                  c * 64 + e,
                  new ScenarioRecord(
                      BadRecords.encode(event),
                      event.getCheckoutId(),
                      event.getEventTime(),
                      Kind.TOO_LATE,
                      Fate.deadLettered(RejectReason.TOO_LATE),
                      event,
                      Instant.ofEpochMilli(position[k]),
                      "too-late")));
        }
      }
    }

    private void placeBadRecords(CheckoutEvent template, long[] position, List<Insert> inserts) {
      List<BadCheckoutRecord> bad = CheckoutBadRecords.allVariants(template, config.referenceTime);
      int baseCount = position.length;
      for (int b = 0; b < bad.size(); b++) {
        int k = Math.max(0, (int) ((long) (b + 1) * baseCount / (bad.size() + 1)) - 1);
        BadCheckoutRecord record = bad.get(b);
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
                    "bad:" + record.label())));
      }
    }

    private Insert placeBetween(
        int i,
        CheckoutEvent event,
        long earliest,
        long latestAllowed,
        double draw,
        long[] position,
        Kind kind,
        byte[][] encoded) {
      long last = position[position.length - 1];
      long target = earliest + (long) (draw * (Math.min(latestAllowed, last) - earliest));
      int k = firstAtOrAfter(position, target);
      if (k < 0 || position[k] > latestAllowed) {
        k = lastAtOrBefore(position, latestAllowed);
      }
      if (k < 0 || position[k] < earliest || position[k] > latestAllowed) {
        throw new IllegalStateException(
            "no place for "
                + kind
                + " event "
                + event.getEventId()
                + " between "
                + Instant.ofEpochMilli(earliest)
                + " and "
                + Instant.ofEpochMilli(latestAllowed)
                + ": the stream is too sparse; raise the rate or lower the fraction");
      }
      String label = kind == Kind.LATE ? "late" : "late-order";
      return new Insert(
          k, kind, i, record(i, event, encoded, kind, Fate.COUNTED, position[k], label));
    }

    /**
     * The [earliest, latest] stream positions for the order of {@code checkout} to arrive after the
     * abandonment timer of its previous event fired, or null if there is none in the stream.
     */
    private long[] lateOrderWindow(GeneratedCheckout checkout, long streamEnd) {
      List<CheckoutEvent> events = checkout.events();
      if (events.size() < 2) {
        return null;
      }
      long order = events.get(events.size() - 1).getEventTime().toEpochMilli();
      long previous = events.get(events.size() - 2).getEventTime().toEpochMilli();
      long earliest =
          Math.max(
              lateEarliest(order),
              previous
                  + config.inactivityTimeout.toMillis()
                  + boundMillis
                  + config.watermarkStep.toMillis()
                  + config.lateMinMargin.toMillis());
      long latestAllowed = Math.min(countedLatest(order), streamEnd);
      return earliest <= latestAllowed ? new long[] {earliest, countedLatest(order)} : null;
    }

    private ScenarioRecord record(
        int i,
        CheckoutEvent event,
        byte[][] cache,
        Kind kind,
        Fate fate,
        long position,
        String label) {
      if (cache[i] == null) {
        cache[i] = BadRecords.encode(event);
      }
      return new ScenarioRecord(
          cache[i],
          event.getCheckoutId(),
          event.getEventTime(),
          kind,
          fate,
          event,
          Instant.ofEpochMilli(position),
          label);
    }

    private long windowEndOf(long eventTime) {
      return eventTime - Math.floorMod(eventTime, windowMillis) + windowMillis;
    }

    private long lateEarliest(long eventTime) {
      return windowEndOf(eventTime) + boundMillis + config.lateMinMargin.toMillis();
    }

    private long countedLatest(long eventTime) {
      return windowEndOf(eventTime) + latenessMillis - config.lateMaxMargin.toMillis();
    }

    /** The earliest stream position at which every event of {@code checkout} is too late. */
    private long tooLateEarliest(GeneratedCheckout checkout) {
      return windowEndOf(checkout.truth().lastEventTime().toEpochMilli())
          + latenessMillis
          + boundMillis
          + config.watermarkStep.toMillis()
          + config.tooLateMargin.toMillis();
    }

    /** First index with position ≥ target, or −1; positions never decrease. */
    private static int firstAtOrAfter(long[] position, long target) {
      int low = 0;
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
