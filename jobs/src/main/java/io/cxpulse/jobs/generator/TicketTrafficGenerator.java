package io.cxpulse.jobs.generator;

import io.cxpulse.events.Channel;
import io.cxpulse.events.TicketActor;
import io.cxpulse.events.TicketEvent;
import io.cxpulse.events.TicketEventType;
import io.cxpulse.events.TicketPriority;
import io.cxpulse.jobs.tickets.sla.SlaTargets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * An endless, deterministic stream of realistic support tickets ({@link TicketEvent}s) for the
 * local mode and the end-to-end tests, with the ground truth of every ticket ({@link
 * GeneratedTicket}).
 *
 * <p><b>Why deterministic.</b> As for {@link SurveyTrafficGenerator}: a test must know exactly what
 * it sent to compute the expected metrics independently, and a failure must replay identically. The
 * same seed, start and configuration give the same tickets on every machine ({@link
 * DeterministicRandom}, {@link StrictMath}). Ticket ids are {@code tkt-<seed in hex>-<sequence>},
 * event ids the ticket id plus {@code -e<n>}.
 *
 * <p><b>Openings</b> are a Poisson process of {@code ticketsPerSecond} in event time. Each ticket
 * then draws its whole life from its own random source (seeded from the generator's seed and its
 * sequence number), so a scripted {@link SupportSlowdown} changes the affected tickets' times and
 * nothing else.
 *
 * <p><b>A ticket's life.</b> Channel, segment and priority are drawn from the mixes (or, with
 * {@link Builder#hotShare}, a share of all tickets goes to one channel × segment, for skew tests).
 * Then, from the OPENED:
 *
 * <ul>
 *   <li>on chat, web and app, a bot answers within seconds in 70 % of tickets (never a response); 8
 *       % of those are resolved by the bot within minutes and never see an agent;
 *   <li>3 % of tickets are abandoned: no agent ever replies and they stay open (breached at the
 *       deadline, in the backlog for good);
 *   <li>the others get a first agent reply after a log-normal delay whose median depends on the
 *       channel ({@link #FIRST_REPLY_MEDIAN}: phone 90 s, chat 3 min, social 90 min, app 2 h, web
 *       2.5 h, email 3 h, marketplace 4 h, store 6 h; σ 0.8–0.9) times a priority factor (urgent
 *       ×0.25, high ×0.5, normal ×1, low ×2), so the bundled SLA targets are breached by a few to
 *       about fifteen percent of tickets per channel; 15 % of customers chase before the reply;
 *   <li>0–3 exchanges of customer reply and agent follow-up (minutes on chat and phone, hours on
 *       the other channels), then the agent resolves the ticket, except 3 % that stay open;
 *   <li>8 % of resolved tickets are reopened by the customer (median 45 min later), answered and,
 *       in 90 % of cases, resolved again.
 * </ul>
 *
 * Every delay is capped at ten times its median. Times are whole milliseconds, strictly increasing
 * within a ticket.
 *
 * <p><b>Two ways to consume it</b>, not to be mixed on one instance: {@link #nextTicket()} / {@link
 * #tickets(int)} give whole tickets in order of opening (for scenarios that need the truth), and
 * the {@link Iterator} ({@link #next()}, {@link #take(int)}) gives the events of all tickets merged
 * in event-time order (for live traffic, paced by event time). Not thread-safe; {@link #hasNext()}
 * is always true.
 */
public final class TicketTrafficGenerator implements Iterator<TicketEvent> {

  /** Share of tickets per channel: live chat and email carry most support contacts. */
  public static final Map<Channel, Double> DEFAULT_CHANNEL_MIX =
      Collections.unmodifiableMap(
          new EnumMap<>(
              Map.of(
                  Channel.CHAT, 0.30,
                  Channel.EMAIL, 0.22,
                  Channel.WEB, 0.15,
                  Channel.MOBILE_APP, 0.12,
                  Channel.PHONE, 0.10,
                  Channel.SOCIAL, 0.06,
                  Channel.MARKETPLACE, 0.05)));

  /** Share of tickets per customer segment: the survey generator's. */
  public static final Map<String, Double> DEFAULT_SEGMENT_MIX =
      SurveyTrafficGenerator.DEFAULT_SEGMENT_MIX;

  /** Share of tickets per priority. */
  public static final Map<TicketPriority, Double> DEFAULT_PRIORITY_MIX =
      Collections.unmodifiableMap(
          new EnumMap<>(
              Map.of(
                  TicketPriority.LOW, 0.20,
                  TicketPriority.NORMAL, 0.50,
                  TicketPriority.HIGH, 0.22,
                  TicketPriority.URGENT, 0.08)));

  /** Channel of the hot key that {@link Builder#hotShare} concentrates tickets on. */
  public static final Channel DEFAULT_HOT_CHANNEL = Channel.CHAT;

  /** Segment of the hot key that {@link Builder#hotShare} concentrates tickets on. */
  public static final String DEFAULT_HOT_SEGMENT = "returning";

  /** Median delay of the first agent reply for a NORMAL ticket, by channel. */
  public static final Map<Channel, Duration> FIRST_REPLY_MEDIAN =
      Collections.unmodifiableMap(
          new EnumMap<>(
              Map.of(
                  Channel.PHONE, Duration.ofSeconds(90),
                  Channel.CHAT, Duration.ofMinutes(3),
                  Channel.SOCIAL, Duration.ofMinutes(90),
                  Channel.MOBILE_APP, Duration.ofHours(2),
                  Channel.WEB, Duration.ofMinutes(150),
                  Channel.EMAIL, Duration.ofHours(3),
                  Channel.MARKETPLACE, Duration.ofHours(4),
                  Channel.STORE, Duration.ofHours(6),
                  Channel.UNKNOWN, Duration.ofHours(3))));

  private static final Map<Channel, Double> FIRST_REPLY_SIGMA =
      new EnumMap<>(Map.of(Channel.PHONE, 0.8, Channel.SOCIAL, 0.8, Channel.STORE, 0.8));
  private static final double DEFAULT_FIRST_REPLY_SIGMA = 0.9;

  private static final Map<TicketPriority, Double> PRIORITY_FACTOR =
      new EnumMap<>(
          Map.of(
              TicketPriority.URGENT, 0.25,
              TicketPriority.HIGH, 0.5,
              TicketPriority.NORMAL, 1.0,
              TicketPriority.LOW, 2.0,
              TicketPriority.UNKNOWN, 1.0));

  private static final Set<Channel> LIVE_CHANNELS = Set.of(Channel.CHAT, Channel.PHONE);
  private static final Set<Channel> BOT_CHANNELS =
      Set.of(Channel.CHAT, Channel.WEB, Channel.MOBILE_APP);

  private static final double BOT_REPLY_SHARE = 0.70;
  private static final double BOT_RESOLVED_SHARE = 0.08;
  private static final double ABANDONED_SHARE = 0.03;
  private static final double CHASE_SHARE = 0.15;
  private static final double UNRESOLVED_SHARE = 0.03;
  private static final double REOPEN_SHARE = 0.08;
  private static final double REOPEN_RESOLVED_SHARE = 0.90;
  private static final double[] EXCHANGES_CUMULATIVE = {0.35, 0.70, 0.90, 1.0};
  private static final double CAP_FACTOR = 10.0;
  private static final double FOLLOW_UP_SIGMA = 0.7;

  // Follow-up medians: [live, async].
  private static final Duration[] CUSTOMER_REPLY_MEDIAN = {
    Duration.ofSeconds(90), Duration.ofMinutes(90)
  };
  private static final Duration[] AGENT_FOLLOW_UP_MEDIAN = {
    Duration.ofMinutes(2), Duration.ofHours(2)
  };
  private static final Duration[] RESOLVE_MEDIAN = {Duration.ofMinutes(4), Duration.ofMinutes(45)};
  private static final Duration REOPEN_MEDIAN = Duration.ofMinutes(45);

  private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

  private final long seed;
  private final String idPrefix;
  private final long startMillis;
  private final double ticketsPerSecond;
  private final Channel[] channels;
  private final double[] channelCumulative;
  private final String[] segments;
  private final double[] segmentCumulative;
  private final TicketPriority[] priorities;
  private final double[] priorityCumulative;
  private final double hotShare;
  private final Channel hotChannel;
  private final String hotSegment;
  private final SlaTargets slaTargets;
  private final List<SupportSlowdown> slowdowns;

  private final DeterministicRandom openings;
  private long offsetMicros;
  private long sequence;

  // Event-iterator mode: pending events of generated tickets, and the next ticket not yet queued.
  private final PriorityQueue<Pending> pending =
      new PriorityQueue<>(
          Comparator.comparingLong(Pending::time)
              .thenComparingLong(Pending::ticket)
              .thenComparingInt(Pending::index));
  private GeneratedTicket lookahead;
  private Mode mode;

  private enum Mode {
    TICKETS,
    EVENTS
  }

  private record Pending(long time, long ticket, int index, TicketEvent event) {}

  private TicketTrafficGenerator(Builder builder) {
    this.seed = builder.seed;
    this.idPrefix = "tkt-" + Long.toHexString(seed) + "-";
    this.startMillis = builder.start.toEpochMilli();
    this.ticketsPerSecond = builder.ticketsPerSecond;
    this.channels = builder.channelMix.keySet().toArray(new Channel[0]);
    this.channelCumulative = cumulative(builder.channelMix.values());
    this.segments = builder.segmentMix.keySet().toArray(new String[0]);
    this.segmentCumulative = cumulative(builder.segmentMix.values());
    this.priorities = builder.priorityMix.keySet().toArray(new TicketPriority[0]);
    this.priorityCumulative = cumulative(builder.priorityMix.values());
    this.hotShare = builder.hotShare;
    this.hotChannel = builder.hotChannel;
    this.hotSegment = builder.hotSegment;
    this.slaTargets = builder.slaTargets;
    this.slowdowns = List.copyOf(builder.slowdowns);
    this.openings = new DeterministicRandom(seed);
  }

  /** A generator with the default mixes, the bundled SLA targets and no incident. */
  public static TicketTrafficGenerator create(long seed, Instant start, double ticketsPerSecond) {
    return builder(seed, start, ticketsPerSecond).build();
  }

  /**
   * A builder starting from the defaults.
   *
   * @param seed everything generated follows from it
   * @param start event time the traffic starts at; the first opening is at or after it
   * @param ticketsPerSecond mean number of tickets opened per second of event time, positive
   */
  public static Builder builder(long seed, Instant start, double ticketsPerSecond) {
    return new Builder(seed, start, ticketsPerSecond);
  }

  /** The seed this generator was built with. */
  public long seed() {
    return seed;
  }

  /** How many tickets have been generated so far (in event mode, including queued ones). */
  public long ticketsGenerated() {
    return sequence;
  }

  /** The next ticket, in order of opening, with all its events and its truth. */
  public GeneratedTicket nextTicket() {
    requireMode(Mode.TICKETS);
    return generate();
  }

  /** The next {@code count} tickets, in order of opening. */
  public List<GeneratedTicket> tickets(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("negative count: " + count);
    }
    List<GeneratedTicket> tickets = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      tickets.add(nextTicket());
    }
    return tickets;
  }

  /** Always true: the traffic never ends. */
  @Override
  public boolean hasNext() {
    return true;
  }

  /** The next event of any ticket; its event time is at or after the previous one's. */
  @Override
  public TicketEvent next() {
    requireMode(Mode.EVENTS);
    if (lookahead == null) {
      lookahead = generate();
    }
    // Open tickets until the next opening is later than the earliest pending event: no ticket
    // opened later can have an event before it.
    while (pending.isEmpty() || lookahead.openedAt().toEpochMilli() <= pending.peek().time()) {
      List<TicketEvent> events = lookahead.events();
      long ticket = sequence - 1;
      for (int i = 0; i < events.size(); i++) {
        TicketEvent event = events.get(i);
        pending.add(new Pending(event.getEventTime().toEpochMilli(), ticket, i, event));
      }
      lookahead = generate();
    }
    return pending.poll().event();
  }

  /** The next {@code count} events, in event-time order. */
  public List<TicketEvent> take(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("negative count: " + count);
    }
    List<TicketEvent> events = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      events.add(next());
    }
    return events;
  }

  private void requireMode(Mode wanted) {
    if (mode == null) {
      mode = wanted;
    } else if (mode != wanted) {
      throw new IllegalStateException(
          "this generator already serves " + mode + "; use another instance for " + wanted);
    }
  }

  private GeneratedTicket generate() {
    double gapDraw = openings.nextDouble();
    offsetMicros += Math.round(-StrictMath.log(1.0 - gapDraw) * 1_000_000.0 / ticketsPerSecond);
    long opened = startMillis + offsetMicros / 1000;
    long number = sequence++;
    DeterministicRandom random =
        new DeterministicRandom(DeterministicRandom.mix64(seed + GOLDEN_GAMMA * (number + 1)));
    return new Life(idPrefix + number, opened, random).build();
  }

  /** Builds one ticket's events and truth; every draw comes from the ticket's own random. */
  private final class Life {
    private final String ticketId;
    private final DeterministicRandom random;
    private final List<TicketEvent> events = new ArrayList<>();
    private final List<GeneratedTicket.Episode> episodes = new ArrayList<>();
    private final Channel channel;
    private final String segment;
    private final TicketPriority priority;
    private long clock;
    private Instant firstAgentReply;
    private Instant episodeStart;
    private boolean episodeReopened;

    Life(String ticketId, long opened, DeterministicRandom random) {
      this.ticketId = ticketId;
      this.random = random;
      boolean hot = random.nextDouble() < hotShare;
      Channel drawnChannel = channels[pick(channelCumulative, random.nextDouble())];
      String drawnSegment = segments[pick(segmentCumulative, random.nextDouble())];
      this.channel = hot ? hotChannel : drawnChannel;
      this.segment = hot ? hotSegment : drawnSegment;
      this.priority = priorities[pick(priorityCumulative, random.nextDouble())];
      this.clock = opened;
    }

    GeneratedTicket build() {
      int live = LIVE_CHANNELS.contains(channel) ? 0 : 1;
      Instant openedAt = Instant.ofEpochMilli(clock);
      emit(TicketEventType.OPENED, TicketActor.CUSTOMER, 0);
      episodeStart = openedAt;

      boolean botReplies = BOT_CHANNELS.contains(channel) && random.nextDouble() < BOT_REPLY_SHARE;
      long botDelay = 1_000 + random.nextLongInclusive(14_000);
      double fate = random.nextDouble();
      double firstReplyDraw = random.nextDouble();
      double firstReplyDraw2 = random.nextDouble();
      double chaseDraw = random.nextDouble();
      if (botReplies) {
        emit(TicketEventType.BOT_REPLY, TicketActor.BOT, botDelay);
        if (fate < BOT_RESOLVED_SHARE) {
          emit(
              TicketEventType.RESOLVED,
              TicketActor.BOT,
              30_000 + random.nextLongInclusive(210_000));
          resolveEpisode();
          return ticket();
        }
      }
      if (fate >= 1.0 - ABANDONED_SHARE) {
        return ticket(); // nobody ever answers
      }

      Duration median = FIRST_REPLY_MEDIAN.getOrDefault(channel, Duration.ofHours(3));
      double factor = PRIORITY_FACTOR.getOrDefault(priority, 1.0);
      for (SupportSlowdown slowdown : slowdowns) {
        if (slowdown.appliesTo(channel, openedAt)) {
          factor *= slowdown.factor();
        }
      }
      long firstReplyDelay =
          logNormal(
              median.toMillis() * factor,
              FIRST_REPLY_SIGMA.getOrDefault(channel, DEFAULT_FIRST_REPLY_SIGMA),
              firstReplyDraw,
              firstReplyDraw2);
      long firstReplyAt = openedAt.toEpochMilli() + firstReplyDelay;
      if (chaseDraw < CHASE_SHARE) {
        long chaseAt = openedAt.toEpochMilli() + firstReplyDelay / 2;
        if (chaseAt > clock) {
          emit(TicketEventType.CUSTOMER_REPLY, TicketActor.CUSTOMER, chaseAt - clock);
        }
      }
      emit(TicketEventType.AGENT_REPLY, TicketActor.AGENT, Math.max(1, firstReplyAt - clock));

      int exchanges = pick(EXCHANGES_CUMULATIVE, random.nextDouble());
      for (int i = 0; i < exchanges; i++) {
        emit(
            TicketEventType.CUSTOMER_REPLY,
            TicketActor.CUSTOMER,
            followUp(CUSTOMER_REPLY_MEDIAN[live]));
        emit(
            TicketEventType.AGENT_REPLY, TicketActor.AGENT, followUp(AGENT_FOLLOW_UP_MEDIAN[live]));
      }
      long resolveDelay = followUp(RESOLVE_MEDIAN[live]);
      if (random.nextDouble() < UNRESOLVED_SHARE) {
        return ticket();
      }
      emit(TicketEventType.RESOLVED, TicketActor.AGENT, resolveDelay);
      resolveEpisode();

      long reopenDelay = followUp(REOPEN_MEDIAN);
      long reopenReply = followUp(AGENT_FOLLOW_UP_MEDIAN[live]);
      long reopenResolve = followUp(RESOLVE_MEDIAN[live]);
      double reopenDraw = random.nextDouble();
      double reopenResolvedDraw = random.nextDouble();
      if (reopenDraw < REOPEN_SHARE) {
        emit(TicketEventType.REOPENED, TicketActor.CUSTOMER, reopenDelay);
        episodeStart = Instant.ofEpochMilli(clock);
        episodeReopened = true;
        emit(TicketEventType.AGENT_REPLY, TicketActor.AGENT, reopenReply);
        if (reopenResolvedDraw < REOPEN_RESOLVED_SHARE) {
          emit(TicketEventType.RESOLVED, TicketActor.AGENT, reopenResolve);
          resolveEpisode();
        }
      }
      return ticket();
    }

    private long followUp(Duration median) {
      return logNormal(
          median.toMillis(), FOLLOW_UP_SIGMA, random.nextDouble(), random.nextDouble());
    }

    /** Appends an event {@code delay} ms (at least 1) after the previous one. */
    private void emit(TicketEventType type, TicketActor actor, long delay) {
      if (!events.isEmpty()) {
        clock += Math.max(1, delay);
      }
      Instant time = Instant.ofEpochMilli(clock);
      if (type == TicketEventType.AGENT_REPLY && firstAgentReply == null) {
        firstAgentReply = time;
      }
      events.add(
          TicketEvent.newBuilder()
              .setEventId(ticketId + "-e" + events.size())
              .setEventTime(time)
              .setChannel(channel)
              .setSegment(segment)
              .setTicketId(ticketId)
              .setEventType(type)
              .setPriority(priority)
              .setActor(actor)
              .build());
    }

    private void resolveEpisode() {
      episodes.add(
          new GeneratedTicket.Episode(episodeStart, episodeReopened, Instant.ofEpochMilli(clock)));
      episodeStart = null;
    }

    private GeneratedTicket ticket() {
      if (episodeStart != null) {
        episodes.add(new GeneratedTicket.Episode(episodeStart, episodeReopened, null));
      }
      return new GeneratedTicket(
          ticketId,
          channel,
          segment,
          priority,
          slaTargets.targetFor(channel, priority),
          firstAgentReply,
          episodes,
          events);
    }
  }

  /**
   * A log-normal delay in ms with the given median and σ, from two uniform draws (Box–Muller),
   * capped at {@value #CAP_FACTOR} times the median and at least 1 ms.
   */
  static long logNormal(double medianMillis, double sigma, double u1, double u2) {
    double z =
        StrictMath.sqrt(-2.0 * StrictMath.log(1.0 - u1)) * StrictMath.cos(2.0 * Math.PI * u2);
    double value = medianMillis * StrictMath.exp(sigma * z);
    return Math.max(1, Math.round(Math.min(value, medianMillis * CAP_FACTOR)));
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
    double total = list.stream().mapToDouble(Double::doubleValue).sum();
    double[] cumulative = new double[list.size()];
    double running = 0.0;
    for (int i = 0; i < cumulative.length; i++) {
      running += list.get(i);
      cumulative[i] = running / total;
    }
    return cumulative;
  }

  /** Configures a {@link TicketTrafficGenerator}; starts from the defaults. */
  public static final class Builder {

    private final long seed;
    private final Instant start;
    private final double ticketsPerSecond;
    private Map<Channel, Double> channelMix = DEFAULT_CHANNEL_MIX;
    private Map<String, Double> segmentMix = DEFAULT_SEGMENT_MIX;
    private Map<TicketPriority, Double> priorityMix = DEFAULT_PRIORITY_MIX;
    private double hotShare;
    private Channel hotChannel = DEFAULT_HOT_CHANNEL;
    private String hotSegment = DEFAULT_HOT_SEGMENT;
    private SlaTargets slaTargets;
    private final List<SupportSlowdown> slowdowns = new ArrayList<>();

    private Builder(long seed, Instant start, double ticketsPerSecond) {
      if (!(ticketsPerSecond > 0.0) || Double.isInfinite(ticketsPerSecond)) {
        throw new IllegalArgumentException("rate must be positive and finite: " + ticketsPerSecond);
      }
      this.seed = seed;
      this.start = Objects.requireNonNull(start, "start");
      this.ticketsPerSecond = ticketsPerSecond;
    }

    /** Weights per channel (normalised); default {@link #DEFAULT_CHANNEL_MIX}. */
    public Builder channelMix(Map<Channel, Double> mix) {
      this.channelMix = checkedMix(mix);
      return this;
    }

    /** Weights per segment (normalised); default {@link #DEFAULT_SEGMENT_MIX}. */
    public Builder segmentMix(Map<String, Double> mix) {
      this.segmentMix = checkedMix(mix);
      return this;
    }

    /** Weights per priority (normalised); default {@link #DEFAULT_PRIORITY_MIX}. */
    public Builder priorityMix(Map<TicketPriority, Double> mix) {
      this.priorityMix = checkedMix(mix);
      return this;
    }

    /**
     * Share of tickets (0..1) forced onto the hot channel × segment ({@link #hotKey}, default
     * {@link #DEFAULT_HOT_CHANNEL} × {@link #DEFAULT_HOT_SEGMENT}); the rest follow the mixes.
     * Default 0: no hot key.
     */
    public Builder hotShare(double share) {
      if (!(share >= 0.0 && share <= 1.0)) {
        throw new IllegalArgumentException("hot share must be in [0, 1]: " + share);
      }
      this.hotShare = share;
      return this;
    }

    /** The channel × segment that {@link #hotShare} concentrates tickets on. */
    public Builder hotKey(Channel channel, String segment) {
      this.hotChannel = Objects.requireNonNull(channel, "channel");
      this.hotSegment = Objects.requireNonNull(segment, "segment");
      return this;
    }

    /** SLA targets for the truth's verdicts; default the bundled {@link SlaTargets#defaults()}. */
    public Builder slaTargets(SlaTargets targets) {
      this.slaTargets = Objects.requireNonNull(targets, "targets");
      return this;
    }

    /** Adds a scripted incident. */
    public Builder slowdown(SupportSlowdown slowdown) {
      this.slowdowns.add(Objects.requireNonNull(slowdown, "slowdown"));
      return this;
    }

    public TicketTrafficGenerator build() {
      if (slaTargets == null) {
        slaTargets = SlaTargets.defaults();
      }
      return new TicketTrafficGenerator(this);
    }

    private static <K> Map<K, Double> checkedMix(Map<K, Double> mix) {
      if (mix.isEmpty()) {
        throw new IllegalArgumentException("a mix needs at least one entry");
      }
      double total = 0;
      for (Map.Entry<K, Double> entry : mix.entrySet()) {
        Double weight = entry.getValue();
        if (weight == null || !(weight >= 0) || Double.isInfinite(weight)) {
          throw new IllegalArgumentException("bad weight for " + entry.getKey() + ": " + weight);
        }
        total += weight;
      }
      if (!(total > 0)) {
        throw new IllegalArgumentException("weights must not all be zero: " + mix);
      }
      // The order of the keys decides which draw picks which key: sort them (enums by declaration,
      // strings alphabetically), so a HashMap's order cannot make runs differ.
      return Collections.unmodifiableMap(new TreeMap<>(mix));
    }
  }
}
