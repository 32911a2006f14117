package io.cxpulse.jobs.generator.live;

import io.cxpulse.jobs.generator.CheckoutIncident;
import io.cxpulse.jobs.generator.CheckoutTrafficGenerator;
import io.cxpulse.jobs.generator.ScoreShift;
import io.cxpulse.jobs.generator.SupportSlowdown;
import io.cxpulse.jobs.generator.SurveyTrafficGenerator;
import io.cxpulse.jobs.generator.TicketTrafficGenerator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * The generators of one run, producing into Kafka in real time: survey responses, checkouts,
 * support tickets and the follow-up surveys about those tickets, each with the bad records,
 * duplicates and incidents {@link TrafficFlags} asks for. Local mode and {@link GenerateCommand}
 * start exactly this.
 */
public final class LiveTrafficSet implements AutoCloseable {

  /** The topics written. */
  public record Topics(String surveys, String checkouts, String tickets) {}

  private final List<LiveTraffic<?>> generators;

  private LiveTrafficSet(List<LiveTraffic<?>> generators) {
    this.generators = generators;
  }

  /**
   * Starts the generators; event times follow the clock from {@code start}.
   *
   * @param register called with each generator as it starts (local mode stops them in order)
   */
  public static LiveTrafficSet start(
      String bootstrapServers,
      Topics topics,
      TrafficFlags flags,
      Instant start,
      Consumer<AutoCloseable> register) {
    Instant incidentFrom = start.plus(flags.incidentStart());
    long seed = flags.seed();
    SurveyTrafficGenerator.Builder surveys =
        SurveyTrafficGenerator.builder(seed, start, flags.rate());
    CheckoutTrafficGenerator.Builder checkouts =
        CheckoutTrafficGenerator.builder(seed, start, flags.checkoutRate());
    TicketTrafficGenerator.Builder tickets =
        TicketTrafficGenerator.builder(seed, start, flags.ticketRate());
    for (Incident incident : flags.incidents()) {
      switch (incident.kind()) {
        case CSAT_DROP ->
            surveys.scoreShift(
                ScoreShift.incident(incident.channel(), incidentFrom, flags.incidentDuration()));
        case PAYMENT_OUTAGE ->
            checkouts.incident(
                CheckoutIncident.paymentOutage(
                    incident.channel(), incidentFrom, flags.incidentDuration()));
        case SLOW_SUPPORT ->
            tickets.slowdown(
                SupportSlowdown.incident(
                    incident.channel(), incidentFrom, flags.incidentDuration()));
      }
    }
    String runTag = TrafficPlan.runTag(start);
    int bad = flags.badRecordEvery();
    int duplicates = flags.duplicateEvery();
    List<LiveTraffic<?>> generators = new ArrayList<>();
    generators.add(
        started(
            new LiveTraffic<>(
                LiveTraffic.producer(bootstrapServers),
                topics.surveys(),
                surveys.build(),
                TrafficPlan.surveys(seed, runTag, bad, duplicates)),
            register));
    generators.add(
        started(
            new LiveTraffic<>(
                LiveTraffic.producer(bootstrapServers),
                topics.checkouts(),
                checkouts.build(),
                new TrafficPlan<>(seed, runTag, bad, duplicates, TrafficPlan.EventShape.CHECKOUTS)),
            register));
    // A second generator from the same builder yields the same tickets, with their truth.
    FollowUpSurveys followUps =
        new FollowUpSurveys(tickets.build(), FollowUpSurveys.defaultSurveys(seed));
    generators.add(
        started(
            new LiveTraffic<>(
                LiveTraffic.producer(bootstrapServers),
                topics.tickets(),
                tickets.build(),
                new TrafficPlan<>(seed, runTag, bad, duplicates, TrafficPlan.EventShape.TICKETS)),
            register));
    generators.add(
        started(
            new LiveTraffic<>(
                LiveTraffic.producer(bootstrapServers),
                topics.surveys(),
                followUps,
                new TrafficPlan<>(seed, runTag, 0, 0, TrafficPlan.EventShape.FOLLOW_UPS)),
            register));
    return new LiveTrafficSet(List.copyOf(generators));
  }

  private static <T extends SpecificRecordBase> LiveTraffic<T> started(
      LiveTraffic<T> generator, Consumer<AutoCloseable> register) {
    register.accept(generator);
    return generator.start();
  }

  /** What every generator sent so far. */
  public LiveTraffic.Counts counts() {
    return generators.stream()
        .map(LiveTraffic::counts)
        .reduce(LiveTraffic.Counts.NONE, LiveTraffic.Counts::plus);
  }

  /** Stops every generator, newest first. */
  @Override
  public void close() throws InterruptedException {
    for (int i = generators.size() - 1; i >= 0; i--) {
      generators.get(i).close();
    }
  }
}
