package io.cxpulse.jobs.pipeline;

import java.io.Serializable;
import java.util.Objects;
import picocli.CommandLine.Option;

/**
 * Where the Kafka every job reads and writes is: its bootstrap servers. {@link Flags} is its
 * command-line flag.
 *
 * <p>Topics and consumer groups are the jobs' own: their defaults and descriptions differ per job.
 *
 * @param bootstrapServers Kafka bootstrap servers
 */
public record KafkaOptions(String bootstrapServers) implements Serializable {

  /** The local broker of docker-compose.yml. */
  public static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:9092";

  /** The topic the metric jobs send their dead letters to by default. */
  public static final String DEFAULT_DEAD_LETTER_TOPIC = "cx.dead-letters";

  public static final KafkaOptions DEFAULTS = new KafkaOptions(DEFAULT_BOOTSTRAP_SERVERS);

  private static final long serialVersionUID = 1L;

  public KafkaOptions {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
  }

  /** The flag every job and the generator take, as a picocli mixin. */
  public static final class Flags {

    @Option(
        names = "--bootstrap-servers",
        defaultValue = DEFAULT_BOOTSTRAP_SERVERS,
        description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    private String bootstrapServers;

    /** The options these flags give. */
    public KafkaOptions options() {
      return new KafkaOptions(bootstrapServers);
    }
  }
}
