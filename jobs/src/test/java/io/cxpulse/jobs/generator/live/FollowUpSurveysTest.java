package io.cxpulse.jobs.generator.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.events.TicketEvent;
import io.cxpulse.jobs.generator.GeneratedTicket;
import io.cxpulse.jobs.generator.TicketTrafficGenerator;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FollowUpSurveysTest {

  private static final Instant START = Instant.parse("2026-01-05T10:00:00Z");
  private static final long SEED = 42;
  private static final int COUNT = 200;

  @Test
  void surveysComeInEventTimeOrderAndAreThePlannersSurveysOfTheSameTickets() {
    List<SurveyResponse> live = take(followUps(), COUNT);
    for (int i = 1; i < live.size(); i++) {
      assertThat(live.get(i).getEventTime()).isAfterOrEqualTo(live.get(i - 1).getEventTime());
    }
    Instant last = live.get(live.size() - 1).getEventTime();

    // The same tickets planned as one list, as the driver split test does.
    List<GeneratedTicket> tickets = TicketTrafficGenerator.create(SEED, START, 1).tickets(4000);
    assertThat(tickets.get(tickets.size() - 1).openedAt()).isAfter(last);
    List<SurveyResponse> planned =
        FollowUpSurveys.defaultSurveys(SEED).surveys(tickets).stream()
            .filter(s -> !s.getEventTime().isAfter(last))
            .sorted(Comparator.comparing(SurveyResponse::getEventTime))
            .toList();
    assertThat(live).hasSize(COUNT).containsExactlyInAnyOrderElementsOf(planned);
    assertThat(live).allSatisfy(s -> assertThat(s.getTicketId()).isNotNull());
  }

  @Test
  void aboutTheDefaultShareOfTicketsGetASurvey() {
    List<GeneratedTicket> tickets = TicketTrafficGenerator.create(SEED, START, 1).tickets(2000);
    int surveyed = FollowUpSurveys.defaultSurveys(SEED).surveys(tickets).size();
    assertThat(surveyed / 2000.0)
        .isBetween(FollowUpSurveys.DEFAULT_SHARE - 0.05, FollowUpSurveys.DEFAULT_SHARE + 0.05);
  }

  @Test
  void onTheWireTheSurveyNamesTheTicketByTheTicketTrafficsTaggedId() {
    String runTag = TrafficPlan.runTag(START);
    TrafficPlan<TicketEvent> ticketPlan =
        new TrafficPlan<>(SEED, runTag, 0, 0, TrafficPlan.EventShape.TICKETS);
    TrafficPlan<SurveyResponse> surveyPlan =
        new TrafficPlan<>(SEED, runTag, 0, 0, TrafficPlan.EventShape.FOLLOW_UPS);

    Set<String> sentTicketIds = new HashSet<>();
    TicketTrafficGenerator events = TicketTrafficGenerator.create(SEED, START, 1);
    for (int i = 0; i < 20_000; i++) {
      byte[] value = ticketPlan.recordsFor(events.next(), START).get(0).value();
      sentTicketIds.add(decodeTicket(value).getTicketId().toString());
    }
    List<String> surveyTicketIds = new ArrayList<>();
    List<String> surveyEventIds = new ArrayList<>();
    FollowUpSurveys followUps = followUps();
    for (int i = 0; i < 100; i++) {
      byte[] value = surveyPlan.recordsFor(followUps.next(), START).get(0).value();
      SurveyResponse sent = decodeSurvey(value);
      surveyTicketIds.add(sent.getTicketId().toString());
      surveyEventIds.add(sent.getEventId().toString());
    }
    assertThat(surveyTicketIds).allSatisfy(id -> assertThat(id).contains(runTag));
    assertThat(sentTicketIds).containsAll(surveyTicketIds);
    assertThat(surveyEventIds).doesNotHaveDuplicates();
  }

  private static FollowUpSurveys followUps() {
    return new FollowUpSurveys(
        TicketTrafficGenerator.create(SEED, START, 1), FollowUpSurveys.defaultSurveys(SEED));
  }

  private static List<SurveyResponse> take(FollowUpSurveys surveys, int count) {
    List<SurveyResponse> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(surveys.next());
    }
    return out;
  }

  private static SurveyResponse decodeSurvey(byte[] value) {
    try {
      return SurveyResponse.fromByteBuffer(ByteBuffer.wrap(value));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static TicketEvent decodeTicket(byte[] value) {
    try {
      return TicketEvent.fromByteBuffer(ByteBuffer.wrap(value));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
