package io.cxpulse.jobs.generator;

import io.cxpulse.events.TicketEvent;
import io.cxpulse.events.TicketEventType;
import io.cxpulse.jobs.generator.SurveyScenario.Fate;
import io.cxpulse.jobs.generator.TicketBadRecords.BadRecord;
import io.cxpulse.jobs.pipeline.EventTimeOptions;
import io.cxpulse.jobs.tickets.sla.SlaTargets;
import io.cxpulse.jobs.validation.RejectReason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The exact sequence of Kafka records an end-to-end test produces to {@code cx.tickets}, built from
 * generated tickets ({@link TicketTrafficGenerator}), with the fate of every record known in
 * advance and the ground truth of every ticket ({@link #tickets()}).
 *
 * <p>Like {@link SurveyScenario} (whose timing rules and {@link Fate} it shares; read its comment
 * for the job's lateness rule and the stream position P), with what tickets add:
 *
 * <ul>
 *   <li><b>ON_TIME</b> (counted): in bounded-disorder order, each event delayed by a random
 *       0..{@code outOfOrderness}.
 *   <li><b>LATE</b> (counted): a {@code lateFraction} of events of any type (openings, replies,
 *       resolutions...), held back to E + outOfOrderness + {@code lateMinMargin} ≤ P ≤ E +
 *       allowedLateness − {@code lateMaxMargin}, E the end of the event's window.
 *   <li><b>LATE_REPLY</b> (counted): up to {@code lateReplies} first agent replies that met the
 *       SLA, held back until the stream is past the ticket's deadline (P ≥ deadline +
 *       outOfOrderness + {@code lateMinMargin}) but still within the reply's allowed lateness. The
 *       job counts the breach at the deadline, then retracts it when the reply arrives: a window
 *       row with more than one version. Only tickets whose first reply is their only agent reply
 *       before the deadline and which were not resolved by then qualify; no other event of those
 *       tickets is held back.
 *   <li><b>DUPLICATE</b>: a {@code duplicateFraction} of on-time events sent again, byte-identical,
 *       up to {@code maxDuplicateDelay} later.
 *   <li><b>TOO_LATE</b>: {@code tooLateCount} customer or bot replies held back past their window's
 *       end + allowed lateness + outOfOrderness + {@code tooLateMargin}. Only these two types,
 *       which never change a fact, so the truth of every ticket holds whether they are counted or
 *       not (they are not: dead-lettered).
 *   <li><b>BAD</b>: every variant of {@link TicketBadRecords#allVariants}, spread evenly.
 * </ul>
 *
 * <p>A held-back record whose interval has no place in the stream (the stream thins out in its
 * tail, where only slow tickets still have events) stays on time. Produce every record to one
 * partition, in order, with {@link ScenarioRecord#timestamp()} as the Kafka timestamp. The same
 * seed and parameters give the same records; only the FUTURE_EVENT_TIME record depends on the
 * reference time.
 *
 * <p>For a skew test use {@link Builder#hotShare} and, to make row versions independent of the
 * parallelism, an in-order stream: {@code outOfOrderness(ZERO)}, no late, late-reply, duplicate,
 * too-late or bad records.
 */
public final class TicketScenario {

  /** How the scenario placed a record. */
  public enum Kind {
    /** In bounded-disorder order; counted. */
    ON_TIME,
    /** After its window's end, within its allowed lateness; counted. */
    LATE,
    /** A first agent reply held back past the ticket's SLA deadline; counted, retracts a breach. */
    LATE_REPLY,
    /** A byte-identical second copy of an on-time record; dead-lettered as DUPLICATE. */
    DUPLICATE,
    /** A customer or bot reply after its window's allowed lateness; dead-lettered as TOO_LATE. */
    TOO_LATE,
    /** From {@link TicketBadRecords}; dead-lettered by the decoder or validator. */
    BAD
  }

  private final Builder config;
  private final List<GeneratedTicket> tickets;
  private final List<ScenarioRecord> records;
  private final List<String> lateReplyTickets;

  private TicketScenario(
      Builder config,
      List<GeneratedTicket> tickets,
      List<ScenarioRecord> records,
      List<String> lateReplyTickets) {
    this.config = config;
    this.tickets = Collections.unmodifiableList(tickets);
    this.records = Collections.unmodifiableList(records);
    this.lateReplyTickets = List.copyOf(lateReplyTickets);
  }

  /**
   * A builder.
   *
   * @param seed the traffic and every placement follow from it
   * @param start event time of the first opening
   * @param referenceTime the earliest time at which the job will validate the records (pass the
   *     wall clock when the test starts); every generated event must lie before it
   */
  public static Builder builder(long seed, Instant start, Instant referenceTime) {
    return new Builder(seed, start, referenceTime);
  }

  /** Every record to produce, in production order. */
  public List<ScenarioRecord> records() {
    return records;
  }

  /** The generated tickets with their truth, in order of opening. */
  public List<GeneratedTicket> tickets() {
    return tickets;
  }

  /** The ticket ids whose first reply was sent as {@link Kind#LATE_REPLY}. */
  public List<String> lateReplyTickets() {
    return lateReplyTickets;
  }

  /** How many records end in each fate, in order of first appearance. */
  public Map<Fate, Long> fateCounts() {
    Map<Fate, Long> counts = new LinkedHashMap<>();
    records.forEach(r -> counts.merge(r.fate(), 1L, Long::sum));
    return counts;
  }

  /** How many records of each kind, in order of first appearance. */
  public Map<Kind, Long> kindCounts() {
    Map<Kind, Long> counts = new LinkedHashMap<>();
    records.forEach(r -> counts.merge(r.kind(), 1L, Long::sum));
    return counts;
  }

  /** The events that must be counted, each once, in production order. */
  public List<TicketEvent> countedEvents() {
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

  /**
   * One Kafka record to produce.
   *
   * <p>Not a Java record: the value is an array, which records would compare by identity.
   */
  public static final class ScenarioRecord {

    private final byte[] value;
    private final String key;
    private final Instant timestamp;
    private final Kind kind;
    private final Fate fate;
    private final TicketEvent event;
    private final Instant streamPosition;
    private final String label;

    private ScenarioRecord(
        byte[] value,
        String key,
        Instant timestamp,
        Kind kind,
        Fate fate,
        TicketEvent event,
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

    /** The Kafka key a real producer would use: the ticket_id. */
    public String key() {
      return key;
    }

    /**
     * The Kafka record timestamp: the event_time for events, the stream position for bad records.
     */
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
    public Optional<TicketEvent> event() {
      return Optional.ofNullable(event);
    }

    /** The largest event_time among the on-time records up to this one. */
    public Instant streamPosition() {
      return streamPosition;
    }

    /** A short description, e.g. {@code on-time}, {@code late-reply} or {@code bad:truncated}. */
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
          + (event == null ? "" : ", " + event.getEventType() + " at " + event.getEventTime())
          + "}";
    }
  }

  /** Configures a {@link TicketScenario}; every parameter has a documented default. */
  public static final class Builder {

    private final long seed;
    private final Instant start;
    private final Instant referenceTime;
    private int tickets = 9_500;
    private double ticketsPerSecond = 1.0;
    private double hotShare;
    private SlaTargets slaTargets;
    private Duration windowSize = EventTimeOptions.DEFAULT_WINDOW;
    private Duration outOfOrderness = EventTimeOptions.DEFAULT_OUT_OF_ORDERNESS;
    private Duration allowedLateness = Duration.ofMinutes(20);
    private double lateFraction = 0.01;
    private double duplicateFraction = 0.01;
    private int lateReplies = 20;
    private int tooLateCount = 3;
    private boolean badRecords = true;
    private Duration lateMinMargin = Duration.ofMinutes(2);
    private Duration lateMaxMargin = Duration.ofMinutes(3);
    private Duration tooLateMargin = Duration.ofMinutes(5);
    private Duration maxDuplicateDelay = Duration.ofMinutes(2);

    private Builder(long seed, Instant start, Instant referenceTime) {
      this.seed = seed;
      this.start = Objects.requireNonNull(start, "start");
      this.referenceTime = Objects.requireNonNull(referenceTime, "referenceTime");
    }

    /** Tickets to generate; default 9,500 (about 53,000 events). */
    public Builder tickets(int count) {
      this.tickets = count;
      return this;
    }

    /** Openings per second of event time; default 1. */
    public Builder ticketsPerSecond(double rate) {
      this.ticketsPerSecond = rate;
      return this;
    }

    /**
     * Share of tickets in one channel × segment ({@link TicketTrafficGenerator#DEFAULT_HOT_CHANNEL}
     * × {@link TicketTrafficGenerator#DEFAULT_HOT_SEGMENT}); default 0.
     */
    public Builder hotShare(double share) {
      this.hotShare = share;
      return this;
    }

    /** SLA targets of the truth; default the bundled ones (which the job uses by default). */
    public Builder slaTargets(SlaTargets targets) {
      this.slaTargets = targets;
      return this;
    }

    /** The job's window size; default the job's. */
    public Builder windowSize(Duration value) {
      this.windowSize = value;
      return this;
    }

    /** The job's out-of-orderness bound and the stream's disorder bound; default the job's. */
    public Builder outOfOrderness(Duration value) {
      this.outOfOrderness = value;
      return this;
    }

    /** The job's allowed lateness; default 20 minutes. */
    public Builder allowedLateness(Duration value) {
      this.allowedLateness = value;
      return this;
    }

    /** Share of events sent LATE; default 0.01. */
    public Builder lateFraction(double value) {
      this.lateFraction = value;
      return this;
    }

    /** Share of events sent twice; default 0.01. */
    public Builder duplicateFraction(double value) {
      this.duplicateFraction = value;
      return this;
    }

    /** Most first replies sent as LATE_REPLY; default 20. */
    public Builder lateReplies(int value) {
      this.lateReplies = value;
      return this;
    }

    /** Number of TOO_LATE records; default 3. */
    public Builder tooLateCount(int value) {
      this.tooLateCount = value;
      return this;
    }

    /** Whether to include the {@link TicketBadRecords}; default true. */
    public Builder badRecords(boolean include) {
      this.badRecords = include;
      return this;
    }

    /** How far past window end (deadline) + out-of-orderness a late record comes; default 2 min. */
    public Builder lateMinMargin(Duration value) {
      this.lateMinMargin = value;
      return this;
    }

    /** How far before window end + allowed lateness a late record comes; default 3 min. */
    public Builder lateMaxMargin(Duration value) {
      this.lateMaxMargin = value;
      return this;
    }

    /** How far past window end + allowed lateness + out-of-orderness; default 5 min. */
    public Builder tooLateMargin(Duration value) {
      this.tooLateMargin = value;
      return this;
    }

    /** How much further the stream has moved when a duplicate is re-sent; default 2 min. */
    public Builder maxDuplicateDelay(Duration value) {
      this.maxDuplicateDelay = value;
      return this;
    }

    /**
     * Generates the tickets and places their records.
     *
     * @throws IllegalArgumentException if the parameters contradict each other or an event is not
     *     before the reference time
     */
    public TicketScenario build() {
      validate();
      TicketTrafficGenerator.Builder traffic =
          TicketTrafficGenerator.builder(seed, start, ticketsPerSecond).hotShare(hotShare);
      if (slaTargets != null) {
        traffic.slaTargets(slaTargets);
      }
      List<GeneratedTicket> generated = traffic.build().tickets(tickets);
      for (GeneratedTicket ticket : generated) {
        if (!ticket.lastEventTime().isBefore(referenceTime)) {
          throw new IllegalArgumentException(
              "ticket "
                  + ticket.ticketId()
                  + " has an event at "
                  + ticket.lastEventTime()
                  + ", not before the reference time "
                  + referenceTime
                  + "; start the traffic earlier");
        }
      }
      return new Assembler(this, generated).assemble();
    }

    private void validate() {
      if (tickets < 1) {
        throw new IllegalArgumentException("need at least one ticket: " + tickets);
      }
      if (windowSize.isNegative() || windowSize.isZero()) {
        throw new IllegalArgumentException("windowSize must be positive: " + windowSize);
      }
      for (Duration d :
          List.of(
              outOfOrderness,
              allowedLateness,
              lateMinMargin,
              lateMaxMargin,
              tooLateMargin,
              maxDuplicateDelay)) {
        if (d.isNegative()) {
          throw new IllegalArgumentException("durations must not be negative: " + d);
        }
      }
      if (!(lateFraction >= 0 && duplicateFraction >= 0 && lateFraction + duplicateFraction <= 1)) {
        throw new IllegalArgumentException(
            "fractions must not be negative and add up to at most 1: late "
                + lateFraction
                + ", duplicate "
                + duplicateFraction);
      }
      if (tooLateCount < 0 || lateReplies < 0) {
        throw new IllegalArgumentException("counts must not be negative");
      }
      if ((lateFraction > 0 || lateReplies > 0)
          && allowedLateness.compareTo(outOfOrderness.plus(lateMinMargin).plus(lateMaxMargin))
              < 0) {
        throw new IllegalArgumentException(
            "late records need allowedLateness ≥ outOfOrderness + lateMinMargin + lateMaxMargin");
      }
      if (duplicateFraction > 0
          && allowedLateness.compareTo(outOfOrderness.plus(lateMaxMargin)) <= 0) {
        throw new IllegalArgumentException(
            "duplicates need allowedLateness > outOfOrderness + lateMaxMargin");
      }
    }
  }

  /** One build of the record sequence; times in epoch milliseconds. */
  private static final class Assembler {

    private final Builder config;
    private final List<GeneratedTicket> tickets;
    private final long windowMillis;
    private final long boundMillis;
    private final long latenessMillis;

    /** One event of one ticket. */
    private record Slot(int ticket, TicketEvent event, long time) {}

    /** A record placed after the base record at {@code afterBase}. */
    private record Insert(int afterBase, Kind kind, int tieBreak, ScenarioRecord record) {}

    Assembler(Builder config, List<GeneratedTicket> tickets) {
      this.config = config;
      this.tickets = tickets;
      this.windowMillis = config.windowSize.toMillis();
      this.boundMillis = config.outOfOrderness.toMillis();
      this.latenessMillis = config.allowedLateness.toMillis();
    }

    TicketScenario assemble() {
      List<Slot> slots = new ArrayList<>();
      for (int t = 0; t < tickets.size(); t++) {
        for (TicketEvent event : tickets.get(t).events()) {
          slots.add(new Slot(t, event, event.getEventTime().toEpochMilli()));
        }
      }
      // Stable: equal times keep ticket order, then event order.
      slots.sort(Comparator.comparingLong(Slot::time));
      int n = slots.size();
      long latest = slots.get(n - 1).time();

      // Three draws per event whatever its role, so one choice never shifts another.
      DeterministicRandom random = new DeterministicRandom(config.seed ^ 0x5ce7a210L);
      long[] delay = new long[n];
      double[] roleDraw = new double[n];
      double[] placeDraw = new double[n];
      for (int i = 0; i < n; i++) {
        delay[i] = random.nextLongInclusive(boundMillis);
        roleDraw[i] = random.nextDouble();
        placeDraw[i] = random.nextDouble();
      }

      Kind[] role = new Kind[n];
      Arrays.fill(role, Kind.ON_TIME);
      // The latest event stays on time: the stream's final position is `latest`.
      Set<Integer> lateReplyTickets = chooseLateReplies(slots, role, latest);
      chooseTooLate(slots, role, latest, lateReplyTickets);
      boolean[] duplicated = new boolean[n];
      for (int i = 0; i < n - 1; i++) {
        if (role[i] != Kind.ON_TIME) {
          continue;
        }
        if (roleDraw[i] < config.lateFraction) {
          if (!lateReplyTickets.contains(slots.get(i).ticket()) && lateLow(i, slots) <= latest) {
            role[i] = Kind.LATE;
          }
        } else if (roleDraw[i] < config.lateFraction + config.duplicateFraction) {
          duplicated[i] = true;
        }
      }

      // Held-back records whose interval finds no place in the stream stay on time; putting one
      // back can move positions, so repeat until every held-back record has a place.
      long[] position;
      List<Integer> base;
      while (true) {
        base = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          if (role[i] == Kind.ON_TIME) {
            base.add(i);
          }
        }
        base.sort(
            Comparator.comparingLong((Integer i) -> slots.get(i).time() + delay[i])
                .thenComparingInt(i -> i));
        position = new long[base.size()];
        long running = Long.MIN_VALUE;
        for (int k = 0; k < base.size(); k++) {
          running = Math.max(running, slots.get(base.get(k)).time());
          position[k] = running;
        }
        boolean changed = false;
        for (int i = 0; i < n; i++) {
          if ((role[i] == Kind.LATE || role[i] == Kind.LATE_REPLY)
              && placeRange(position, low(i, slots, role[i]), high(i, slots)) == null) {
            if (role[i] == Kind.LATE_REPLY) {
              lateReplyTickets.remove(slots.get(i).ticket());
            }
            role[i] = Kind.ON_TIME;
            changed = true;
          }
        }
        if (!changed) {
          break;
        }
      }
      int baseCount = base.size();
      int[] baseIndexOf = new int[n];
      for (int k = 0; k < baseCount; k++) {
        baseIndexOf[base.get(k)] = k;
      }

      byte[][] encoded = new byte[n][];
      List<Insert> inserts = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Slot slot = slots.get(i);
        switch (role[i]) {
          case LATE, LATE_REPLY -> {
            int[] range = placeRange(position, low(i, slots, role[i]), high(i, slots));
            int k = range[0] + (int) Math.floor(placeDraw[i] * (range[1] - range[0] + 1));
            k = Math.min(k, range[1]);
            inserts.add(
                new Insert(
                    k,
                    role[i],
                    i,
                    eventRecord(
                        i, slot, encoded, role[i], Fate.COUNTED, position[k], label(role[i]))));
          }
          case TOO_LATE -> {
            long low = tooLateLow(slot.time());
            int first = firstAtOrAfter(position, 0, low);
            int k = first + (int) Math.floor(placeDraw[i] * (baseCount - first));
            k = Math.min(k, baseCount - 1);
            inserts.add(
                new Insert(
                    k,
                    Kind.TOO_LATE,
                    i,
                    eventRecord(
                        i,
                        slot,
                        encoded,
                        Kind.TOO_LATE,
                        Fate.deadLettered(RejectReason.TOO_LATE),
                        position[k],
                        "too-late")));
          }
          case ON_TIME -> {
            if (duplicated[i]) {
              int from = baseIndexOf[i];
              long limit =
                  Math.min(
                      position[from] + config.maxDuplicateDelay.toMillis(),
                      windowEnd(slot.time()) + latenessMillis - config.lateMaxMargin.toMillis());
              int last = Math.max(from, lastAtOrBefore(position, limit));
              int k = from + (int) Math.floor(placeDraw[i] * (last - from + 1));
              k = Math.min(k, last);
              inserts.add(
                  new Insert(
                      k,
                      Kind.DUPLICATE,
                      i,
                      eventRecord(
                          i,
                          slot,
                          encoded,
                          Kind.DUPLICATE,
                          Fate.deadLettered(RejectReason.DUPLICATE),
                          position[k],
                          "duplicate")));
            }
          }
          default -> throw new IllegalStateException("unexpected role " + role[i]);
        }
      }
      if (config.badRecords) {
        List<BadRecord> bad =
            TicketBadRecords.allVariants(
                slots.get(base.get(baseCount / 2)).event(), config.referenceTime);
        for (int v = 0; v < bad.size(); v++) {
          int k = (int) ((long) (v + 1) * baseCount / (bad.size() + 1));
          BadRecord record = bad.get(v);
          inserts.add(
              new Insert(
                  k,
                  Kind.BAD,
                  v,
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
      inserts.sort(
          Comparator.comparingInt(Insert::afterBase)
              .thenComparing(Insert::kind)
              .thenComparingInt(Insert::tieBreak));

      List<ScenarioRecord> records = new ArrayList<>(n + inserts.size());
      int next = 0;
      for (int k = 0; k < baseCount; k++) {
        int i = base.get(k);
        records.add(
            eventRecord(
                i, slots.get(i), encoded, Kind.ON_TIME, Fate.COUNTED, position[k], "on-time"));
        while (next < inserts.size() && inserts.get(next).afterBase() == k) {
          records.add(inserts.get(next++).record());
        }
      }
      List<String> lateReplyIds = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (role[i] == Kind.LATE_REPLY) {
          lateReplyIds.add(slots.get(i).event().getTicketId());
        }
      }
      return new TicketScenario(config, tickets, records, lateReplyIds);
    }

    /**
     * First agent replies that met the SLA, were the only agent reply up to the deadline, of
     * tickets not resolved by then, and can be held back past the deadline within their window's
     * allowed lateness: up to {@code lateReplies} of them, spread over the candidates.
     */
    private Set<Integer> chooseLateReplies(List<Slot> slots, Kind[] role, long latest) {
      List<Integer> candidates = new ArrayList<>();
      for (int i = 0; i < slots.size() - 1; i++) {
        Slot slot = slots.get(i);
        GeneratedTicket ticket = tickets.get(slot.ticket());
        if (ticket.firstAgentReplyAt() == null
            || slot.event().getEventType() != TicketEventType.AGENT_REPLY
            || !ticket.firstAgentReplyAt().equals(slot.event().getEventTime())
            || ticket.slaVerdict() != GeneratedTicket.SlaVerdict.MET) {
          continue;
        }
        long deadline = ticket.deadline().toEpochMilli();
        Instant firstResolution = ticket.episodes().get(0).resolvedAt();
        boolean onlyReplyByDeadline =
            ticket.events().stream()
                    .filter(e -> e.getEventType() == TicketEventType.AGENT_REPLY)
                    .filter(e -> e.getEventTime().toEpochMilli() <= deadline)
                    .count()
                == 1;
        boolean openAtDeadline =
            firstResolution == null || firstResolution.toEpochMilli() > deadline;
        long low = lateReplyLow(ticket);
        if (onlyReplyByDeadline && openAtDeadline && low <= high(i, slots) && low <= latest) {
          candidates.add(i);
        }
      }
      Set<Integer> chosenTickets = new HashSet<>();
      int wanted = Math.min(config.lateReplies, candidates.size());
      for (int c = 0; c < wanted; c++) {
        int i = candidates.get((int) ((long) c * candidates.size() / wanted));
        role[i] = Kind.LATE_REPLY;
        chosenTickets.add(slots.get(i).ticket());
      }
      return chosenTickets;
    }

    /** Customer and bot replies (which change no fact), evenly spread over those that fit. */
    private void chooseTooLate(
        List<Slot> slots, Kind[] role, long latest, Set<Integer> lateReplyTickets) {
      List<Integer> candidates = new ArrayList<>();
      for (int i = 0; i < slots.size() - 1; i++) {
        Slot slot = slots.get(i);
        TicketEventType type = slot.event().getEventType();
        if ((type == TicketEventType.CUSTOMER_REPLY || type == TicketEventType.BOT_REPLY)
            && role[i] == Kind.ON_TIME
            && !lateReplyTickets.contains(slot.ticket())
            && tooLateLow(slot.time()) <= latest) {
          candidates.add(i);
        }
      }
      int wanted = Math.min(config.tooLateCount, candidates.size());
      for (int c = 0; c < wanted; c++) {
        role[candidates.get((int) ((long) (c + 1) * candidates.size() / (wanted + 1)))] =
            Kind.TOO_LATE;
      }
    }

    private long low(int i, List<Slot> slots, Kind kind) {
      return kind == Kind.LATE_REPLY
          ? lateReplyLow(tickets.get(slots.get(i).ticket()))
          : lateLow(i, slots);
    }

    private long lateLow(int i, List<Slot> slots) {
      return windowEnd(slots.get(i).time()) + boundMillis + config.lateMinMargin.toMillis();
    }

    private long lateReplyLow(GeneratedTicket ticket) {
      return ticket.deadline().toEpochMilli() + boundMillis + config.lateMinMargin.toMillis();
    }

    private long high(int i, List<Slot> slots) {
      return windowEnd(slots.get(i).time()) + latenessMillis - config.lateMaxMargin.toMillis();
    }

    private long tooLateLow(long time) {
      return windowEnd(time) + latenessMillis + boundMillis + config.tooLateMargin.toMillis();
    }

    private long windowEnd(long time) {
      return time - Math.floorMod(time, windowMillis) + windowMillis;
    }

    /** Base indexes [first, last] whose position is in [low, high], or null if none. */
    private static int[] placeRange(long[] position, long low, long high) {
      int first = firstAtOrAfter(position, 0, low);
      if (first < 0) {
        return null;
      }
      int last = lastAtOrBefore(position, high);
      return last < first ? null : new int[] {first, last};
    }

    private ScenarioRecord eventRecord(
        int i, Slot slot, byte[][] cache, Kind kind, Fate fate, long position, String label) {
      if (cache[i] == null) {
        cache[i] = BadRecords.encode(slot.event());
      }
      return new ScenarioRecord(
          cache[i],
          slot.event().getTicketId(),
          slot.event().getEventTime(),
          kind,
          fate,
          slot.event(),
          Instant.ofEpochMilli(position),
          label);
    }

    private static String label(Kind kind) {
      return kind == Kind.LATE_REPLY ? "late-reply" : "late";
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
