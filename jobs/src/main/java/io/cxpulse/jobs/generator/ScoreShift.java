package io.cxpulse.jobs.generator;

import io.cxpulse.events.Channel;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A scripted incident for {@link SurveyTrafficGenerator}: while it lasts, responses on one channel
 * score worse (or, with a positive tilt, better).
 *
 * <p>It exists so the demo and alerting tests can show a score drop that starts and ends at known
 * event times, for example "mobile app checkout breaks from 10:15 to 10:45". It moves only scores;
 * every other field and the event times stay exactly as without the shift, so a run with and
 * without it differ in nothing else.
 *
 * <p>The tilt is added to the generator's satisfaction tilt (see {@link SurveyTrafficGenerator}):
 * each step of −1 divides the odds of the best against the worst answer by e. For the default
 * traffic, {@link #INCIDENT_TILT} takes web CSAT from about 76 to about 33, NPS from about +26 to
 * about −41 and the CES mean from about 2.8 to about 4.4, a drop no dashboard can miss.
 *
 * @param channel the channel whose responses are affected
 * @param from first affected event time, inclusive
 * @param until end of the incident, exclusive
 * @param tilt satisfaction tilt added during the incident; negative lowers scores (raises CES)
 */
public record ScoreShift(Channel channel, Instant from, Instant until, double tilt) {

  /** A tilt for a clearly visible incident. */
  public static final double INCIDENT_TILT = -3.0;

  public ScoreShift {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(until, "until");
    if (!from.isBefore(until)) {
      throw new IllegalArgumentException("empty interval: from " + from + " until " + until);
    }
    if (!Double.isFinite(tilt)) {
      throw new IllegalArgumentException("tilt must be finite: " + tilt);
    }
  }

  /**
   * An incident of {@link #INCIDENT_TILT} on {@code channel} for {@code duration} from {@code
   * from}.
   */
  public static ScoreShift incident(Channel channel, Instant from, Duration duration) {
    return new ScoreShift(channel, from, from.plus(duration), INCIDENT_TILT);
  }

  /** Whether a response on {@code responseChannel} at {@code eventTime} is affected. */
  public boolean appliesTo(Channel responseChannel, Instant eventTime) {
    return channel == responseChannel && !eventTime.isBefore(from) && eventTime.isBefore(until);
  }
}
