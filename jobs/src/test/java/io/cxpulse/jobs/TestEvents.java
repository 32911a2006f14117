package io.cxpulse.jobs;

import io.cxpulse.events.Channel;
import io.cxpulse.events.CheckoutEvent;
import io.cxpulse.events.FunnelStep;
import io.cxpulse.events.SurveyResponse;
import io.cxpulse.events.SurveyType;
import io.cxpulse.events.TicketActor;
import io.cxpulse.events.TicketEvent;
import io.cxpulse.events.TicketEventType;
import io.cxpulse.events.TicketPriority;
import java.time.Instant;

/** Valid sample events for tests; each test changes only the field it is about. */
public final class TestEvents {

  /** The reference ("now") time the samples are valid against. */
  public static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

  private TestEvents() {}

  public static CheckoutEvent.Builder checkout() {
    return CheckoutEvent.newBuilder()
        .setEventId("evt-c-1")
        .setEventTime(NOW.minusSeconds(30))
        .setChannel(Channel.WEB)
        .setSegment("returning")
        .setCheckoutId("chk-42")
        .setStep(FunnelStep.PAYMENT)
        .setCartValueMinor(12_999)
        .setCurrency("EUR")
        .setPaymentFailureReason("card_declined");
  }

  public static TicketEvent.Builder ticket() {
    return TicketEvent.newBuilder()
        .setEventId("evt-t-1")
        .setEventTime(NOW.minusSeconds(30))
        .setChannel(Channel.CHAT)
        .setSegment("vip")
        .setTicketId("tkt-7")
        .setEventType(TicketEventType.AGENT_REPLY)
        .setPriority(TicketPriority.HIGH)
        .setActor(TicketActor.AGENT);
  }

  public static SurveyResponse.Builder survey() {
    return SurveyResponse.newBuilder()
        .setEventId("evt-s-1")
        .setEventTime(NOW.minusSeconds(30))
        .setChannel(Channel.MOBILE_APP)
        .setSegment("new")
        .setSurveyId("post-purchase-nps")
        .setResponseId("resp-1")
        .setSurveyType(SurveyType.NPS)
        .setScore(9)
        .setOrderId("ord-9");
  }
}
