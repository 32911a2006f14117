package io.cxpulse.jobs.pipeline;

import io.cxpulse.events.Channel;
import io.cxpulse.events.CheckoutEvent;
import io.cxpulse.events.FunnelStep;
import io.cxpulse.events.SurveyResponse;
import io.cxpulse.events.SurveyType;
import io.cxpulse.events.TicketActor;
import io.cxpulse.events.TicketEvent;
import io.cxpulse.events.TicketEventType;
import io.cxpulse.events.TicketPriority;
import io.cxpulse.jobs.generator.BadRecords;
import io.cxpulse.jobs.validation.CheckoutEventValidator;
import io.cxpulse.jobs.validation.EventGate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Records of the three event schemas with every field drawn from its extremes and oddities, as
 * Kafka values with a Kafka timestamp: the input of the event gate's property tests.
 *
 * <p>Extremes are what real producers get wrong: times of {@code Long.MIN/MAX_VALUE}, 0, negative,
 * in seconds or microseconds, 9999-12-31 and 1600; empty, blank, at and one past the length bound,
 * 1 MiB and non-BMP strings, NUL and control characters, U+FFFD, lone surrogates and bytes that are
 * not UTF-8; every enum symbol; scores and amounts at and beyond both ends; Kafka timestamps that
 * are missing, zero or as far ahead as the event. A fraction of values is ordinary so that most
 * records break only one or two rules, and some pass.
 */
public final class ExtremeRecords {

  /** The job's clock in these tests, and the time the ordinary values are near. */
  public static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

  /** A Kafka value with the Kafka timestamp a producer gave it ({@link RawRecord#NO_TIMESTAMP}). */
  public record Generated(String schema, byte[] value, long kafkaTimestamp, String description) {
    @Override
    public String toString() {
      return schema
          + " ("
          + value.length
          + " bytes, kafka ts "
          + kafkaTimestamp
          + "): "
          + description;
    }
  }

  private ExtremeRecords() {}

