package io.cxpulse.jobs.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.cxpulse.events.Channel;
import io.cxpulse.events.SurveyResponse;
import io.cxpulse.events.SurveyType;
import io.cxpulse.jobs.codec.EventDecoder;
import io.cxpulse.jobs.codec.SchemaCatalog;
import io.cxpulse.jobs.validation.SurveyResponseValidator;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SurveyTrafficGeneratorTest {

  private static final Instant START = Instant.parse("2025-06-01T08:00:00Z");
  private static final double RATE = 20.0;
  private static final int N = 50_000;
  private static final List<SurveyResponse> TRAFFIC =
      SurveyTrafficGenerator.create(42, START, RATE).take(N);

  @Test
  void sameSeedGivesTheSameSequenceAndAnotherSeedDoesNot() {
    List<SurveyResponse> again = SurveyTrafficGenerator.create(42, START, RATE).take(N);
    List<SurveyResponse> other = SurveyTrafficGenerator.create(43, START, RATE).take(1_000);

    assertThat(again).isEqualTo(TRAFFIC);
    assertThat(other.get(0)).isNotEqualTo(TRAFFIC.get(0));
    assertThat(other)
        .extracting(SurveyResponse::getScore)
        .isNotEqualTo(TRAFFIC.subList(0, 1_000).stream().map(SurveyResponse::getScore).toList());
  }

  @Test
  void pinsTheFirstResponseSoAChangeOfAlgorithmIsNoticed() {
    // If this fails on purpose (the generator changed), update it: recorded expectations of
    // end-to-end tests built on the generated traffic will have to be recomputed too.
    assertThat(TRAFFIC.get(0).getEventId()).isEqualTo("svy-2a-0");
    assertThat(TRAFFIC.get(N - 1).getEventId()).isEqualTo("svy-2a-" + (N - 1));
    assertThat(SurveyTrafficGenerator.create(42, START, RATE).next()).isEqualTo(TRAFFIC.get(0));
    assertThat(TRAFFIC.get(0))
        .isEqualTo(
            SurveyResponse.newBuilder()
                .setEventId("svy-2a-0")
                .setEventTime(Instant.parse("2025-06-01T08:00:00.067Z"))
                .setChannel(Channel.WEB)
                .setSegment("new")
                .setSurveyId("support-csat")
                .setResponseId("resp-2a-0")
                .setSurveyType(SurveyType.CSAT)
                .setScore(5)
                .setTicketId("tkt-2a-0")
                .build());
    assertThat(fingerprint(TRAFFIC)).isEqualTo(-8976571801062633827L);
  }

  /** Mixes every drawn value of every response; independent of Avro's hashCode. */
  private static long fingerprint(List<SurveyResponse> responses) {
    long hash = 17;
    for (SurveyResponse r : responses) {
      hash = hash * 31 + r.getEventTime().toEpochMilli();
      hash = hash * 31 + r.getChannel().ordinal();
      hash = hash * 31 + r.getSegment().hashCode();
      hash = hash * 31 + r.getSurveyType().ordinal();
      hash = hash * 31 + r.getScore();
      hash = hash * 31 + r.getSurveyId().hashCode();
      hash = hash * 31 + (r.getOrderId() == null ? 0 : 1) + (r.getTicketId() == null ? 0 : 2);
    }
    return hash;
  }

  @Test
  void eventTimesNeverDecreaseAndFollowTheRate() {
    for (int i = 1; i < N; i++) {
      assertThat(TRAFFIC.get(i).getEventTime()).isAfterOrEqualTo(TRAFFIC.get(i - 1).getEventTime());
    }
    assertThat(TRAFFIC.get(0).getEventTime()).isAfterOrEqualTo(START);
    double seconds = Duration.between(START, TRAFFIC.get(N - 1).getEventTime()).toMillis() / 1000.0;
    assertThat(N / seconds).isCloseTo(RATE, within(RATE * 0.03));
  }

  @Test
  void idsAreUniqueAndSeedsDoNotCollide() {
    Set<String> eventIds = new HashSet<>();
    Set<String> responseIds = new HashSet<>();
    TRAFFIC.forEach(
        r -> {
          eventIds.add(r.getEventId());
          responseIds.add(r.getResponseId());
        });
    assertThat(eventIds).hasSize(N);
    assertThat(responseIds).hasSize(N);
    // Seed 0x2 sequence 10 against seed 0x21 sequence 0: the separator keeps them apart.
    assertThat(SurveyTrafficGenerator.create(0x2, START, RATE).take(11).get(10).getEventId())
        .isNotEqualTo(SurveyTrafficGenerator.create(0x21, START, RATE).next().getEventId());
  }

  @Test
  void everyResponseDecodesAndValidates() {
    EventDecoder<SurveyResponse> decoder =
        EventDecoder.surveys(SchemaCatalog.loadFromClasspath().store());
    SurveyResponseValidator validator = new SurveyResponseValidator();
    long now = TRAFFIC.get(N - 1).getEventTime().toEpochMilli();
    for (SurveyResponse response : TRAFFIC) {
      assertThat(decoder.decode(BadRecords.encode(response)).value()).isEqualTo(response);
      assertThat(validator.validate(response, now).isOk()).as("%s", response).isTrue();
    }
  }

  @Test
  void mixesMatchTheConfiguredWeights() {
    Map<Channel, Long> channels =
        TRAFFIC.stream()
            .collect(Collectors.groupingBy(SurveyResponse::getChannel, Collectors.counting()));
    Map<String, Long> segments =
        TRAFFIC.stream()
            .collect(Collectors.groupingBy(SurveyResponse::getSegment, Collectors.counting()));
    Map<SurveyType, Long> types =
        TRAFFIC.stream()
            .collect(Collectors.groupingBy(SurveyResponse::getSurveyType, Collectors.counting()));

    assertThat(channels).containsOnlyKeys(SurveyTrafficGenerator.DEFAULT_CHANNEL_MIX.keySet());
    assertThat(channels).hasSize(8);
    SurveyTrafficGenerator.DEFAULT_CHANNEL_MIX.forEach(
        (channel, share) ->
            assertThat(channels.get(channel) / (double) N)
                .as("%s", channel)
                .isCloseTo(share, within(0.01)));
    assertThat(segments).containsOnlyKeys("new", "returning", "vip", "bargain_hunter");
    SurveyTrafficGenerator.DEFAULT_SEGMENT_MIX.forEach(
        (segment, share) ->
            assertThat(segments.get(segment) / (double) N)
                .as("%s", segment)
                .isCloseTo(share, within(0.01)));
    SurveyTrafficGenerator.DEFAULT_SURVEY_TYPE_MIX.forEach(
        (type, share) ->
            assertThat(types.get(type) / (double) N).as("%s", type).isCloseTo(share, within(0.01)));
  }

  @Test
  void customMixesAreHonoured() {
    List<SurveyResponse> traffic =
        SurveyTrafficGenerator.builder(7, START, 5)
            .channelMix(Map.of(Channel.PHONE, 1.0, Channel.CHAT, 3.0))
            .segmentMix(Map.of("staff", 1.0))
            .surveyTypeMix(Map.of(SurveyType.CES, 1.0))
            .build()
            .take(4_000);

    assertThat(traffic).extracting(SurveyResponse::getSegment).containsOnly("staff");
    assertThat(traffic).extracting(SurveyResponse::getSurveyType).containsOnly(SurveyType.CES);
    assertThat(traffic.stream().filter(r -> r.getChannel() == Channel.CHAT).count() / 4000.0)
        .isCloseTo(0.75, within(0.03));
  }

  @Test
  void scoresDifferByChannelAndSegmentAsDocumented() {
    assertThat(csat(r -> r.getSegment().equals("vip")))
        .isGreaterThan(csat(r -> r.getSegment().equals("bargain_hunter")) + 8);
    assertThat(nps(r -> r.getChannel() == Channel.WEB))
        .isGreaterThan(nps(r -> r.getChannel() == Channel.MARKETPLACE) + 10);
    assertThat(cesMean(r -> r.getChannel() == Channel.PHONE))
        .isGreaterThan(cesMean(r -> r.getChannel() == Channel.WEB) + 0.4);
    // The overall values sit near the documented expectations.
    assertThat(csat(r -> true)).isCloseTo(74.9, within(1.5));
    assertThat(nps(r -> true)).isCloseTo(24.4, within(2.5));
    assertThat(cesMean(r -> true)).isCloseTo(2.88, within(0.06));
  }

  @Test
  void supportChannelsMostlyCarryTicketsAndOthersOrdersNeverBoth() {
    assertThat(TRAFFIC).noneMatch(r -> r.getOrderId() != null && r.getTicketId() != null);
    double ticketsOnChat = share(r -> r.getChannel() == Channel.CHAT, r -> r.getTicketId() != null);
    double ordersOnWeb = share(r -> r.getChannel() == Channel.WEB, r -> r.getOrderId() != null);
    assertThat(ticketsOnChat).isCloseTo(0.60, within(0.03));
    assertThat(ordersOnWeb).isCloseTo(0.60, within(0.03));
    assertThat(TRAFFIC)
        .filteredOn(r -> r.getTicketId() != null)
        .allMatch(r -> r.getSurveyId().startsWith("support-"));
  }

  @Test
  void scoreShiftLowersScoresOnItsChannelInsideItsIntervalAndChangesNothingElse() {
    Instant from = START.plus(Duration.ofMinutes(10));
    Instant until = START.plus(Duration.ofMinutes(30));
    ScoreShift incident = ScoreShift.incident(Channel.WEB, from, Duration.ofMinutes(20));
    List<SurveyResponse> shifted =
        SurveyTrafficGenerator.builder(42, START, RATE).scoreShift(incident).build().take(N);

    Predicate<SurveyResponse> affected = r -> incident.appliesTo(r.getChannel(), r.getEventTime());
    for (int i = 0; i < N; i++) {
      SurveyResponse before = TRAFFIC.get(i);
      SurveyResponse after = shifted.get(i);
      assertThat(SurveyResponse.newBuilder(after).setScore(before.getScore()).build())
          .isEqualTo(before);
      if (!affected.test(before)) {
        assertThat(after.getScore()).isEqualTo(before.getScore());
      }
    }
    List<SurveyResponse> inside = shifted.stream().filter(affected).toList();
    assertThat(inside).isNotEmpty();
    assertThat(inside)
        .allMatch(r -> !r.getEventTime().isBefore(from) && r.getEventTime().isBefore(until));
    double csatBefore = csat(TRAFFIC.stream().filter(affected).toList());
    double csatDuring = csat(inside);
    assertThat(csatDuring).isLessThan(csatBefore - 25);
  }

  @Test
  void scoreProbabilitiesAreDistributions() {
    for (Channel channel : SurveyTrafficGenerator.DEFAULT_CHANNEL_MIX.keySet()) {
      for (SurveyType type : List.of(SurveyType.CSAT, SurveyType.NPS, SurveyType.CES)) {
        double[] p = SurveyTrafficGenerator.scoreProbabilities(channel, "vip", type, -2.0);
        assertThat(IntStream.range(0, p.length).mapToDouble(i -> p[i]).sum())
            .isCloseTo(1.0, within(1e-12));
        assertThat(Arrays.stream(p).min().orElseThrow()).isPositive();
      }
    }
  }

  @Test
  void rejectsConfigurationsThatCannotGenerateValidTraffic() {
    assertThatThrownBy(() -> SurveyTrafficGenerator.create(1, START, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                SurveyTrafficGenerator.builder(1, START, 1)
                    .surveyTypeMix(Map.of(SurveyType.UNKNOWN, 1.0)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> SurveyTrafficGenerator.builder(1, START, 1).channelMix(Map.of(Channel.WEB, 0.0)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> SurveyTrafficGenerator.builder(1, START, 1).segmentMix(Map.of(" ", 1.0)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ScoreShift(Channel.WEB, START, START, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static double share(Predicate<SurveyResponse> of, Predicate<SurveyResponse> having) {
    List<SurveyResponse> selected = TRAFFIC.stream().filter(of).toList();
    return selected.stream().filter(having).count() / (double) selected.size();
  }

  private static double csat(Predicate<SurveyResponse> filter) {
    return csat(TRAFFIC.stream().filter(filter).toList());
  }

  private static double csat(List<SurveyResponse> responses) {
    List<SurveyResponse> csat =
        responses.stream().filter(r -> r.getSurveyType() == SurveyType.CSAT).toList();
    return 100.0 * csat.stream().filter(r -> r.getScore() >= 4).count() / csat.size();
  }

  private static double nps(Predicate<SurveyResponse> filter) {
    List<SurveyResponse> nps =
        TRAFFIC.stream().filter(filter).filter(r -> r.getSurveyType() == SurveyType.NPS).toList();
    long promoters = nps.stream().filter(r -> r.getScore() >= 9).count();
    long detractors = nps.stream().filter(r -> r.getScore() <= 6).count();
    return 100.0 * (promoters - detractors) / nps.size();
  }

  private static double cesMean(Predicate<SurveyResponse> filter) {
    return TRAFFIC.stream()
        .filter(filter)
        .filter(r -> r.getSurveyType() == SurveyType.CES)
        .mapToInt(SurveyResponse::getScore)
        .average()
        .orElseThrow();
  }
}
