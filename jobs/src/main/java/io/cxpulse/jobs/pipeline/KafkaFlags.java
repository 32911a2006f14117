package io.cxpulse.jobs.pipeline;

import picocli.CommandLine.Option;

/**
 * The Kafka flag every job takes, as a picocli mixin: the bootstrap servers.
 *
 * <p>Topics and consumer groups stay in the jobs: their defaults and descriptions differ per job.
 */
public final class KafkaFlags {

  /** The local broker of docker-compose.yml. */
  public static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:9092";

  @Option(
      names = "--bootstrap-servers",
      defaultValue = DEFAULT_BOOTSTRAP_SERVERS,
      description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
  private String bootstrapServers;

  /** The Kafka bootstrap servers. */
  public String bootstrapServers() {
    return bootstrapServers;
  }
}