  /** Any of the three schemas, and now and then a value that is not an event at all. */
  static Arbitrary<Generated> anyRecord() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, surveys()),
        net.jqwik.api.Tuple.of(3, checkouts()),
        net.jqwik.api.Tuple.of(3, tickets()),
        net.jqwik.api.Tuple.of(1, garbage()));
  }

  public static Arbitrary<Generated> surveys() {
    Arbitrary<SurveyResponse> events =
        Combinators.combine(
                strings().list().ofSize(4),
                eventTimes(),
                Arbitraries.of(Channel.values()),
                Arbitraries.of(SurveyType.values()),
                scores(),
                strings().injectNull(0.5).list().ofSize(2))
            .as(
                (ids, time, channel, type, score, links) ->
                    SurveyResponse.newBuilder()
                        .setEventId(ids.get(0))
                        .setEventTime(time)
                        .setChannel(channel)
                        .setSegment(ids.get(1))
                        .setSurveyId(ids.get(2))
                        .setResponseId(ids.get(3))
                        .setSurveyType(type)
                        .setScore(score)
                        .setOrderId(links.get(0))
                        .setTicketId(links.get(1))
                        .build());
    return encoded("SurveyResponse", events);
  }

  static Arbitrary<Generated> checkouts() {
    Arbitrary<CheckoutEvent> events =
        Combinators.combine(
                strings().list().ofSize(3),
                eventTimes(),
                Arbitraries.of(Channel.values()),
                Arbitraries.of(FunnelStep.values()),
                amounts(),
                strings().injectNull(0.5).list().ofSize(2))
            .as(
                (ids, time, channel, step, amount, optional) ->
                    CheckoutEvent.newBuilder()
                        .setEventId(ids.get(0))
                        .setEventTime(time)
                        .setChannel(channel)
                        .setSegment(ids.get(1))
                        .setCheckoutId(ids.get(2))
                        .setStep(step)
                        .setCartValueMinor(amount)
                        .setCurrency(amount % 2 == 0 ? "EUR" : "eu\u0000")
                        .setPaymentFailureReason(optional.get(0))
                        .setOrderId(optional.get(1))
                        .build());
    return encoded("CheckoutEvent", events);
  }

  static Arbitrary<Generated> tickets() {
    Arbitrary<TicketEvent> events =
        Combinators.combine(
                strings().list().ofSize(3),
                eventTimes(),
                Arbitraries.of(Channel.values()),
                Arbitraries.of(TicketEventType.values()),
                Arbitraries.of(TicketPriority.values()),
                Arbitraries.of(TicketActor.values()))
            .as(
                (ids, time, channel, type, priority, actor) ->
                    TicketEvent.newBuilder()
                        .setEventId(ids.get(0))
                        .setEventTime(time)
                        .setChannel(channel)
                        .setSegment(ids.get(1))
                        .setTicketId(ids.get(2))
                        .setEventType(type)
                        .setPriority(priority)
                        .setActor(actor)
                        .build());
    return encoded("TicketEvent", events);
  }

  /** Bytes that are not a valid event: empty, a tombstone, random, a bare header. */
  public static Arbitrary<Generated> garbage() {
    Arbitrary<byte[]> values =
        Arbitraries.oneOf(
            Arbitraries.just(new byte[0]),
            Arbitraries.just(new byte[] {(byte) 0xC3, 0x01}),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(64),
            Arbitraries.bytes()
                .array(byte[].class)
                .ofMaxSize(40)
                .map(
                    tail -> {
                      byte[] value =
                          Arrays.copyOf(new byte[] {(byte) 0xC3, 0x01}, 10 + tail.length);
                      System.arraycopy(tail, 0, value, 10, tail.length);
                      return value;
                    }));
    return Combinators.combine(values, kafkaTimestamps(NOW))
        .as((value, ts) -> new Generated("garbage", value, ts, "garbage bytes"));
  }

  /**
   * Encodes each event; one in ten has the bytes of a string field broken into invalid UTF-8 (when
   * one holds {@link BadRecords#invalidUtf8Marker()}), one in twenty is cut short.
   */
  private static <T extends SpecificRecordBase> Arbitrary<Generated> encoded(
      String schema, Arbitrary<T> events) {
    return Combinators.combine(
            events, Arbitraries.integers().between(0, 19).withoutEdgeCases(), kafkaTimestamps(null))
        .as(
            (event, mutation, kafkaTimestamp) -> {
              byte[] value = BadRecords.encode(event);
              String description = event.toString();
              if (description.contains(BadRecords.invalidUtf8Marker())) {
                value = BadRecords.withInvalidUtf8(value);
                description = "invalid UTF-8 in " + description;
              } else if (mutation == 0 && value.length > 11) {
                value = Arrays.copyOf(value, value.length - 1);
                description = "truncated " + description;
              }
              long ts = kafkaTimestamp == Long.MIN_VALUE ? eventMillis(event) : kafkaTimestamp;
              return new Generated(schema, value, ts, abbreviate(description));
            });
  }

  private static long eventMillis(SpecificRecordBase event) {
    return ((Instant) event.get("event_time")).toEpochMilli();
  }

  private static String abbreviate(String text) {
    return text.length() <= 300 ? text : text.substring(0, 300) + "… (" + text.length() + ")";
  }

  /** Strings from their extremes (one in five), and ordinary ids and segments. */
  private static Arbitrary<String> strings() {
    Arbitrary<String> ordinary =
        Arbitraries.strings().alpha().numeric().withChars('-', '_').ofMinLength(1).ofMaxLength(40);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, ordinary),
        net.jqwik.api.Tuple.of(1, Arbitraries.of(extremeStrings())));
  }

  private static String[] extremeStrings() {
    int bound = EventGate.DEFAULT_MAX_STRING_BYTES;
    return new String[] {
      "",
      " ",
      "\t",
      "ok-id",
      "segment-a",
      "vip",
      "a".repeat(bound),
      "a".repeat(bound + 1),
      "€".repeat(bound / 3),
      "€".repeat(bound / 3 + 1),
      "x".repeat(1 << 20),
      "😀 顧客 ünï",
      "😀".repeat(bound / 4),
      "nul\u0000inside",
      "bell\u0007",
      "line\nbreak",
      "del\u007F",
      "\uFFFD",
      "lone\uD800surrogate",
      "\uDC00",
      BadRecords.invalidUtf8Marker(),
      "shared-id-1",
      "shared-id-1"
    };
  }

  /** Event times from their extremes, and ordinary ones near {@link #NOW}. */
  private static Arbitrary<Instant> eventTimes() {
    long now = NOW.toEpochMilli();
    long earliest = EventGate.DEFAULT.earliestEventTime().toEpochMilli();
    long skew = EventGate.DEFAULT.maxFutureSkew().toMillis();
    Arbitrary<Long> extreme =
        Arbitraries.of(
            Long.MIN_VALUE,
            Long.MIN_VALUE + 1,
            -1L,
            0L,
            1L,
            Long.MAX_VALUE,
            Long.MAX_VALUE - 1,
            now / 1000,
            now * 1000,
            Instant.parse("9999-12-31T23:59:59Z").toEpochMilli(),
            Instant.parse("1600-01-01T00:00:00Z").toEpochMilli(),
            Instant.parse("1969-12-31T00:00:00Z").toEpochMilli(),
            Instant.parse("2106-02-07T06:28:16Z").toEpochMilli(),
            earliest - 1,
            earliest,
            now + skew,
            now + skew + 1,
            now + Duration.ofMinutes(50).toMillis());
    Arbitrary<Long> ordinary =
        Arbitraries.longs().between(now - Duration.ofDays(2).toMillis(), now);
    return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(1, extreme), net.jqwik.api.Tuple.of(2, ordinary))
        .map(Instant::ofEpochMilli);
  }

  /**
   * Kafka timestamps: none, zero, the job's clock, far ahead, or (for {@code eventTime == null})
   * {@code Long.MIN_VALUE} as a stand-in for "the same as the event time", a producer whose clock
   * is as wrong as its events.
   */
  private static Arbitrary<Long> kafkaTimestamps(Instant fixed) {
    long now = NOW.toEpochMilli();
    return Arbitraries.of(
        RawRecord.NO_TIMESTAMP,
        0L,
        now,
        now + Duration.ofMinutes(50).toMillis(),
        Long.MAX_VALUE,
        fixed == null ? Long.MIN_VALUE : fixed.toEpochMilli());
  }

  private static Arbitrary<Integer> scores() {
    return Arbitraries.oneOf(
        Arbitraries.of(Integer.MIN_VALUE, -1, 0, 1, 5, 6, 7, 8, 10, 11, Integer.MAX_VALUE),
        Arbitraries.integers().between(0, 10));
  }

  private static Arbitrary<Long> amounts() {
    long max = CheckoutEventValidator.MAX_CART_VALUE_MINOR;
    return Arbitraries.oneOf(
        Arbitraries.of(Long.MIN_VALUE, -1L, 0L, max, max + 1, Long.MAX_VALUE),
        Arbitraries.longs().between(0, 1_000_000));
  }
}
