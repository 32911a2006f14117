package io.cxpulse.jobs.tickets.sla;

import io.cxpulse.events.Channel;
import io.cxpulse.events.TicketPriority;
import io.cxpulse.jobs.config.LineYaml;
import io.cxpulse.jobs.config.LineYaml.Field;
import io.cxpulse.jobs.config.LineYaml.ListNode;
import io.cxpulse.jobs.config.LineYaml.MapNode;
import io.cxpulse.jobs.config.LineYaml.Node;
import io.cxpulse.jobs.config.LineYaml.Scalar;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * First-response SLA targets per channel × priority: how long after a ticket is opened the first
 * agent reply may come before the ticket counts as breached.
 *
 * <p>Targets live in a YAML file rather than in code because they are a business decision that
 * differs between shops and changes without a release; {@link #defaults()} reads the file shipped
 * as the resource {@value #DEFAULT_RESOURCE}, which documents the format. Keys are channel symbols
 * (or {@code default}) mapping to priority symbols (or {@code default}); lookup falls back from
 * channel.priority to channel.default to default.priority to default.default.
 *
 * <p>Everything is checked when the file is read, with the file's line and the offending key in the
 * message, so a typo fails the job at start instead of silently giving some tickets the fallback
 * target. The fallbacks are resolved at load time into a full channel × priority table, so {@link
 * #targetFor} is a plain lookup that cannot fail. Immutable and {@link Serializable}, so a Flink
 * function can carry it to its task managers.
 */
public final class SlaTargets implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Classpath resource of the shipped defaults. */
  public static final String DEFAULT_RESOURCE = "sla-targets.yaml";

  /** Key of a fallback entry, at channel level and at priority level. */
  public static final String DEFAULT_KEY = "default";

  private static final Pattern SHORTHAND = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)");

  private final EnumMap<Channel, EnumMap<TicketPriority, Duration>> table;
  private final String source;

  private SlaTargets(EnumMap<Channel, EnumMap<TicketPriority, Duration>> table, String source) {
    this.table = table;
    this.source = source;
  }

  /** The targets shipped with the jobs, from the classpath resource {@value #DEFAULT_RESOURCE}. */
  public static SlaTargets defaults() {
    try (InputStream in = SlaTargets.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "resource " + DEFAULT_RESOURCE + " is not on the classpath");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), DEFAULT_RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read resource " + DEFAULT_RESOURCE, e);
    }
  }

  /**
   * Targets from a YAML file.
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if its content is invalid, naming the line and key
   */
  public static SlaTargets load(Path file) throws IOException {
    return parse(Files.readString(file), file.toString());
  }

  /**
   * Targets from YAML text.
   *
   * @param source name of the text's origin (a file name) for error messages
   * @throws IllegalArgumentException if the text is invalid, naming the line and key
   */
  public static SlaTargets parse(String yaml, String source) {
    Map<String, Entry> entries = new Reader(source).read(yaml);
    Entry fallback = entries.get(DEFAULT_KEY);
    if (fallback == null || fallback.targets.get(DEFAULT_KEY) == null) {
      throw new IllegalArgumentException(
          source
              + ": missing "
              + DEFAULT_KEY
              + "."
              + DEFAULT_KEY
              + ", the target of channels and priorities without their own entry"
              + " (e.g. 'default: {default: 8h}')");
    }
    EnumMap<Channel, EnumMap<TicketPriority, Duration>> table = new EnumMap<>(Channel.class);
    for (Channel channel : Channel.values()) {
      Entry entry = entries.get(channel.name());
      EnumMap<TicketPriority, Duration> row = new EnumMap<>(TicketPriority.class);
      for (TicketPriority priority : TicketPriority.values()) {
        row.put(priority, resolve(entry, fallback, priority.name()));
      }
      table.put(channel, row);
    }
    return new SlaTargets(table, source);
  }

  /**
   * Parses a duration: ISO-8601 ({@code PT5M}, {@code P1D}) or shorthand {@code 500ms}, {@code
   * 30s}, {@code 5m}, {@code 2h}, {@code 1d}.
   *
   * @throws IllegalArgumentException if the text is neither, or the duration is not positive
   */
  public static Duration parseDuration(String text) {
    String trimmed = text.trim();
    Duration duration;
    try {
      Matcher shorthand = SHORTHAND.matcher(trimmed);
      if (shorthand.matches()) {
        long amount = Long.parseLong(shorthand.group(1));
        duration =
            switch (shorthand.group(2)) {
              case "ms" -> Duration.ofMillis(amount);
              case "s" -> Duration.ofSeconds(amount);
              case "m" -> Duration.ofMinutes(amount);
              case "h" -> Duration.ofHours(amount);
              default -> Duration.ofDays(amount);
            };
      } else {
        duration = Duration.parse(trimmed);
      }
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new IllegalArgumentException(
          "unparsable duration '"
              + text
              + "': use ISO-8601 (PT5M, PT1H30M, P1D) or 30s, 5m, 2h, 1d",
          e);
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("duration must be positive, got '" + text + "'");
    }
    return duration;
  }

  /** The first-response target for a ticket of {@code channel} and {@code priority}. */
  public Duration targetFor(Channel channel, TicketPriority priority) {
    return table
        .get(Objects.requireNonNull(channel, "channel"))
        .get(Objects.requireNonNull(priority, "priority"));
  }

  private static Duration resolve(Entry channel, Entry fallback, String priority) {
    if (channel != null) {
      Duration target = channel.targets.get(priority);
      if (target == null) {
        target = channel.targets.get(DEFAULT_KEY);
      }
      if (target != null) {
        return target;
      }
    }
    Duration target = fallback.targets.get(priority);
    return target != null ? target : fallback.targets.get(DEFAULT_KEY);
  }

  /** The targets given for one channel key, by priority key ({@code default} included). */
  private record Entry(Map<String, Duration> targets) {}

  /** Reads the YAML tree ({@link LineYaml}: every key and value with its line). */
  private static final class Reader {

    private static final String CHANNELS =
        Arrays.stream(Channel.values()).map(Enum::name).collect(Collectors.joining(", "));
    private static final String PRIORITIES =
        Arrays.stream(TicketPriority.values()).map(Enum::name).collect(Collectors.joining(", "));

    private final String source;

    Reader(String source) {
      this.source = source;
    }

    Map<String, Entry> read(String yaml) {
      Node root =
          LineYaml.read(yaml, source)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          source + ": is empty, needs at least default.default"));
      if (!(root instanceof MapNode channels)) {
        throw error(root.line(), "expected a mapping of channel to targets, got " + describe(root));
      }
      Map<String, Entry> entries = new HashMap<>();
      for (Field field : channels.fields()) {
        String channel = channelKey(field);
        if (entries.containsKey(channel)) {
          throw error(field.line(), "channel " + channel + " is given twice");
        }
        entries.put(channel, readEntry(channel, field.value()));
      }
      return entries;
    }

    private Entry readEntry(String channel, Node value) {
      Map<String, Duration> targets = new HashMap<>();
      if (value instanceof MapNode priorities) {
        for (Field field : priorities.fields()) {
          String priority = priorityKey(channel, field);
          if (targets.containsKey(priority)) {
            throw error(field.line(), channel + "." + priority + " is given twice");
          }
          targets.put(priority, duration(channel + "." + priority, field.value()));
        }
      } else {
        // One duration for every priority of the channel, e.g. "STORE: 1d".
        targets.put(DEFAULT_KEY, duration(channel, value));
      }
      return new Entry(targets);
    }

    private Duration duration(String key, Node value) {
      if (!(value instanceof Scalar scalar)) {
        throw error(
            value.line(),
            key + ": expected a duration or, for a channel, a mapping of priority to duration");
      }
      if (scalar.isNull()) {
        throw error(scalar.line(), key + ": no duration given");
      }
      try {
        return parseDuration(scalar.text());
      } catch (IllegalArgumentException e) {
        throw error(scalar.line(), key + ": " + e.getMessage());
      }
    }

    private String channelKey(Field field) {
      String key = field.key();
      if (key.equalsIgnoreCase(DEFAULT_KEY)) {
        return DEFAULT_KEY;
      }
      for (Channel channel : Channel.values()) {
        if (channel.name().equalsIgnoreCase(key)) {
          return channel.name();
        }
      }
      throw error(
          field.line(),
          "unknown channel '" + key + "', expected one of " + CHANNELS + " or " + DEFAULT_KEY);
    }

    private String priorityKey(String channel, Field field) {
      String key = field.key();
      if (key.equalsIgnoreCase(DEFAULT_KEY)) {
        return DEFAULT_KEY;
      }
      for (TicketPriority priority : TicketPriority.values()) {
        if (priority.name().equalsIgnoreCase(key)) {
          return priority.name();
        }
      }
      throw error(
          field.line(),
          channel
              + ": unknown priority '"
              + key
              + "', expected one of "
              + PRIORITIES
              + " or "
              + DEFAULT_KEY);
    }

    /** What a node is, as the old token reader said it: a scalar's text, else its opening. */
    private static String describe(Node node) {
      if (node instanceof Scalar scalar) {
        return scalar.text();
      }
      return node instanceof ListNode ? "[" : "{";
    }

    private IllegalArgumentException error(int line, String message) {
      return LineYaml.error(source, line, message);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SlaTargets other && table.equals(other.table);
  }

  @Override
  public int hashCode() {
    return table.hashCode();
  }

  @Override
  public String toString() {
    return "SlaTargets{source=" + source + ", targets=" + table + "}";
  }
}
