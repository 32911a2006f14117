package io.cxpulse.jobs.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cxpulse.jobs.FlinkTestCluster;
import io.cxpulse.jobs.checkout.CheckoutEndToEnd;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link WebhookSink} in a Flink job on a MiniCluster, POSTing to a real HTTP receiver on loopback:
 * the alerts arrive as JSON and the writer's metrics count them; a receiver that never answers does
 * not keep the job from finishing.
 */
class WebhookSinkTest {

  private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      FlinkTestCluster.withSlots(1, REPORTER.addToConfiguration(new Configuration()));

  private static final List<Alert> ALERTS =
      List.of(TestAlerts.NPS_FIRING, TestAlerts.ABANDONMENT_FIRING, TestAlerts.NPS_RESOLVED);

  @Test
  void postsEveryAlertAndCountsThem() throws Exception {
    try (WebhookReceiver receiver = WebhookReceiver.start().answer(503)) {
      WebhookOptions options =
          WebhookOptions.of(receiver.url("/hook").toString())
              .withInitialBackoff(Duration.ofMillis(10));

      JobExecutionResult result = run(new WebhookSink(options));

      // Delivered before the job ended: close() lets the queue drain into a live receiver.
      List<String> received = new ArrayList<>();
      for (WebhookReceiver.Request request : receiver.requests()) {
        received.add(
            new ObjectMapper().readTree(request.body()).get("alert_id").asText()
                + " "
                + new ObjectMapper().readTree(request.body()).get("status").asText());
      }
      assertThat(received)
          .containsExactly(
              // The first try of the first alert got the 503 and was retried.
              TestAlerts.NPS_FIRING.alertId() + " FIRING",
              TestAlerts.NPS_FIRING.alertId() + " FIRING",
              TestAlerts.ABANDONMENT_FIRING.alertId() + " FIRING",
              TestAlerts.NPS_RESOLVED.alertId() + " RESOLVED");
      assertThat(counter(result, WebhookSink.SENT)).isEqualTo(3);
      assertThat(counter(result, WebhookSink.RETRIES)).isEqualTo(1);
      assertThat(counter(result, WebhookSink.FAILED)).isZero();
      assertThat(counter(result, WebhookSink.DROPPED)).isZero();
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void jobFinishesWhileTheReceiverHangs() throws Exception {
    try (WebhookReceiver receiver = WebhookReceiver.start().hang()) {
      WebhookOptions options =
          WebhookOptions.of(receiver.url("/hook").toString()).withTimeout(Duration.ofSeconds(1));

      JobExecutionResult result = run(new WebhookSink(options));

      assertThat(receiver.requests()).isNotEmpty();
      assertThat(counter(result, WebhookSink.SENT)).isZero();
      assertThat(counter(result, WebhookSink.FAILED) + counter(result, WebhookSink.DROPPED))
          .isEqualTo(ALERTS.size());
    }
  }

  private static JobExecutionResult run(WebhookSink sink) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    env.fromData(ALERTS, TypeInformation.of(Alert.class)).sinkTo(sink);
    return env.execute("webhook sink");
  }

  private static long counter(JobExecutionResult result, String name) {
    return CheckoutEndToEnd.sumCounter(REPORTER, result.getJobID(), name);
  }
}
