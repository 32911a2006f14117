package io.cxpulse.jobs.generator;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.events.SurveyType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Post-contact surveys about generated tickets: for a share of the tickets, one CSAT, NPS or CES
 * response that references the ticket ({@code ticket_id}), on the ticket's channel and segment,
 * answered some time after the ticket's first resolution (or its last event, if never resolved).
 *
 * <p>The effect the driver split should reveal is built in: the score distribution is that of
 * {@link SurveyTrafficGenerator#scoreProbabilities} for the channel, segment and type, tilted
 * towards worse answers by {@link #breachTilt} when the generator's truth says the ticket's SLA was
 * breached ({@link GeneratedTicket#slaVerdict()}).
 *
 * <p>Deterministic: each ticket consumes exactly four random draws, so the same seed and tickets
 * give the same responses. Responses come in ticket order, not in event-time order.
 */
public final class TicketFollowUpSurveys {

  /** Default tilt for breached tickets: clearly worse answers, as customers who waited give. */
  public static final double DEFAULT_BREACH_TILT = -1.5;

  private static final SurveyType[] TYPES = {
    SurveyType.CSAT, SurveyType.CSAT, SurveyType.NPS, SurveyType.CES
  };

  private final long seed;
  private final double share;
  private final double breachTilt;
  private final Duration maxDelay;

  /**
   * @param seed the random seed
   * @param share the share of tickets that get a survey, in [0, 1]
   * @param breachTilt the score tilt for breached tickets (negative: worse)
   * @param maxDelay the latest a survey comes after the resolution (uniform from 1 minute)
   */
  public TicketFollowUpSurveys(long seed, double share, double breachTilt, Duration maxDelay) {
    if (!(share >= 0 && share <= 1)) {
      throw new IllegalArgumentException("share must be in [0, 1]: " + share);
    }
    if (maxDelay.compareTo(Duration.ofMinutes(1)) < 0) {
      throw new IllegalArgumentException("maxDelay must be at least a minute: " + maxDelay);
    }
    this.seed = seed;
    this.share = share;
    this.breachTilt = breachTilt;
    this.maxDelay = maxDelay;
  }

  /** Whether the generator's truth counts the ticket as breached. */
  public static boolean isBreached(GeneratedTicket ticket) {
    return ticket.slaVerdict() == GeneratedTicket.SlaVerdict.BREACHED_AT_DEADLINE
        || ticket.slaVerdict() == GeneratedTicket.SlaVerdict.BREACHED_AT_REPLY;
  }

  /** The responses for {@code tickets}, in ticket order. */
  public List<SurveyResponse> surveys(List<GeneratedTicket> tickets) {
    Planner planner = planner();
    List<SurveyResponse> responses = new ArrayList<>();
    for (GeneratedTicket ticket : tickets) {
      planner.surveyFor(ticket).ifPresent(responses::add);
    }
    return responses;
  }

  /**
   * A planner for an endless series of tickets, one at a time (live traffic); the same tickets in
   * the same order give exactly what {@link #surveys} gives for their list.
   */
  public Planner planner() {
    return new Planner();
  }

  /** Decides ticket by ticket, in order; not thread-safe. */
  public final class Planner {

    private final DeterministicRandom random = new DeterministicRandom(seed ^ 0x5e7f011dL);

    private Planner() {}

    /** The survey about {@code ticket}, if it gets one; consumes four draws either way. */
    public Optional<SurveyResponse> surveyFor(GeneratedTicket ticket) {
      long delayRange = maxDelay.toMillis() - Duration.ofMinutes(1).toMillis();
      double takeDraw = random.nextDouble();
      double typeDraw = random.nextDouble();
      long delay = Duration.ofMinutes(1).toMillis() + random.nextLongInclusive(delayRange);
      double scoreDraw = random.nextDouble();
      if (takeDraw >= share) {
        return Optional.empty();
      }
      SurveyType type = TYPES[(int) (typeDraw * TYPES.length)];
      double tilt = isBreached(ticket) ? breachTilt : 0.0;
      double[] probabilities =
          SurveyTrafficGenerator.scoreProbabilities(ticket.channel(), ticket.segment(), type, tilt);
      int score = (type == SurveyType.NPS ? 0 : 1) + pick(probabilities, scoreDraw);
      Instant resolved = ticket.episodes().get(0).resolvedAt();
      Instant after = resolved != null ? resolved : ticket.lastEventTime();
      String id = ticket.ticketId();
      return Optional.of(
          SurveyResponse.newBuilder()
              .setEventId("svy-fu-" + id)
              .setEventTime(after.plusMillis(delay))
              .setChannel(ticket.channel())
              .setSegment(ticket.segment())
              .setSurveyId("support-" + type.name().toLowerCase(java.util.Locale.ROOT))
              .setResponseId("resp-fu-" + id)
              .setSurveyType(type)
              .setScore(score)
              .setTicketId(id)
              .build());
    }
  }

  private static int pick(double[] probabilities, double draw) {
    double cumulative = 0;
    for (int i = 0; i < probabilities.length - 1; i++) {
      cumulative += probabilities[i];
      if (draw < cumulative) {
        return i;
      }
    }
    return probabilities.length - 1;
  }
}
