package io.cxpulse.local;

import io.cxpulse.jobs.alerts.AlertRules;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The local mode's default alert rules, the classpath resource {@value #RESOURCE}: absolute
 * thresholds over 5-minute windows tuned to the live generator, because the shipped rules mostly
 * compare with 7-day baselines that a fresh local mode does not have. The file's comments give each
 * threshold's margin over normal traffic and when each scripted incident fires and resolves.
 */
final class LocalAlertRules {

  /** Classpath resource of the local rules. */
  static final String RESOURCE = "local-alert-rules.yaml";

  private LocalAlertRules() {}

  /**
   * The local rules.
   *
   * @throws IllegalStateException if the resource is missing from the classpath
   */
  static AlertRules load() {
    try (InputStream in = LocalAlertRules.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + RESOURCE + " is not on the classpath");
      }
      return AlertRules.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read resource " + RESOURCE, e);
    }
  }
}
