package io.cxpulse.jobs.tickets.sla;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cxpulse.events.Channel;
import io.cxpulse.events.TicketPriority;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SlaTargetsTest {

  private static final String MINIMAL = "default:\n  default: 8h\n";

  private static SlaTargets parse(String yaml) {
    return SlaTargets.parse(yaml, "test.yaml");
  }

  @Test
  void shippedDefaultsLoadWithMinutesForLiveChannelsAndHoursForTheRest() {
    SlaTargets targets = SlaTargets.defaults();

    assertThat(targets.targetFor(Channel.CHAT, TicketPriority.URGENT))
        .isEqualTo(Duration.ofMinutes(2));
    assertThat(targets.targetFor(Channel.CHAT, TicketPriority.HIGH))
        .isEqualTo(Duration.ofMinutes(5));
    assertThat(targets.targetFor(Channel.CHAT, TicketPriority.NORMAL))
        .isEqualTo(Duration.ofMinutes(10));
    assertThat(targets.targetFor(Channel.CHAT, TicketPriority.LOW))
        .isEqualTo(Duration.ofMinutes(30));
    assertThat(targets.targetFor(Channel.PHONE, TicketPriority.URGENT))
        .isEqualTo(Duration.ofMinutes(1));
    assertThat(targets.targetFor(Channel.EMAIL, TicketPriority.URGENT))
        .isEqualTo(Duration.ofHours(1));
    assertThat(targets.targetFor(Channel.EMAIL, TicketPriority.HIGH))
        .isEqualTo(Duration.ofHours(4));
    assertThat(targets.targetFor(Channel.EMAIL, TicketPriority.NORMAL))
        .isEqualTo(Duration.ofHours(8));
    assertThat(targets.targetFor(Channel.EMAIL, TicketPriority.LOW))
        .isEqualTo(Duration.ofHours(24));
    assertThat(targets.targetFor(Channel.SOCIAL, TicketPriority.URGENT))
        .isEqualTo(Duration.ofHours(1));
    assertThat(targets.targetFor(Channel.SOCIAL, TicketPriority.LOW))
        .isEqualTo(Duration.ofHours(12));
    // WEB is not listed: it falls back to the default entry, the email-like targets.
    assertThat(targets.targetFor(Channel.WEB, TicketPriority.HIGH)).isEqualTo(Duration.ofHours(4));
    assertThat(targets.targetFor(Channel.UNKNOWN, TicketPriority.UNKNOWN))
        .isEqualTo(Duration.ofHours(8));
    assertThat(targets.targetFor(Channel.CHAT, TicketPriority.UNKNOWN))
        .isEqualTo(Duration.ofMinutes(10));
    // Every combination resolves to a positive target.
    for (Channel channel : Channel.values()) {
      for (TicketPriority priority : TicketPriority.values()) {
        assertThat(targets.targetFor(channel, priority)).isPositive();
      }
    }
  }

  @Test
  void fallbackGoesChannelPriorityThenChannelDefaultThenDefaultPriorityThenDefaultDefault() {
    SlaTargets targets =
        parse(
            """
            default:
              URGENT: 30m
              default: 8h
            CHAT:
              URGENT: 2m
              default: 10m
            EMAIL:
              LOW: 24h
            STORE: 1d
            """);

    assertThat(targets.targetFor(Channel.CHAT, TicketPriority.URGENT))
        .isEqualTo(Duration.ofMinutes(2));
    assertThat(targets.targetFor(Channel.CHAT, TicketPriority.LOW))
        .isEqualTo(Duration.ofMinutes(10));
    assertThat(targets.targetFor(Channel.EMAIL, TicketPriority.LOW))
        .isEqualTo(Duration.ofHours(24));
    assertThat(targets.targetFor(Channel.EMAIL, TicketPriority.URGENT))
        .isEqualTo(Duration.ofMinutes(30));
    assertThat(targets.targetFor(Channel.EMAIL, TicketPriority.HIGH))
        .isEqualTo(Duration.ofHours(8));
    assertThat(targets.targetFor(Channel.STORE, TicketPriority.URGENT))
        .isEqualTo(Duration.ofDays(1));
    assertThat(targets.targetFor(Channel.WEB, TicketPriority.URGENT))
        .isEqualTo(Duration.ofMinutes(30));
    assertThat(targets.targetFor(Channel.WEB, TicketPriority.NORMAL))
        .isEqualTo(Duration.ofHours(8));
  }

  @Test
  void acceptsIsoAndShorthandDurationsAndAnyCaseOfKeys() {
    SlaTargets targets =
        parse(
            """
            Default: {default: P1D}
            chat: {urgent: 30s, high: PT1M30S, normal: pt10m}
            mobile_app: {LOW: 2h}
            """);

    assertThat(targets.targetFor(Channel.CHAT, TicketPriority.URGENT))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(targets.targetFor(Channel.CHAT, TicketPriority.HIGH))
        .isEqualTo(Duration.ofSeconds(90));
    assertThat(targets.targetFor(Channel.CHAT, TicketPriority.NORMAL))
        .isEqualTo(Duration.ofMinutes(10));
    assertThat(targets.targetFor(Channel.MOBILE_APP, TicketPriority.LOW))
        .isEqualTo(Duration.ofHours(2));
    assertThat(targets.targetFor(Channel.MOBILE_APP, TicketPriority.HIGH))
        .isEqualTo(Duration.ofDays(1));
    assertThat(SlaTargets.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(SlaTargets.parseDuration(" 5m ")).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void unknownChannelIsNamedWithItsLine() {
    assertThatThrownBy(() -> parse(MINIMAL + "CHATT:\n  URGENT: 2m\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("test.yaml line 3: unknown channel 'CHATT'")
        .hasMessageContaining("MOBILE_APP");
  }

  @Test
  void unknownPriorityIsNamedWithItsLine() {
    assertThatThrownBy(() -> parse(MINIMAL + "CHAT:\n  URGENT: 2m\n  URGNT: 5m\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("test.yaml line 5: CHAT: unknown priority 'URGNT'")
        .hasMessageContaining("LOW, NORMAL, HIGH, URGENT, UNKNOWN");
  }

  @Test
  void nonPositiveDurationIsNamedWithItsKeyAndLine() {
    assertThatThrownBy(() -> parse(MINIMAL + "CHAT:\n  HIGH: 0m\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("test.yaml line 4: CHAT.HIGH: duration must be positive, got '0m'");
    assertThatThrownBy(() -> parse(MINIMAL + "EMAIL:\n  LOW: PT-5M\n"))
        .hasMessage("test.yaml line 4: EMAIL.LOW: duration must be positive, got 'PT-5M'");
  }

  @Test
  void unparsableDurationIsNamedWithItsKeyAndLine() {
    assertThatThrownBy(() -> parse(MINIMAL + "CHAT:\n  LOW: soon\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("test.yaml line 4: CHAT.LOW: unparsable duration 'soon'")
        .hasMessageContaining("PT5M")
        .hasMessageContaining("5m");
    // A bare number has no unit: is 30 seconds or minutes?
    assertThatThrownBy(() -> parse(MINIMAL + "CHAT:\n  LOW: 30\n"))
        .hasMessageStartingWith("test.yaml line 4: CHAT.LOW: unparsable duration '30'");
    assertThatThrownBy(() -> parse(MINIMAL + "CHAT:\n  LOW:\n"))
        .hasMessageStartingWith("test.yaml line 4: CHAT.LOW: no duration given");
    assertThatThrownBy(() -> parse("default: 8h\nSTORE: [1d]\n"))
        .hasMessageStartingWith("test.yaml line 2: STORE: expected a duration");
  }

  @Test
  void missingFallbackIsRejected() {
    assertThatThrownBy(() -> parse("CHAT:\n  URGENT: 2m\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("test.yaml: missing default.default");
    assertThatThrownBy(() -> parse("default:\n  URGENT: 2m\n"))
        .hasMessageStartingWith("test.yaml: missing default.default");
    assertThatThrownBy(() -> parse("")).hasMessageStartingWith("test.yaml: is empty");
  }

  @Test
  void duplicatesAndMalformedYamlAreRejected() {
    assertThatThrownBy(() -> parse(MINIMAL + "CHAT: 5m\nchat: 6m\n"))
        .hasMessage("test.yaml line 4: channel CHAT is given twice");
    assertThatThrownBy(() -> parse(MINIMAL + "CHAT:\n  HIGH: 5m\n  high: 6m\n"))
        .hasMessage("test.yaml line 5: CHAT.HIGH is given twice");
    assertThatThrownBy(() -> parse("- CHAT\n- EMAIL\n"))
        .hasMessageStartingWith("test.yaml line 1: expected a mapping of channel to targets");
    assertThatThrownBy(() -> parse(MINIMAL + "CHAT: {HIGH: 5m\n"))
        .hasMessageStartingWith("test.yaml line ")
        .hasMessageContaining("not valid YAML");
  }

  @Test
  void loadsFromAFile(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("sla.yaml");
    Files.writeString(file, MINIMAL + "PHONE: 1m\n");

    SlaTargets targets = SlaTargets.load(file);

    assertThat(targets.targetFor(Channel.PHONE, TicketPriority.LOW))
        .isEqualTo(Duration.ofMinutes(1));
    assertThat(targets.targetFor(Channel.EMAIL, TicketPriority.LOW)).isEqualTo(Duration.ofHours(8));
    assertThatThrownBy(() -> SlaTargets.load(dir.resolve("missing.yaml")))
        .isInstanceOf(IOException.class);
    Files.writeString(file, MINIMAL + "PHONE: never\n");
    assertThatThrownBy(() -> SlaTargets.load(file))
        .hasMessageStartingWith(file + " line 3: PHONE: unparsable duration 'never'");
  }

  @Test
  void survivesJavaSerializationAsAFlinkFunctionFieldDoes() throws Exception {
    SlaTargets targets = SlaTargets.defaults();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(targets);
    }

    Object copy;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = in.readObject();
    }

    assertThat(copy).isEqualTo(targets);
    assertThat(((SlaTargets) copy).targetFor(Channel.CHAT, TicketPriority.URGENT))
        .isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void rejectsNullLookups() {
    SlaTargets targets = parse(MINIMAL);

    assertThatThrownBy(() -> targets.targetFor(null, TicketPriority.LOW))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("channel");
    assertThatThrownBy(() -> targets.targetFor(Channel.WEB, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("priority");
  }
}
