package io.cxpulse.jobs.aggregate;

import java.util.Objects;

/**
 * The key of a window row: window start, channel, segment and (for support tickets) priority, plus
 * the salt that spreads one hot row over many pre-aggregation keys.
 *
 * <p>A Flink POJO used as a key: its {@link #hashCode()} depends only on its fields (String and
 * primitive hashes are stable across JVMs), which Flink's key-group assignment requires.
 */
public class WindowKey {

  /** {@link #getSalt()} of a key that is not salted: the merge phase's key. */
  public static final int UNSALTED = -1;

  /** {@link #getPriority()} of a row without a priority dimension. */
  public static final String NO_PRIORITY = "";

  private long windowStart;
  private String channel;
  private String segment;
  private String priority = NO_PRIORITY;
  private int salt = UNSALTED;

  /** For Flink's POJO serializer. */
  public WindowKey() {}

  /** An unsalted key. */
  public static WindowKey of(long windowStart, String channel, String segment, String priority) {
    WindowKey key = new WindowKey();
    key.windowStart = windowStart;
    key.channel = Objects.requireNonNull(channel, "channel");
    key.segment = Objects.requireNonNull(segment, "segment");
    key.priority = Objects.requireNonNull(priority, "priority");
    return key;
  }

  /** This key with {@code newSalt}. */
  public WindowKey withSalt(int newSalt) {
    WindowKey key = of(windowStart, channel, segment, priority);
    key.salt = newSalt;
    return key;
  }

  /** This key without its salt: the row the salted partials merge into. */
  public WindowKey unsalted() {
    return salt == UNSALTED ? this : withSalt(UNSALTED);
  }

  /** The window start, epoch milliseconds. */
  public long getWindowStart() {
    return windowStart;
  }

  public void setWindowStart(long windowStart) {
    this.windowStart = windowStart;
  }

  public String getChannel() {
    return channel;
  }

  public void setChannel(String channel) {
    this.channel = channel;
  }

  public String getSegment() {
    return segment;
  }

  public void setSegment(String segment) {
    this.segment = segment;
  }

  /** The priority, or {@link #NO_PRIORITY}. */
  public String getPriority() {
    return priority;
  }

  public void setPriority(String priority) {
    this.priority = priority;
  }

  /** The salt in {@code [0, salts)}, or {@link #UNSALTED}. */
  public int getSalt() {
    return salt;
  }

  public void setSalt(int salt) {
    this.salt = salt;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WindowKey other
        && windowStart == other.windowStart
        && salt == other.salt
        && Objects.equals(channel, other.channel)
        && Objects.equals(segment, other.segment)
        && Objects.equals(priority, other.priority);
  }

  @Override
  public int hashCode() {
    return Objects.hash(windowStart, channel, segment, priority, salt);
  }

  @Override
  public String toString() {
    return "WindowKey{"
        + windowStart
        + " "
        + channel
        + "/"
        + segment
        + (priority.isEmpty() ? "" : "/" + priority)
        + (salt == UNSALTED ? "" : " salt=" + salt)
        + "}";
  }
}
