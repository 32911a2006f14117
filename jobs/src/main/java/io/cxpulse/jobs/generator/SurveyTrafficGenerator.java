package io.cxpulse.jobs.generator;

import io.cxpulse.events.Channel;
import io.cxpulse.events.SurveyResponse;
import io.cxpulse.events.SurveyType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An endless, deterministic stream of realistic {@link SurveyResponse}s for the local demo and the
 * end-to-end tests.
 *
 * <p><b>Why deterministic.</b> A test that pushes 50,000 responses through Kafka, Flink and
 * ClickHouse must know exactly what it pushed to compute the expected metrics independently, and a
 * failure must replay identically. Everything follows from the seed: the same seed, start and
 * configuration give the same sequence on every machine (the random source is {@link
 * DeterministicRandom}, the only transcendental function {@link StrictMath#log}). Event ids are
 * {@code svy-<seed in hex>-<sequence>}, unique within a seed and across seeds.
 *
 * <p><b>Event time.</b> Responses arrive as a Poisson process of the given rate in event time
 * (exponential gaps, kept in microseconds so that rounding never accumulates) and are returned in
 * event-time order; several may share a millisecond at high rates. The generator has no notion of
 * wall-clock time: a live demo paces itself, a test takes what it needs at once. Event times are
 * whole milliseconds because the schema stores milliseconds, so a generated record equals its
 * encoded-and-decoded self. Note that the job rejects event times more than its allowed skew (1 h)
 * ahead of its processing time, so a test should start the traffic far enough in the past that the
 * whole stream lies before the wall clock.
 *
 * <p><b>Mixes.</b> Channel, segment and survey type are drawn independently from configurable
 * weights ({@link #DEFAULT_CHANNEL_MIX}, {@link #DEFAULT_SEGMENT_MIX}, {@link
 * #DEFAULT_SURVEY_TYPE_MIX}). Chat, phone and email responses mostly follow a support contact and
 * carry a ticket_id; the other channels mostly follow a purchase and carry an order_id; the rest
 * carry neither (relationship surveys). The survey_id names the occasion, e.g. {@code
 * post-purchase-nps} or {@code support-ces}.
 *
 * <p><b>Scores.</b> Each survey type has a base answer distribution shaped like real e-commerce
 * results (CSAT about 76, NPS about +26, CES mean about 2.8). The distribution is then
 * exponentially tilted towards better or worse answers: weight(score) = base(score) × exp(tilt ×
 * goodness(score)), goodness running from 0 for the worst answer to 1 for the best (for CES the
 * lowest effort is best). The tilt is the sum of a channel part (store and app happier, marketplace
 * and social worse), a segment part (vip happier, bargain hunters harder to please), a CES-only
 * effort part (phone support is hard work, chat is easy) and any active {@link ScoreShift}. So
 * dashboards show real differences between channels and segments, and a scripted incident shows as
 * a drop on one channel. With the default mixes the expected values are:
 *
 * <pre>
 *               CSAT   NPS   CES mean
 * all           74.9  +24.4  2.88
 * STORE         80.6  +34.0  2.62      vip             83.3  +39.0  2.53
 * MOBILE_APP    77.8  +29.2  2.73      returning       76.2  +26.4  2.83
 * CHAT          76.8  +27.5  2.66      new             72.9  +21.0  2.96
 * WEB           75.8  +25.7  2.82      bargain_hunter  69.3  +15.2  3.10
 * EMAIL         73.6  +22.1  2.90
 * PHONE         72.4  +20.3  3.44
 * SOCIAL        67.5  +12.4  3.13
 * MARKETPLACE   64.9   +8.3  3.44
 * </pre>
 *
 * <p>Each response consumes exactly six random draws whatever its content, so a {@link ScoreShift}
 * changes scores inside its interval and nothing else.
 *
 * <p>Not thread-safe; {@link #hasNext()} is always true.
 */
public final class SurveyTrafficGenerator implements Iterator<SurveyResponse> {

  /** Share of responses per channel: web and app dominate, as in most online retail. */
  public static final Map<Channel, Double> DEFAULT_CHANNEL_MIX =
      Collections.unmodifiableMap(
          new EnumMap<>(
              Map.of(
                  Channel.WEB, 0.30,
                  Channel.MOBILE_APP, 0.25,
                  Channel.MARKETPLACE, 0.10,
                  Channel.SOCIAL, 0.05,
                  Channel.EMAIL, 0.08,
                  Channel.CHAT, 0.10,
                  Channel.PHONE, 0.05,
                  Channel.STORE, 0.07)));

  /** Share of responses per customer segment. */
  public static final Map<String, Double> DEFAULT_SEGMENT_MIX = defaultSegmentMix();

  /** Share of responses per survey type. */
  public static final Map<SurveyType, Double> DEFAULT_SURVEY_TYPE_MIX =
      Collections.unmodifiableMap(
          new EnumMap<>(Map.of(SurveyType.CSAT, 0.50, SurveyType.NPS, 0.30, SurveyType.CES, 0.20)));

  // Base answer distributions, index = score − scale minimum.
  private static final double[] CSAT_BASE = {0.06, 0.06, 0.12, 0.34, 0.42};
  private static final double[] NPS_BASE = {
    0.03, 0.01, 0.02, 0.02, 0.03, 0.05, 0.06, 0.12, 0.18, 0.20, 0.28
  };
  private static final double[] CES_BASE = {0.22, 0.30, 0.20, 0.12, 0.08, 0.05, 0.03};

  private static final Map<Channel, Double> CHANNEL_TILT =
      new EnumMap<>(
          Map.of(
              Channel.WEB, 0.0,
              Channel.MOBILE_APP, 0.2,
              Channel.MARKETPLACE, -0.9,
              Channel.SOCIAL, -0.7,
              Channel.EMAIL, -0.2,
              Channel.CHAT, 0.1,
              Channel.PHONE, -0.3,
              Channel.STORE, 0.5));

  // Segments not listed here (custom mixes) get no tilt.
  private static final Map<String, Double> SEGMENT_TILT =
      Map.of("new", -0.2, "returning", 0.1, "vip", 0.9, "bargain_hunter", -0.5);

  // Added for CES only: effort depends on the channel more than satisfaction does.
  private static final Map<Channel, Double> EFFORT_TILT =
      new EnumMap<>(Map.of(Channel.PHONE, -1.0, Channel.MARKETPLACE, -0.4, Channel.CHAT, 0.3));

  private static final Set<Channel> SUPPORT_CHANNELS =
      Set.of(Channel.CHAT, Channel.PHONE, Channel.EMAIL);
  private static final double SUPPORT_CHANNEL_TICKET_SHARE = 0.60;
  private static final double SUPPORT_CHANNEL_ORDER_SHARE = 0.15;
  private static final double OTHER_CHANNEL_TICKET_SHARE = 0.10;
  private static final double OTHER_CHANNEL_ORDER_SHARE = 0.60;

  private final long seed;
  private final String idPrefix;
  private final long startMillis;
  private final double eventsPerSecond;
  private final Channel[] channels;
  private final double[] channelCumulative;
  private final String[] segments;
  private final double[] segmentCumulative;
  private final SurveyType[] types;
  private final double[] typeCumulative;
  private final List<ScoreShift> shifts;
  // [channel][segment][type] cumulative score distribution without shifts.
  private final double[][][][] scoreCumulative;

  private final DeterministicRandom random;
  private long offsetMicros;
  private long sequence;

  private SurveyTrafficGenerator(Builder builder) {
    this.seed = builder.seed;
    this.idPrefix = Long.toHexString(seed) + "-";
    this.startMillis = builder.start.toEpochMilli();
    this.eventsPerSecond = builder.eventsPerSecond;
    this.channels = builder.channelMix.keySet().toArray(new Channel[0]);
    this.channelCumulative = cumulative(builder.channelMix.values());
    this.segments = builder.segmentMix.keySet().toArray(new String[0]);
    this.segmentCumulative = cumulative(builder.segmentMix.values());
    this.types = builder.surveyTypeMix.keySet().toArray(new SurveyType[0]);
    this.typeCumulative = cumulative(builder.surveyTypeMix.values());
    this.shifts = List.copyOf(builder.shifts);
    this.scoreCumulative = new double[channels.length][segments.length][types.length][];
    for (int c = 0; c < channels.length; c++) {
      for (int s = 0; s < segments.length; s++) {
        for (int t = 0; t < types.length; t++) {
          scoreCumulative[c][s][t] =
              cumulative(scoreProbabilities(channels[c], segments[s], types[t], 0.0));
        }
      }
    }
    this.random = new DeterministicRandom(seed);
  }

  /** A generator with the default mixes and no incident. */
  public static SurveyTrafficGenerator create(long seed, Instant start, double eventsPerSecond) {
    return builder(seed, start, eventsPerSecond).build();
  }

  /**
   * A builder starting from the default mixes.
   *
   * @param seed everything generated follows from it
   * @param start event time the traffic starts at; the first response is at or after it (sub-
   *     millisecond precision is dropped)
   * @param eventsPerSecond mean number of responses per second of event time, positive
   */
  public static Builder builder(long seed, Instant start, double eventsPerSecond) {
    return new Builder(seed, start, eventsPerSecond);
  }

  /** The seed this generator was built with. */
  public long seed() {
    return seed;
  }

  /** How many responses have been generated so far. */
  public long generated() {
    return sequence;
  }

  /** Always true: the traffic never ends. */
  @Override
  public boolean hasNext() {
    return true;
  }

  /** The next response; its event time is at or after the previous one's. */
  @Override
  public SurveyResponse next() {
    // Exactly six draws per response, whatever is drawn, so that no choice shifts later ones.
    double gapDraw = random.nextDouble();
    double channelDraw = random.nextDouble();
    double segmentDraw = random.nextDouble();
    double typeDraw = random.nextDouble();
    double linkDraw = random.nextDouble();
    double scoreDraw = random.nextDouble();

    offsetMicros += Math.round(-StrictMath.log(1.0 - gapDraw) * 1_000_000.0 / eventsPerSecond);
    Instant eventTime = Instant.ofEpochMilli(startMillis + offsetMicros / 1000);
    int c = pick(channelCumulative, channelDraw);
    int s = pick(segmentCumulative, segmentDraw);
    int t = pick(typeCumulative, typeDraw);
    Channel channel = channels[c];
    SurveyType type = types[t];

    double shiftTilt = 0.0;
    for (ScoreShift shift : shifts) {
      if (shift.appliesTo(channel, eventTime)) {
        shiftTilt += shift.tilt();
      }
    }
    double[] scores =
        shiftTilt == 0.0
            ? scoreCumulative[c][s][t]
            : cumulative(scoreProbabilities(channel, segments[s], type, shiftTilt));
    int score = scaleMin(type) + pick(scores, scoreDraw);

    String id = idPrefix + sequence;
    Occasion occasion = occasion(channel, linkDraw);
    SurveyResponse response =
        SurveyResponse.newBuilder()
            .setEventId("svy-" + id)
            .setEventTime(eventTime)
            .setChannel(channel)
            .setSegment(segments[s])
            .setSurveyId(occasion.surveyId(type))
            .setResponseId("resp-" + id)
            .setSurveyType(type)
            .setScore(score)
            .setOrderId(occasion == Occasion.PURCHASE ? "ord-" + id : null)
            .setTicketId(occasion == Occasion.SUPPORT ? "tkt-" + id : null)
            .build();
    sequence++;
    return response;
  }

  /** The next {@code count} responses, in event-time order. */
  public List<SurveyResponse> take(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("negative count: " + count);
    }
    List<SurveyResponse> responses = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      responses.add(next());
    }
    return responses;
  }

  /**
   * The probability of each score (index = score − scale minimum) for a response on {@code channel}
   * from {@code segment} to a {@code type} survey, with {@code extraTilt} added as a {@link
   * ScoreShift} would. Lets tests and documentation state the expected metrics exactly.
   */
  public static double[] scoreProbabilities(
      Channel channel, String segment, SurveyType type, double extraTilt) {
    double[] base = baseDistribution(type);
    double tilt =
        CHANNEL_TILT.getOrDefault(channel, 0.0)
            + SEGMENT_TILT.getOrDefault(segment, 0.0)
            + (type == SurveyType.CES ? EFFORT_TILT.getOrDefault(channel, 0.0) : 0.0)
            + extraTilt;
    int last = base.length - 1;
    double[] weights = new double[base.length];
    double total = 0.0;
    for (int i = 0; i <= last; i++) {
      // Low CES scores are the good ones.
      double goodness = type == SurveyType.CES ? (double) (last - i) / last : (double) i / last;
      weights[i] = base[i] * StrictMath.exp(tilt * goodness);
      total += weights[i];
    }
    for (int i = 0; i <= last; i++) {
      weights[i] /= total;
    }
    return weights;
  }

  private static double[] baseDistribution(SurveyType type) {
    return switch (type) {
      case CSAT -> CSAT_BASE;
      case NPS -> NPS_BASE;
      case CES -> CES_BASE;
      case UNKNOWN -> throw new IllegalArgumentException("UNKNOWN has no score scale");
    };
  }

  private static int scaleMin(SurveyType type) {
    return type == SurveyType.NPS ? 0 : 1;
  }

  /** What the surveyed experience was; decides survey_id and which link id is set. */
  private enum Occasion {
    PURCHASE("post-purchase-csat", "post-purchase-nps", "checkout-ces"),
    SUPPORT("support-csat", "support-nps", "support-ces"),
    RELATIONSHIP("site-csat", "relationship-nps", "account-ces");

    private final String csat;
    private final String nps;
    private final String ces;

    Occasion(String csat, String nps, String ces) {
      this.csat = csat;
      this.nps = nps;
      this.ces = ces;
    }

    String surveyId(SurveyType type) {
      return switch (type) {
        case CSAT -> csat;
        case NPS -> nps;
        case CES -> ces;
        case UNKNOWN -> throw new IllegalArgumentException("UNKNOWN has no survey");
      };
    }
  }

  private static Occasion occasion(Channel channel, double draw) {
    boolean support = SUPPORT_CHANNELS.contains(channel);
    double ticketShare = support ? SUPPORT_CHANNEL_TICKET_SHARE : OTHER_CHANNEL_TICKET_SHARE;
    double orderShare = support ? SUPPORT_CHANNEL_ORDER_SHARE : OTHER_CHANNEL_ORDER_SHARE;
    if (draw < ticketShare) {
      return Occasion.SUPPORT;
    }
    return draw < ticketShare + orderShare ? Occasion.PURCHASE : Occasion.RELATIONSHIP;
  }

  private static int pick(double[] cumulative, double draw) {
    for (int i = 0; i < cumulative.length - 1; i++) {
      if (draw < cumulative[i]) {
        return i;
      }
    }
    // The last bucket also absorbs rounding in the cumulative sum.
    return cumulative.length - 1;
  }

  private static double[] cumulative(double[] weights) {
    double total = 0.0;
    for (double weight : weights) {
      total += weight;
    }
    double[] cumulative = new double[weights.length];
    double running = 0.0;
    for (int i = 0; i < weights.length; i++) {
      running += weights[i];
      cumulative[i] = running / total;
    }
    return cumulative;
  }

  private static double[] cumulative(Iterable<Double> weights) {
    List<Double> list = new ArrayList<>();
    weights.forEach(list::add);
    return cumulative(list.stream().mapToDouble(Double::doubleValue).toArray());
  }

  private static Map<String, Double> defaultSegmentMix() {
    Map<String, Double> mix = new LinkedHashMap<>();
    mix.put("new", 0.30);
    mix.put("returning", 0.45);
    mix.put("vip", 0.10);
    mix.put("bargain_hunter", 0.15);
    return Collections.unmodifiableMap(mix);
  }

  /** Configures a {@link SurveyTrafficGenerator}; starts from the default mixes. */
  public static final class Builder {

    private final long seed;
    private final Instant start;
    private final double eventsPerSecond;
    private Map<Channel, Double> channelMix = DEFAULT_CHANNEL_MIX;
    private Map<String, Double> segmentMix = DEFAULT_SEGMENT_MIX;
    private Map<SurveyType, Double> surveyTypeMix = DEFAULT_SURVEY_TYPE_MIX;
    private final List<ScoreShift> shifts = new ArrayList<>();

    private Builder(long seed, Instant start, double eventsPerSecond) {
      if (!(eventsPerSecond > 0.0) || Double.isInfinite(eventsPerSecond)) {
        throw new IllegalArgumentException("rate must be positive and finite: " + eventsPerSecond);
      }
      this.seed = seed;
      this.start = Objects.requireNonNull(start, "start");
      this.eventsPerSecond = eventsPerSecond;
    }

    /** Relative weight per channel; channels left out are never generated. */
    public Builder channelMix(Map<Channel, Double> weights) {
      this.channelMix = checkedWeights(new EnumMap<>(weights), "channel");
      return this;
    }

    /**
     * Relative weight per segment, in a stable order (iteration order of {@code weights} decides
     * which draw maps to which segment). Segments other than the defaults score like the baseline.
     */
    public Builder segmentMix(Map<String, Double> weights) {
      Map<String, Double> copy = new LinkedHashMap<>(weights);
      copy.keySet()
          .forEach(
              segment -> {
                if (segment == null || segment.isBlank()) {
                  throw new IllegalArgumentException("segments must not be blank: " + weights);
                }
              });
      this.segmentMix = checkedWeights(copy, "segment");
      return this;
    }

    /** Relative weight per survey type; UNKNOWN has no scale and is not allowed. */
    public Builder surveyTypeMix(Map<SurveyType, Double> weights) {
      if (weights.containsKey(SurveyType.UNKNOWN)) {
        throw new IllegalArgumentException("UNKNOWN has no score scale and cannot be generated");
      }
      this.surveyTypeMix = checkedWeights(new EnumMap<>(weights), "survey type");
      return this;
    }

    /** Adds a scripted incident; overlapping shifts add up. */
    public Builder scoreShift(ScoreShift shift) {
      shifts.add(Objects.requireNonNull(shift, "shift"));
      return this;
    }

    public SurveyTrafficGenerator build() {
      return new SurveyTrafficGenerator(this);
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
