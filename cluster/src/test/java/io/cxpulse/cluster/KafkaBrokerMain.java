package io.cxpulse.cluster;

import io.cxpulse.embedded.kafka.EmbeddedKafka;
import java.nio.file.Path;

/**
 * The Kafka broker of the cluster tests in a process of its own, so a test can SIGKILL it and start
 * it again on the same data directory and port. Arguments: data directory, port. Prints {@link
 * #READY} once clients can connect.
 */
public final class KafkaBrokerMain {

  static final String READY = "KAFKA READY";

  private KafkaBrokerMain() {}

  public static void main(String[] args) throws Exception {
    EmbeddedKafka kafka =
        EmbeddedKafka.builder().dataDir(Path.of(args[0])).port(Integer.parseInt(args[1])).build();
    kafka.start();
    System.out.println(READY + " " + kafka.bootstrapServers());
    Thread.sleep(Long.MAX_VALUE);
  }
}
