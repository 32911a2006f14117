package io.cxpulse.jobs.pipeline;

import io.cxpulse.events.Channel;
import java.util.Locale;

/** How event fields become the dimension values stored in ClickHouse. */
public final class Dimensions {

  private Dimensions() {}

  /** The channel as stored: the Avro symbol in lower case, e.g. {@code mobile_app}. */
  public static String channel(Channel channel) {
    return channel.name().toLowerCase(Locale.ROOT);
  }
}
