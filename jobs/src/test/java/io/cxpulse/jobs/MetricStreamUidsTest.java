package io.cxpulse.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.jobs.alerts.AlertOptions;
import io.cxpulse.jobs.alerts.Alerting;
import io.cxpulse.jobs.checkout.CheckoutJob;
import io.cxpulse.jobs.checkout.CheckoutJobOptions;
import io.cxpulse.jobs.survey.SurveyJob;
import io.cxpulse.jobs.survey.SurveyJobOptions;
import io.cxpulse.jobs.tickets.TicketJob;
import io.cxpulse.jobs.tickets.TicketJobOptions;
import java.time.Duration;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/**
 * Every operator uid of the three metric jobs' production graphs, alerting and progress included,
 * written out: savepoints map state by uid, so a uid that {@link MetricStream} derives differently
 * would leave a savepoint of the previous jar without a home for that operator's state. The lists
 * are the uids the jobs had before {@link MetricStream} built their graphs.
 */
class MetricStreamUidsTest {

  @Test
  void surveyUidsAreThoseOfSavepointsTakenBefore() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    SurveyJobOptions options = SurveyJobOptions.defaults();
    SurveyJob.defineWorkflow(
        env,
        options,
        SurveyJob.kafkaInput(options),
        SurveyJob.productionSinks(options).withAlerting(alerting(options)));

    assertThat(uids(env))
        .containsExactlyInAnyOrder(
            "survey-source",
            "survey-decode-validate",
            "survey-dedup-lateness",
            "survey-window-pre-aggregate",
            "survey-window-merge",
            "survey-window-late-data",
            "survey-window-sink",
            "survey-progress",
            "survey-progress-sink",
            "survey-alert-metric-rows",
            "survey-alert-route",
            "survey-alert-evaluate",
            "survey-alert-topic",
            "survey-alert-table",
            "survey-alert-webhook",
            "survey-alert-evaluations",
            "survey-dead-letter-topic-sink",
            "survey-dead-letter-table-sink");
  }

  @Test
  void checkoutUidsAreThoseOfSavepointsTakenBefore() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    CheckoutJobOptions options = CheckoutJobOptions.defaults();
    CheckoutJob.defineWorkflow(
        env,
        options,
        CheckoutJob.kafkaInput(options),
        CheckoutJob.productionSinks(options).withAlerting(alerting(options)));

    assertThat(uids(env))
        .containsExactlyInAnyOrder(
            "checkout-source",
            "checkout-decode-validate",
            "checkout-dedup-lateness",
            "checkout-sessions",
            "checkout-window-pre-aggregate",
            "checkout-window-merge",
            "checkout-window-too-late",
            "checkout-window-sink",
            "checkout-progress",
            "checkout-progress-sink",
            "checkout-alert-metric-rows",
            "checkout-alert-route",
            "checkout-alert-evaluate",
            "checkout-alert-topic",
            "checkout-alert-table",
            "checkout-alert-webhook",
            "checkout-alert-evaluations",
            "checkout-dead-letter-topic-sink",
            "checkout-dead-letter-table-sink");
  }

  @Test
  void ticketUidsAreThoseOfSavepointsTakenBefore() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    TicketJobOptions options = TicketJobOptions.defaults();
    TicketJob.defineWorkflow(
        env,
        options,
        TicketJob.kafkaInput(options),
        TicketJob.productionSinks(options).withAlerting(alerting(options)));

    assertThat(uids(env))
        .containsExactlyInAnyOrder(
            "ticket-source",
            "ticket-decode-validate",
            "ticket-dedup-lateness",
            "ticket-lifecycle",
            "ticket-window-pre-aggregate",
            "ticket-window-merge",
            "ticket-window-too-late-facts",
            "ticket-window-sink",
            "ticket-progress",
            "ticket-progress-sink",
            "ticket-alert-metric-rows",
            "ticket-alert-route",
            "ticket-alert-evaluate",
            "ticket-alert-topic",
            "ticket-alert-table",
            "ticket-alert-webhook",
            "ticket-alert-evaluations",
            "ticket-dead-letter-topic-sink",
            "ticket-dead-letter-table-sink");
  }

  private static Alerting alerting(MetricJobOptions options) {
    return AlertOptions.DEFAULTS.alerting(
        options.kafka(), options.clickHouse(), options.runtime(), Duration.ZERO);
  }

  /** The uids given in the graph: the sinks' committers derive theirs from their writer's. */
  private static List<String> uids(StreamExecutionEnvironment env) {
    return env.getStreamGraph().getStreamNodes().stream()
        .map(StreamNode::getTransformationUID)
        .filter(uid -> !uid.startsWith("Sink Committer: "))
        .toList();
  }
}
