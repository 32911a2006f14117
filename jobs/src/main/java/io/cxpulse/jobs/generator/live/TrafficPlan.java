package io.cxpulse.jobs.generator.live;

import io.cxpulse.events.CheckoutEvent;
import io.cxpulse.events.SurveyResponse;
import io.cxpulse.events.TicketEvent;
import io.cxpulse.jobs.generator.BadRecords;
import io.cxpulse.jobs.generator.CheckoutBadRecords;
import io.cxpulse.jobs.generator.TicketBadRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * What the live generator sends for each generated event, decided from the seed alone: the event
 * itself with its event time moved slightly into the past (so events arrive a little out of order,
 * and now and then a straggler arrives after its window closed) and its ids tagged with the run
 * (see {@link #TrafficPlan(long, String, int, int, EventShape)}), plus, on a fixed schedule, a bad
 * record (for survey responses: cycling through every {@link BadRecords} variant) and a duplicate
 * of a recent event. No I/O and no clock: {@link LiveTraffic} paces and sends.
 *
 * <p>Events are handled as Avro records by field name ({@link EventShape}), so one plan serves
 * survey responses, checkout events and ticket events alike.
 *
 * @param <T> the event type
 */
final class TrafficPlan<T extends SpecificRecordBase> {

  /**
   * How to handle one event type.
   *
   * @param idFields the string id fields to tag with the run; the first is the Kafka key
   * @param badVariants the bad records derived from an event at a reference time; null for none
   */
  record EventShape<T extends SpecificRecordBase>(
      List<String> idFields, BiFunction<T, Instant, List<Bad>> badVariants) {

    /** Survey responses, keyed by response_id, with every bad-record variant. */
    static final EventShape<SurveyResponse> SURVEYS =
        new EventShape<>(
            List.of("response_id", "event_id"),
            (event, now) ->
                BadRecords.allVariants(event, now).stream()
                    .map(bad -> new Bad(bad.label(), bad.key(), bad.value()))
                    .toList());

    /**
     * Follow-up surveys ({@link FollowUpSurveys}), keyed by response_id, without bad records (the
     * ordinary survey traffic sends those): ticket_id is tagged too, exactly as {@link #TICKETS}
     * tags the ticket's own id, so the driver split job can join the two.
     */
    static final EventShape<SurveyResponse> FOLLOW_UPS =
        new EventShape<>(List.of("response_id", "event_id", "ticket_id"), null);

    /** Checkout events, keyed by checkout_id, with every bad-record variant. */
    static final EventShape<CheckoutEvent> CHECKOUTS =
        new EventShape<>(
            List.of("checkout_id", "event_id"),
            (event, now) ->
                CheckoutBadRecords.allVariants(event, now).stream()
                    .map(bad -> new Bad(bad.label(), bad.key(), bad.value()))
                    .toList());

    /** Ticket events, keyed by ticket_id, with every bad-record variant. */
    static final EventShape<TicketEvent> TICKETS =
        new EventShape<>(
            List.of("ticket_id", "event_id"),
            (event, now) ->
                TicketBadRecords.allVariants(event, now).stream()
                    .map(bad -> new Bad(bad.label(), bad.key(), bad.value()))
                    .toList());
  }

  /** A bad record to send: its label, Kafka key and value. */
  record Bad(String label, String key, byte[] value) {}

  private static final String EVENT_TIME = "event_time";

  /** Largest amount an ordinary event time lags its send time. */
  static final Duration MAX_JITTER = Duration.ofSeconds(2);

  /**
   * Share of responses sent long after their event time, by {@link #STRAGGLER_MIN} to {@link
   * #STRAGGLER_MAX}: past the job's out-of-orderness bound, within its allowed lateness, so they
   * re-fire their window with a higher version when it already closed.
   */
  static final double STRAGGLER_SHARE = 0.002;

  static final Duration STRAGGLER_MIN = Duration.ofSeconds(10);
  static final Duration STRAGGLER_MAX = Duration.ofSeconds(40);

  /** How many responses back a duplicate reaches (a producer retrying an old batch). */
  static final int DUPLICATE_LAG = 50;

  private final SplittableRandom random;
  private final String runTag;
  private final int badRecordEvery;
  private final int duplicateEvery;
  private final EventShape<T> shape;
  private final Deque<Outgoing> recent = new ArrayDeque<>();
  private long responses;
  private long badRecords;

  /**
   * @param seed decides the jitter, as the generator's seed decides the responses
   * @param runTag inserted into every event_id and response_id ({@code svy-2a-17} becomes {@code
   *     svy-2a-<runTag>-17}): the generator's ids depend on the seed alone, and a later run with
   *     the same seed must not repeat ids the job has already seen (it would dead-letter them as
   *     duplicates, e.g. records of the previous run that the job reads again after a restart)
   * @param badRecordEvery one bad record after every this many responses; 0 for none
   * @param duplicateEvery one duplicate after every this many responses; 0 for none
   * @param shape the event type's id fields and bad records
   */
  TrafficPlan(
      long seed, String runTag, int badRecordEvery, int duplicateEvery, EventShape<T> shape) {
    if (badRecordEvery < 0 || duplicateEvery < 0) {
      throw new IllegalArgumentException("intervals must not be negative");
    }
    if (runTag.isEmpty() || runTag.contains("-")) {
      throw new IllegalArgumentException("run tag must be non-empty without '-': " + runTag);
    }
    this.runTag = runTag;
    // A different stream from the generator's, derived from the same seed.
    this.random = new SplittableRandom(seed ^ 0x6A09E667F3BCC909L);
    this.badRecordEvery = badRecordEvery;
    this.duplicateEvery = duplicateEvery;
    this.shape = shape;
  }

  /** A plan for survey responses. */
  static TrafficPlan<SurveyResponse> surveys(
      long seed, String runTag, int badRecordEvery, int duplicateEvery) {
    return new TrafficPlan<>(seed, runTag, badRecordEvery, duplicateEvery, EventShape.SURVEYS);
  }

  /**
   * The Kafka records to send for the next generated event.
   *
   * @param event the next event of the generator, in generation order
   * @param now the wall clock, the reference time of the future-dated bad record
   */
  List<Outgoing> recordsFor(T event, Instant now) {
    responses++;
    long lagMillis =
        random.nextDouble() < STRAGGLER_SHARE
            ? random.nextLong(STRAGGLER_MIN.toMillis(), STRAGGLER_MAX.toMillis() + 1)
            : random.nextLong(MAX_JITTER.toMillis() + 1);
    T jittered = copy(event);
    for (String field : shape.idFields()) {
      jittered.put(field, tagged(jittered.get(field).toString()));
    }
    jittered.put(EVENT_TIME, ((Instant) event.get(EVENT_TIME)).minusMillis(lagMillis));
    Outgoing sent =
        new Outgoing(
            Kind.RESPONSE,
            jittered.get(shape.idFields().get(0)).toString(),
            BadRecords.encode(jittered),
            null);

    List<Outgoing> out = new ArrayList<>(3);
    out.add(sent);
    if (badRecordEvery > 0 && shape.badVariants() != null && responses % badRecordEvery == 0) {
      List<Bad> variants = shape.badVariants().apply(jittered, now);
      Bad bad = variants.get((int) (badRecords++ % variants.size()));
      out.add(new Outgoing(Kind.BAD_RECORD, bad.key(), bad.value(), bad.label()));
    }
    // Offset by a quarter period so that, with the defaults, duplicates and bad records alternate.
    if (duplicateEvery > 0
        && responses % duplicateEvery == duplicateEvery / 4
        && recent.size() == DUPLICATE_LAG) {
      Outgoing original = recent.peekFirst();
      out.add(new Outgoing(Kind.DUPLICATE, original.key(), original.value(), "duplicate"));
    }
    recent.addLast(sent);
    if (recent.size() > DUPLICATE_LAG) {
      recent.removeFirst();
    }
    return out;
  }

  /** {@code prefix-seq} becomes {@code prefix-runTag-seq}; an id without '-' gets a prefix. */
  private String tagged(String id) {
    int last = id.lastIndexOf('-');
    return last < 0 ? runTag + "-" + id : id.substring(0, last + 1) + runTag + id.substring(last);
  }

  @SuppressWarnings("unchecked")
  private static <T extends SpecificRecordBase> T copy(T event) {
    return (T) SpecificData.getForClass(event.getClass()).deepCopy(event.getSchema(), event);
  }

  /** A run tag from the run's start: its epoch second in base 36, e.g. {@code t5lq0g}. */
  static String runTag(Instant start) {
    return Long.toString(start.getEpochSecond(), 36);
  }

  /** What a record is, for the counters. */
  enum Kind {
    RESPONSE,
    BAD_RECORD,
    DUPLICATE
  }

  /**
   * One Kafka record to send.
   *
   * @param key the event's first id field (response_id, checkout_id, ticket_id), as producers key
   * @param value the Kafka value; not copied, not to be modified
   * @param label the bad-record variant or "duplicate"; null for an ordinary response
   */
  record Outgoing(Kind kind, String key, byte[] value, String label) {}
}
