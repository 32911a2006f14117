package io.cxpulse.jobs.generator.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.embedded.kafka.EmbeddedKafka;
import io.cxpulse.jobs.checkout.CheckoutJobOptions;
import io.cxpulse.jobs.codec.EventDecoder;
import io.cxpulse.jobs.codec.SchemaCatalog;
import io.cxpulse.jobs.survey.SurveyJobOptions;
import io.cxpulse.jobs.tickets.TicketJobOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-compose's generator, as the compose file runs it: {@link GenerateCommand} in its own JVM
 * against a real broker, an incident from the environment variable, stopped by SIGTERM. Every topic
 * gets events the jobs' decoders read, and the incident is scripted.
 *
 * <p>It tests the jobs module's {@link GenerateCommand} but runs with the local module's tests
 * (local mode's traffic is the same generator): the suite runs the jobs module's tests beside the
 * local module's (scripts/test-all.sh), and its minute of real-time waiting balances the two.
 */
class GenerateCommandITCase {

  @TempDir Path dir;

  @Test
  void producesEveryStreamIntoKafkaUntilStopped() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start()) {
      kafka.createTopics(
          1,
          SurveyJobOptions.DEFAULT_TOPIC,
          CheckoutJobOptions.DEFAULT_TOPIC,
          TicketJobOptions.DEFAULT_TOPIC);
      Path log = dir.resolve("generator.log");
      List<String> command =
          new ArrayList<>(
              List.of(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  GenerateCommand.class.getName(),
                  "--bootstrap-servers=" + kafka.bootstrapServers(),
                  "--rate=40",
                  "--checkout-rate=10",
                  "--ticket-rate=10",
                  "--incident-start=0s",
                  "--report-interval=1s"));
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().put(TrafficFlags.INCIDENTS_ENV, "payment-outage:mobile_app");
      Process generator = builder.start();
      try {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!Files.readString(log).contains("Sent ")) {
          assertThat(generator.isAlive()).as(Files.readString(log)).isTrue();
          assertThat(System.nanoTime()).as(Files.readString(log)).isLessThan(deadline);
          Thread.sleep(200);
        }
        // Until every stream has a record: on a busy machine the three producers start seconds
        // apart (a fixed wait once saw no survey yet).
        SchemaCatalog catalog = SchemaCatalog.loadFromClasspath();
        while (decodable(
                    kafka, SurveyJobOptions.DEFAULT_TOPIC, EventDecoder.surveys(catalog.store()))
                == 0
            || decodable(
                    kafka, CheckoutJobOptions.DEFAULT_TOPIC, EventDecoder.checkout(catalog.store()))
                == 0
            || decodable(
                    kafka, TicketJobOptions.DEFAULT_TOPIC, EventDecoder.tickets(catalog.store()))
                == 0) {
          assertThat(generator.isAlive()).as(Files.readString(log)).isTrue();
          assertThat(System.nanoTime()).as(Files.readString(log)).isLessThan(deadline);
          Thread.sleep(500);
        }
        new ProcessBuilder("kill", "-TERM", Long.toString(generator.pid())).start().waitFor();
        assertThat(generator.waitFor(60, TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
      } finally {
        generator.destroyForcibly();
      }
      assertThat(Files.readString(log))
          .contains("incidents [payment-outage:mobile_app]")
          .contains("Stopping after ");
    }
  }

  /** How many records of {@code topic} decode (bad records, on purpose, do not). */
  private static <T extends org.apache.avro.specific.SpecificRecord> long decodable(
      EmbeddedKafka kafka, String topic, EventDecoder<T> decoder) {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    long ok = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      Map<TopicPartition, Long> end = consumer.endOffsets(List.of(partition));
      while (consumer.position(partition) < end.get(partition)) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
          if (record.value() != null && decoder.decode(record.value()).isOk()) {
            ok++;
          }
        }
      }
    }
    return ok;
  }
}
