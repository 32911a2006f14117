package io.cxpulse.jobs.generator;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.events.SurveyType;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TicketFollowUpSurveysTest {

  private static final List<GeneratedTicket> TICKETS =
      TicketTrafficGenerator.builder(7, Instant.parse("2025-06-01T00:00:00Z"), 0.5)
          .build()
          .tickets(4_000);

  private static List<SurveyResponse> surveys(long seed) {
    return new TicketFollowUpSurveys(
            seed, 0.5, TicketFollowUpSurveys.DEFAULT_BREACH_TILT, Duration.ofHours(12))
        .surveys(TICKETS);
  }

  @Test
  void sameSeedSameSurveys() {
    assertThat(surveys(1)).isEqualTo(surveys(1)).isNotEqualTo(surveys(2));
  }

  @Test
  void aShareOfTicketsGetsOneSurveyAfterTheResolutionOnTheTicketsChannelAndSegment() {
    Map<String, GeneratedTicket> byId = new HashMap<>();
    TICKETS.forEach(t -> byId.put(t.ticketId(), t));
    List<SurveyResponse> surveys = surveys(1);

    assertThat(surveys.size()).isBetween(1_800, 2_200);
    assertThat(surveys).extracting(SurveyResponse::getTicketId).doesNotHaveDuplicates();
    assertThat(surveys)
        .allSatisfy(
            s -> {
              GeneratedTicket ticket = byId.get(s.getTicketId());
              assertThat(ticket).isNotNull();
              assertThat(s.getChannel()).isEqualTo(ticket.channel());
              assertThat(s.getSegment()).isEqualTo(ticket.segment());
              Instant resolved = ticket.episodes().get(0).resolvedAt();
              Instant after = resolved != null ? resolved : ticket.lastEventTime();
              assertThat(s.getEventTime())
                  .isAfter(after)
                  .isBefore(after.plus(Duration.ofHours(12)));
            });
    assertThat(surveys)
        .extracting(SurveyResponse::getSurveyType)
        .contains(SurveyType.CSAT, SurveyType.NPS, SurveyType.CES);
  }

  @Test
  void breachedTicketsGetWorseCsat() {
    Map<String, GeneratedTicket> byId = new HashMap<>();
    TICKETS.forEach(t -> byId.put(t.ticketId(), t));
    long[] satisfied = new long[2];
    long[] total = new long[2];
    for (SurveyResponse s : surveys(3)) {
      if (s.getSurveyType() != SurveyType.CSAT) {
        continue;
      }
      int side = TicketFollowUpSurveys.isBreached(byId.get(s.getTicketId())) ? 1 : 0;
      total[side]++;
      satisfied[side] += s.getScore() >= 4 ? 1 : 0;
    }
    assertThat(total[0]).isPositive();
    assertThat(total[1]).isPositive();
    assertThat((double) satisfied[1] / total[1]).isLessThan((double) satisfied[0] / total[0] - 0.1);
  }
}
