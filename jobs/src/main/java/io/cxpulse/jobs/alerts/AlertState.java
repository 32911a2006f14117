package io.cxpulse.jobs.alerts;

import java.io.Serializable;
import java.util.Objects;

/**
 * What {@link AlertEvaluator} remembers about one rule on one series between evaluations: whether
 * an episode is open, its id, when the last one resolved (for the cooldown) and the last window
 * evaluated (to ignore replays and stragglers).
 *
 * <p>A Flink POJO (public no-argument constructor, getters and setters, no final fields) so it can
 * be keyed value state written by Flink's POJO serializer, which survives snapshot and restore and
 * allows adding fields later; and {@link Serializable} for anything else. Instants are epoch
 * milliseconds with {@link #NEVER} for "not yet", because a nullable boxed field would be one more
 * case for every reader.
 */
public class AlertState implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The value of a time field that has no event yet. */
  public static final long NEVER = Long.MIN_VALUE;

  private boolean firing;
  private String alertId;
  private long episodeStartMillis = NEVER;
  private long resolvedAtMillis = NEVER;
  private long lastWindowEndMillis = NEVER;

  /** The state of a series never evaluated: quiet, no episode, no cooldown. */
  public AlertState() {}

  /** Whether an episode is open: FIRING was emitted and RESOLVED not yet. */
  public boolean isFiring() {
    return firing;
  }

  public void setFiring(boolean firing) {
    this.firing = firing;
  }

  /** Id of the open episode, or of the last one after it resolved; null before the first. */
  public String getAlertId() {
    return alertId;
  }

  public void setAlertId(String alertId) {
    this.alertId = alertId;
  }

  /** Window start of the evaluation that opened the current or last episode; {@link #NEVER}. */
  public long getEpisodeStartMillis() {
    return episodeStartMillis;
  }

  public void setEpisodeStartMillis(long episodeStartMillis) {
    this.episodeStartMillis = episodeStartMillis;
  }

  /** Window end of the evaluation that resolved the last episode: cooldown starts here. */
  public long getResolvedAtMillis() {
    return resolvedAtMillis;
  }

  public void setResolvedAtMillis(long resolvedAtMillis) {
    this.resolvedAtMillis = resolvedAtMillis;
  }

  /** Window end of the latest evaluation taken; older or equal ones are ignored. */
  public long getLastWindowEndMillis() {
    return lastWindowEndMillis;
  }

  public void setLastWindowEndMillis(long lastWindowEndMillis) {
    this.lastWindowEndMillis = lastWindowEndMillis;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AlertState other
        && firing == other.firing
        && Objects.equals(alertId, other.alertId)
        && episodeStartMillis == other.episodeStartMillis
        && resolvedAtMillis == other.resolvedAtMillis
        && lastWindowEndMillis == other.lastWindowEndMillis;
  }

  @Override
  public int hashCode() {
    return Objects.hash(firing, alertId, episodeStartMillis, resolvedAtMillis, lastWindowEndMillis);
  }

  @Override
  public String toString() {
    return "AlertState{firing="
        + firing
        + ", alertId="
        + alertId
        + ", episodeStartMillis="
        + episodeStartMillis
        + ", resolvedAtMillis="
        + resolvedAtMillis
        + ", lastWindowEndMillis="
        + lastWindowEndMillis
        + "}";
  }
}
