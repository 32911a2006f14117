package io.cxpulse.jobs.generator;

import io.cxpulse.events.Channel;
import io.cxpulse.events.CheckoutEvent;
import io.cxpulse.events.FunnelStep;
import io.cxpulse.jobs.checkout.CheckoutStatus;
import io.cxpulse.jobs.pipeline.Dimensions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * An endless, deterministic stream of realistic checkout funnels for the local demo and the
 * end-to-end tests: whole checkouts with their {@link CheckoutTruth} ({@link #nextCheckout()}), or
 * their events merged in event-time order ({@link #next()}).
 *
 * <p><b>Why deterministic.</b> As for {@link SurveyTrafficGenerator}: a test must know exactly what
 * it sent to compute the expected metrics independently, and a failure must replay identically.
 * Everything follows from the seed (random source {@link DeterministicRandom}, transcendental
 * functions from {@link StrictMath}). Each checkout draws from a random source of its own, seeded
 * from the seed and its sequence number, so the number of draws one funnel takes never shifts
 * another, and an incident changes only the checkouts it hits. Ids: checkout {@code chk-<seed
 * hex>-<n>}, events {@code ce-<seed hex>-<n>-<i>}, orders {@code ord-<seed hex>-<n>}.
 *
 * <p><b>Arrivals.</b> Checkouts start as a Poisson process of the given rate in event time; a
 * checkout's events follow its start at strictly increasing times, so checkouts overlap and {@link
 * #next()} interleaves them. The generator has no notion of wall-clock time.
 *
 * <p><b>The funnel.</b> A checkout starts at {@code CART} and moves on to {@code CHECKOUT_STARTED},
 * {@code SHIPPING} and {@code PAYMENT}; before each move the customer may leave, with a base
 * drop-off per step (18 %, 14 %, 10 %) scaled by a channel factor (store 0.4 … social 1.6, mobile
 * app 1.25) and a segment factor (vip 0.55 … new 1.3). Each {@code PAYMENT} event is a payment
 * attempt; it fails with a channel's base rate (about 6 %, carrying a customer-side reason: card
 * declined, insufficient funds, authentication failed, expired card), after which the customer
 * retries (65 %, up to three attempts) or leaves; a successful attempt is followed by {@code
 * ORDER_PLACED}. The gaps between steps are log-normal with medians of 8 to 60 seconds, at least 1
 * s and at most 10 minutes, far under the job's 30-minute inactivity timeout, so a completed
 * checkout takes a few minutes. With the default mixes about 60 % of checkouts complete, web about
 * 62 %, mobile app about 55 %, social about 45 %, vip about 75 %.
 *
 * <p><b>Cart values.</b> A log-normal value with a median of about 58 EUR (more for vip, less for
 * bargain hunters) in one of a few currencies ({@link #DEFAULT_CURRENCY_MIX}), in the currency's
 * minor unit (cents; yen for JPY); {@code SHIPPING} adds a shipping fee to small carts.
 *
 * <p><b>Skew and incidents.</b> {@link Builder#hotShare} puts a given share of checkouts on one
 * channel × segment (a skewed load); a {@link CheckoutIncident} makes payments on one channel fail
 * for a while.
 *
 * <p>Use either {@link #nextCheckout()} / {@link #takeCheckouts} or {@link #next()} / {@link #take}
 * on one instance, not both. Not thread-safe; {@link #hasNext()} is always true.
 */
public final class CheckoutTrafficGenerator implements Iterator<CheckoutEvent> {

  /** Share of checkouts per channel: web and app dominate online retail checkouts. */
  public static final Map<Channel, Double> DEFAULT_CHANNEL_MIX =
      Collections.unmodifiableMap(
          new EnumMap<>(
              Map.of(
                  Channel.WEB, 0.50,
                  Channel.MOBILE_APP, 0.35,
                  Channel.MARKETPLACE, 0.10,
                  Channel.SOCIAL, 0.05)));

  /** Share of checkouts per customer segment (as the survey generator's). */
  public static final Map<String, Double> DEFAULT_SEGMENT_MIX =
      SurveyTrafficGenerator.DEFAULT_SEGMENT_MIX;

  /** Share of checkouts per currency. */
  public static final Map<String, Double> DEFAULT_CURRENCY_MIX = defaultCurrencyMix();

  /** Customer-side reasons of failed payment attempts, with their shares. */
  public static final Map<String, Double> PAYMENT_FAILURE_REASONS = defaultFailureReasons();

  /** The channel × segment {@link Builder#hotShare} uses unless {@link Builder#hotKey} is set. */
  public static final Channel DEFAULT_HOT_CHANNEL = Channel.WEB;

  public static final String DEFAULT_HOT_SEGMENT = "returning";

  // Chance of leaving at CART, CHECKOUT_STARTED and SHIPPING, before the channel and segment
  // factors.
  private static final double[] BASE_DROP_OFF = {0.18, 0.14, 0.10};
  private static final FunnelStep[] FUNNEL = {
    FunnelStep.CART, FunnelStep.CHECKOUT_STARTED, FunnelStep.SHIPPING, FunnelStep.PAYMENT
  };
  // Median gap in ms before CHECKOUT_STARTED, SHIPPING, PAYMENT.
  private static final double[] STEP_GAP_MEDIAN_MILLIS = {45_000, 60_000, 50_000};
  private static final double ORDER_GAP_MEDIAN_MILLIS = 8_000;
  private static final double RETRY_GAP_MEDIAN_MILLIS = 40_000;
  private static final double GAP_SIGMA = 0.9;
  private static final long MIN_GAP_MILLIS = 1_000;
  private static final long MAX_GAP_MILLIS = 600_000;
  private static final double MAX_DROP_OFF = 0.9;

  private static final Map<Channel, Double> CHANNEL_FACTOR =
      new EnumMap<>(
          Map.of(
              Channel.WEB, 1.0,
              Channel.MOBILE_APP, 1.25,
              Channel.MARKETPLACE, 0.7,
              Channel.SOCIAL, 1.6,
              Channel.EMAIL, 0.9,
              Channel.CHAT, 0.8,
              Channel.PHONE, 0.6,
              Channel.STORE, 0.4));
  private static final Map<String, Double> SEGMENT_FACTOR =
      Map.of("new", 1.3, "returning", 0.9, "vip", 0.55, "bargain_hunter", 1.2);

  private static final double BASE_PAYMENT_FAILURE = 0.06;
  private static final Map<Channel, Double> PAYMENT_FAILURE =
      new EnumMap<>(Map.of(Channel.MARKETPLACE, 0.04, Channel.SOCIAL, 0.09));
  private static final double RETRY_AFTER_FAILURE = 0.65;
  private static final int MAX_PAYMENT_ATTEMPTS = 3;

  // Cart values: a log-normal EUR-equivalent amount, converted to the currency's minor unit.
  private static final double CART_MEDIAN_EUR = 58.0;
  private static final double CART_SIGMA = 0.75;
  private static final Map<String, Double> SEGMENT_VALUE_FACTOR =
      Map.of("vip", 1.8, "bargain_hunter", 0.7);
  private static final double FREE_SHIPPING_FROM_EUR = 50.0;
  private static final double SHIPPING_FEE_EUR = 4.99;
  private static final Map<String, Double> EUR_RATE =
      Map.of("EUR", 1.0, "USD", 1.08, "GBP", 0.86, "JPY", 162.0);
  private static final Map<String, Integer> MINOR_UNIT_EXPONENT =
      Map.of("EUR", 2, "USD", 2, "GBP", 2, "JPY", 0);

  private final long seed;
  private final String idPrefix;
  private final long startMillis;
  private final double checkoutsPerSecond;
  private final Channel[] channels;
  private final double[] channelCumulative;
  private final String[] segments;
  private final double[] segmentCumulative;
  private final String[] currencies;
  private final double[] currencyCumulative;
  private final String[] reasons;
  private final double[] reasonCumulative;
  private final double hotShare;
  private final Channel hotChannel;
  private final String hotSegment;
  private final List<CheckoutIncident> incidents;

  private final DeterministicRandom arrivals;
  private long offsetMicros;
  private long sequence;
  private long nextStartMillis;

  // For next(): pending events of started checkouts, by (time, checkout, index).
  private final PriorityQueue<Pending> pending =
      new PriorityQueue<>(
          Comparator.comparingLong(Pending::time)
              .thenComparingLong(Pending::checkout)
              .thenComparingInt(Pending::index));
  private Mode mode = Mode.UNUSED;
  private long eventsGenerated;

  private enum Mode {
    UNUSED,
    CHECKOUTS,
    EVENTS
  }

  private record Pending(long time, long checkout, int index, CheckoutEvent event) {}

  private CheckoutTrafficGenerator(Builder builder) {
    this.seed = builder.seed;
    this.idPrefix = Long.toHexString(seed) + "-";
    this.startMillis = builder.start.toEpochMilli();
    this.checkoutsPerSecond = builder.checkoutsPerSecond;
    this.channels = builder.channelMix.keySet().toArray(new Channel[0]);
    this.channelCumulative = cumulative(builder.channelMix.values());
    this.segments = builder.segmentMix.keySet().toArray(new String[0]);
    this.segmentCumulative = cumulative(builder.segmentMix.values());
    this.currencies = builder.currencyMix.keySet().toArray(new String[0]);
    this.currencyCumulative = cumulative(builder.currencyMix.values());
    this.reasons = PAYMENT_FAILURE_REASONS.keySet().toArray(new String[0]);
    this.reasonCumulative = cumulative(PAYMENT_FAILURE_REASONS.values());
    this.hotShare = builder.hotShare;
    this.hotChannel = builder.hotChannel;
    this.hotSegment = builder.hotSegment;
    this.incidents = List.copyOf(builder.incidents);
    this.arrivals = new DeterministicRandom(seed);
    this.nextStartMillis = drawNextStart();
  }

  /** A generator with the default mixes, no skew and no incident. */
  public static CheckoutTrafficGenerator create(
      long seed, Instant start, double checkoutsPerSecond) {
    return builder(seed, start, checkoutsPerSecond).build();
  }

  /**
   * A builder starting from the default mixes.
   *
   * @param seed everything generated follows from it
   * @param start event time the traffic starts at; the first checkout starts at or after it
   * @param checkoutsPerSecond mean number of checkouts starting per second of event time (each has
   *     about 3.7 events with the default mixes), positive
   */
  public static Builder builder(long seed, Instant start, double checkoutsPerSecond) {
    return new Builder(seed, start, checkoutsPerSecond);
  }

  /** The seed this generator was built with. */
  public long seed() {
    return seed;
  }

  /** How many checkouts have been started so far. */
  public long checkoutsGenerated() {
    return sequence;
  }

  /** How many events {@link #next()} has returned so far. */
  public long eventsGenerated() {
    return eventsGenerated;
  }

  /** The next checkout, whole; checkouts come in order of their start. */
  public GeneratedCheckout nextCheckout() {
    use(Mode.CHECKOUTS);
    return generate();
  }

  /** The next {@code count} checkouts. */
  public List<GeneratedCheckout> takeCheckouts(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("negative count: " + count);
    }
    List<GeneratedCheckout> checkouts = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      checkouts.add(nextCheckout());
    }
    return checkouts;
  }

  /** Always true: the traffic never ends. */
  @Override
  public boolean hasNext() {
    return true;
  }

  /**
   * The next event of all checkouts, in event-time order (ties by checkout, then step); its event
   * time is at or after the previous one's.
   */
  @Override
  public CheckoutEvent next() {
    use(Mode.EVENTS);
    // A checkout's first event is its start, and starts increase: once the next start is after
    // the earliest pending event, no checkout still to come can have an earlier event.
    while (pending.isEmpty() || nextStartMillis <= pending.peek().time()) {
      long checkout = sequence;
      List<CheckoutEvent> events = generate().events();
      for (int i = 0; i < events.size(); i++) {
        CheckoutEvent event = events.get(i);
        pending.add(new Pending(event.getEventTime().toEpochMilli(), checkout, i, event));
      }
    }
    eventsGenerated++;
    return pending.poll().event();
  }

  /** The next {@code count} events, in event-time order. */
  public List<CheckoutEvent> take(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("negative count: " + count);
    }
    List<CheckoutEvent> events = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      events.add(next());
    }
    return events;
  }

  /**
   * The chance that a checkout on {@code channel} from {@code segment} leaves at {@code step}
   * (CART, CHECKOUT_STARTED or SHIPPING) instead of moving on, outside incidents.
   */
  public static double dropOff(FunnelStep step, Channel channel, String segment) {
    int index = List.of(FUNNEL).indexOf(step);
    if (index < 0 || index >= BASE_DROP_OFF.length) {
      throw new IllegalArgumentException("no drop-off before " + step);
    }
    return Math.min(
        MAX_DROP_OFF,
        BASE_DROP_OFF[index]
            * CHANNEL_FACTOR.getOrDefault(channel, 1.0)
            * SEGMENT_FACTOR.getOrDefault(segment, 1.0));
  }

  private void use(Mode wanted) {
    if (mode == Mode.UNUSED) {
      mode = wanted;
    } else if (mode != wanted) {
      throw new IllegalStateException(
          "use either whole checkouts or events from one generator, not both");
    }
  }

  private long drawNextStart() {
    offsetMicros +=
        Math.round(-StrictMath.log(1.0 - arrivals.nextDouble()) * 1_000_000.0 / checkoutsPerSecond);
    return startMillis + offsetMicros / 1000;
  }

  /** Makes up the checkout starting at {@link #nextStartMillis} and draws the next start. */
  private GeneratedCheckout generate() {
    long n = sequence++;
    long t = nextStartMillis;
    nextStartMillis = drawNextStart();
    DeterministicRandom random =
        new DeterministicRandom(DeterministicRandom.mix64(seed ^ (n * 0x9e3779b97f4a7c15L + 1)));

    Channel channel;
    String segment;
    if (random.nextDouble() < hotShare) {
      channel = hotChannel;
      segment = hotSegment;
      random.nextDouble(); // same number of draws either way
    } else {
      channel = channels[pick(channelCumulative, random.nextDouble())];
      segment = segments[pick(segmentCumulative, random.nextDouble())];
    }
    String currency = currencies[pick(currencyCumulative, random.nextDouble())];
    double valueEur =
        Math.min(
            5_000.0,
            Math.max(
                2.0,
                CART_MEDIAN_EUR
                    * SEGMENT_VALUE_FACTOR.getOrDefault(segment, 1.0)
                    * StrictMath.exp(CART_SIGMA * gaussian(random))));

    String checkoutId = "chk-" + idPrefix + n;
    Funnel funnel = new Funnel(checkoutId, channel, segment, currency, n);
    funnel.add(FunnelStep.CART, t, valueEur, null);
    for (int step = 0; step < BASE_DROP_OFF.length; step++) {
      if (random.nextDouble() < dropOff(FUNNEL[step], channel, segment)) {
        return funnel.abandoned();
      }
      t += gap(random, STEP_GAP_MEDIAN_MILLIS[step]);
      if (FUNNEL[step + 1] == FunnelStep.SHIPPING && valueEur < FREE_SHIPPING_FROM_EUR) {
        valueEur += SHIPPING_FEE_EUR;
      }
      if (FUNNEL[step + 1] != FunnelStep.PAYMENT) {
        funnel.add(FUNNEL[step + 1], t, valueEur, null);
      }
    }
    // Payment attempts: the first at t, each a PAYMENT event, failed ones carrying the reason.
    for (int attempt = 1; ; attempt++) {
      Instant at = Instant.ofEpochMilli(t);
      CheckoutIncident outage = outageAt(channel, at);
      double failureRate =
          outage != null
              ? CheckoutIncident.FAILURE_RATE
              : PAYMENT_FAILURE.getOrDefault(channel, BASE_PAYMENT_FAILURE);
      double failureDraw = random.nextDouble();
      double reasonDraw = random.nextDouble();
      double retryDraw = random.nextDouble();
      if (failureDraw >= failureRate) {
        funnel.add(FunnelStep.PAYMENT, t, valueEur, null);
        t += gap(random, ORDER_GAP_MEDIAN_MILLIS);
        funnel.add(FunnelStep.ORDER_PLACED, t, valueEur, null);
        return funnel.completed();
      }
      String reason =
          outage != null
              ? CheckoutIncident.REASONS.get((int) (reasonDraw * CheckoutIncident.REASONS.size()))
              : reasons[pick(reasonCumulative, reasonDraw)];
      funnel.add(FunnelStep.PAYMENT, t, valueEur, reason);
      double retryRate = outage != null ? CheckoutIncident.RETRY_RATE : RETRY_AFTER_FAILURE;
      if (attempt >= MAX_PAYMENT_ATTEMPTS || retryDraw >= retryRate) {
        return funnel.abandoned();
      }
      t += gap(random, RETRY_GAP_MEDIAN_MILLIS);
    }
  }

  private CheckoutIncident outageAt(Channel channel, Instant time) {
    for (CheckoutIncident incident : incidents) {
      if (incident.appliesTo(channel, time)) {
        return incident;
      }
    }
    return null;
  }

  /** The events of one checkout as they are made up, and its truth. */
  private final class Funnel {
    private final String checkoutId;
    private final Channel channel;
    private final String segment;
    private final String currency;
    private final long n;
    private final List<CheckoutEvent> events = new ArrayList<>();
    private FunnelStep highest = FunnelStep.CART;
    private String lastReason;

    Funnel(String checkoutId, Channel channel, String segment, String currency, long n) {
      this.checkoutId = checkoutId;
      this.channel = channel;
      this.segment = segment;
      this.currency = currency;
      this.n = n;
    }

    void add(FunnelStep step, long time, double valueEur, String failureReason) {
      CheckoutEvent event =
          CheckoutEvent.newBuilder()
              .setEventId("ce-" + idPrefix + n + "-" + events.size())
              .setEventTime(Instant.ofEpochMilli(time))
              .setChannel(channel)
              .setSegment(segment)
              .setCheckoutId(checkoutId)
              .setStep(step)
              .setCartValueMinor(minorUnits(valueEur, currency))
              .setCurrency(currency)
              .setPaymentFailureReason(failureReason)
              .setOrderId(step == FunnelStep.ORDER_PLACED ? "ord-" + idPrefix + n : null)
              .build();
      events.add(event);
      if (step.ordinal() > highest.ordinal()) {
        highest = step;
      }
      if (failureReason != null) {
        lastReason = failureReason;
      }
    }

    GeneratedCheckout completed() {
      return finish(CheckoutStatus.COMPLETED);
    }

    GeneratedCheckout abandoned() {
      return finish(CheckoutStatus.ABANDONED);
    }

    private GeneratedCheckout finish(CheckoutStatus status) {
      CheckoutEvent first = events.get(0);
      CheckoutEvent last = events.get(events.size() - 1);
      Long completionMillis =
          status == CheckoutStatus.COMPLETED
              ? last.getEventTime().toEpochMilli() - first.getEventTime().toEpochMilli()
              : null;
      CheckoutTruth truth =
          new CheckoutTruth(
              checkoutId,
              Dimensions.channel(channel),
              segment,
              first.getEventTime(),
              last.getEventTime(),
              status,
              highest,
              last.getCartValueMinor(),
              currency,
              lastReason,
              completionMillis,
              events.size());
      return new GeneratedCheckout(events, truth);
    }
  }

  /** {@code valueEur} in minor units of {@code currency}. */
  static long minorUnits(double valueEur, String currency) {
    double rate = EUR_RATE.getOrDefault(currency, 1.0);
    int exponent = MINOR_UNIT_EXPONENT.getOrDefault(currency, 2);
    return Math.round(valueEur * rate * Math.pow(10, exponent));
  }

  /** A log-normal gap around {@code medianMillis}, whole ms, in [1 s, 10 min]. */
  private static long gap(DeterministicRandom random, double medianMillis) {
    double millis = medianMillis * StrictMath.exp(GAP_SIGMA * gaussian(random));
    return Math.max(MIN_GAP_MILLIS, Math.min(MAX_GAP_MILLIS, Math.round(millis)));
  }

  /** A standard normal draw (Box–Muller, two uniform draws). */
  private static double gaussian(DeterministicRandom random) {
    double u1 = 1.0 - random.nextDouble(); // (0, 1]
    double u2 = random.nextDouble();
    return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * StrictMath.PI * u2);
  }

  private static int pick(double[] cumulative, double draw) {
    for (int i = 0; i < cumulative.length - 1; i++) {
      if (draw < cumulative[i]) {
        return i;
      }
    }
    return cumulative.length - 1;
  }

  private static double[] cumulative(Iterable<Double> weights) {
    List<Double> list = new ArrayList<>();
    weights.forEach(list::add);
    double total = 0.0;
    for (double weight : list) {
      total += weight;
    }
    double[] cumulative = new double[list.size()];
    double running = 0.0;
    for (int i = 0; i < list.size(); i++) {
      running += list.get(i);
      cumulative[i] = running / total;
    }
    return cumulative;
  }

  private static Map<String, Double> defaultCurrencyMix() {
    Map<String, Double> mix = new LinkedHashMap<>();
    mix.put("EUR", 0.55);
    mix.put("USD", 0.25);
    mix.put("GBP", 0.15);
    mix.put("JPY", 0.05);
    return Collections.unmodifiableMap(mix);
  }

  private static Map<String, Double> defaultFailureReasons() {
    Map<String, Double> mix = new LinkedHashMap<>();
    mix.put("card_declined", 0.45);
    mix.put("insufficient_funds", 0.20);
    mix.put("authentication_failed", 0.20);
    mix.put("expired_card", 0.15);
    return Collections.unmodifiableMap(mix);
  }

  /** Configures a {@link CheckoutTrafficGenerator}; starts from the default mixes. */
  public static final class Builder {

    private final long seed;
    private final Instant start;
    private final double checkoutsPerSecond;
    private Map<Channel, Double> channelMix = DEFAULT_CHANNEL_MIX;
    private Map<String, Double> segmentMix = DEFAULT_SEGMENT_MIX;
    private Map<String, Double> currencyMix = DEFAULT_CURRENCY_MIX;
    private double hotShare;
    private Channel hotChannel = DEFAULT_HOT_CHANNEL;
    private String hotSegment = DEFAULT_HOT_SEGMENT;
    private final List<CheckoutIncident> incidents = new ArrayList<>();

    private Builder(long seed, Instant start, double checkoutsPerSecond) {
      if (!(checkoutsPerSecond > 0.0) || Double.isInfinite(checkoutsPerSecond)) {
        throw new IllegalArgumentException(
            "rate must be positive and finite: " + checkoutsPerSecond);
      }
      this.seed = seed;
      this.start = Objects.requireNonNull(start, "start");
      this.checkoutsPerSecond = checkoutsPerSecond;
    }

    /** Relative weight per channel; channels left out are never generated (except as hot key). */
    public Builder channelMix(Map<Channel, Double> weights) {
      if (weights.containsKey(Channel.UNKNOWN)) {
        throw new IllegalArgumentException("UNKNOWN is not a channel to generate");
      }
      this.channelMix = checkedWeights(new EnumMap<>(weights), "channel");
      return this;
    }

    /** Relative weight per segment, in a stable order (iteration order of {@code weights}). */
    public Builder segmentMix(Map<String, Double> weights) {
      Map<String, Double> copy = new LinkedHashMap<>(weights);
      copy.keySet().forEach(segment -> requireText(segment, "segment"));
      this.segmentMix = checkedWeights(copy, "segment");
      return this;
    }

    /** Relative weight per ISO 4217 currency (unknown ones are valued like EUR in cents). */
    public Builder currencyMix(Map<String, Double> weights) {
      Map<String, Double> copy = new LinkedHashMap<>(weights);
      copy.keySet()
          .forEach(
              currency -> {
                if (currency == null || !currency.matches("[A-Z]{3}")) {
                  throw new IllegalArgumentException("not an ISO 4217 code: " + currency);
                }
              });
      this.currencyMix = checkedWeights(copy, "currency");
      return this;
    }

    /**
     * Puts {@code share} of the checkouts (0..1) on the hot channel × segment ({@link #hotKey},
     * default web × returning), the others drawn from the mixes: a skewed load for the scale tests.
     */
    public Builder hotShare(double share) {
      if (!(share >= 0.0 && share <= 1.0)) {
        throw new IllegalArgumentException("hot share must be in [0, 1]: " + share);
      }
      this.hotShare = share;
      return this;
    }

    /** The channel × segment {@link #hotShare} puts checkouts on. */
    public Builder hotKey(Channel channel, String segment) {
      if (Objects.requireNonNull(channel, "channel") == Channel.UNKNOWN) {
        throw new IllegalArgumentException("UNKNOWN is not a channel to generate");
      }
      this.hotChannel = channel;
      this.hotSegment = requireText(segment, "segment");
      return this;
    }

    /** Adds a scripted payment outage; overlapping ones on one channel count once. */
    public Builder incident(CheckoutIncident incident) {
      incidents.add(Objects.requireNonNull(incident, "incident"));
      return this;
    }

    public CheckoutTrafficGenerator build() {
      return new CheckoutTrafficGenerator(this);
    }

    private static String requireText(String value, String what) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(what + " must not be blank");
      }
      return value;
    }

    private static <K> Map<K, Double> checkedWeights(Map<K, Double> weights, String what) {
      double total = 0.0;
      for (Map.Entry<K, Double> entry : weights.entrySet()) {
        Double weight = entry.getValue();
        if (weight == null || !(weight >= 0.0) || Double.isInfinite(weight)) {
          throw new IllegalArgumentException(
              what + " weight must be finite and not negative: " + entry);
        }
        total += weight;
      }
      if (!(total > 0.0)) {
        throw new IllegalArgumentException(what + " weights must not all be zero: " + weights);
      }
      return Collections.unmodifiableMap(weights);
    }
  }
}
