package io.cxpulse.jobs.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

class WebhookOptionsTest {

  private static final String SLACK_LIKE =
      "https://hooks.example.com/services/T000/B000/s3cr3t-t0k3n?x=y";

  @Test
  void defaultsAreFiveSecondsFiveAttemptsOneSecondAndAThousand() {
    WebhookOptions options = WebhookOptions.of(SLACK_LIKE);

    assertThat(options.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(options.maxAttempts()).isEqualTo(5);
    assertThat(options.initialBackoff()).isEqualTo(Duration.ofSeconds(1));
    assertThat(options.queueCapacity()).isEqualTo(1000);
  }

  @Test
  void backoffDoublesFromTheInitialOne() {
    WebhookOptions options = WebhookOptions.of(SLACK_LIKE);

    assertThat(options.backoff(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(options.backoff(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(options.backoff(4)).isEqualTo(Duration.ofSeconds(8));
    assertThat(options.backoff(1000)).isEqualTo(Duration.ofSeconds(1L << 20));
  }

  @Test
  void endpointAndToStringShowNoPathQueryOrUserInfo() {
    WebhookOptions options = WebhookOptions.of(SLACK_LIKE);
    WebhookOptions withUser = WebhookOptions.of("http://user:pa55@127.0.0.1:8080/private-path");

    assertThat(options.endpoint()).isEqualTo("https://hooks.example.com:443");
    assertThat(withUser.endpoint()).isEqualTo("http://127.0.0.1:8080");
    assertThat(options.toString())
        .contains("https://hooks.example.com:443")
        .doesNotContain("s3cr3t");
    assertThat(withUser.toString()).doesNotContain("pa55").doesNotContain("private-path");
  }

  @Test
  void rejectsWhatIsNotAnHttpUrlWithoutRepeatingIt() {
    assertThatThrownBy(() -> WebhookOptions.of("hooks.example.com/s3cr3t"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("s3cr3t");
    assertThatThrownBy(() -> WebhookOptions.of("ftp://example.com/s3cr3t"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("s3cr3t");
    assertThatThrownBy(() -> WebhookOptions.of("https://example.com/s3cr3t token"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("s3cr3t");
  }

  @Test
  void rejectsNonPositiveLimits() {
    WebhookOptions options = WebhookOptions.of(SLACK_LIKE);

    assertThatThrownBy(() -> options.withTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> options.withMaxAttempts(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> options.withQueueCapacity(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> options.withInitialBackoff(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void survivesJavaSerializationAsFlinkShipsIt() throws Exception {
    WebhookOptions options = WebhookOptions.of(SLACK_LIKE).withTimeout(Duration.ofSeconds(2));

    assertThat(InstantiationUtil.clone(options)).isEqualTo(options);
  }
}
