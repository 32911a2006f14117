package io.cxpulse.jobs.alerts;

import java.io.StringWriter;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Everything a logger writes at DEBUG and above while open, as text; for checking what logs say
 * (and what they must never say). Restores the configuration on close.
 */
final class CapturedLogs implements AutoCloseable {

  private final StringWriter out = new StringWriter();
  private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
  private final String name;
  private final WriterAppender appender;

  CapturedLogs(Class<?> type) {
    name = type.getName();
    appender =
        WriterAppender.newBuilder()
            .setName("captured-" + name)
            .setTarget(out)
            .setLayout(PatternLayout.newBuilder().withPattern("%-5level %msg%n").build())
            .build();
    appender.start();
    Configuration configuration = context.getConfiguration();
    LoggerConfig logger = new LoggerConfig(name, Level.DEBUG, false);
    logger.addAppender(appender, Level.DEBUG, null);
    configuration.addLogger(name, logger);
    context.updateLoggers();
  }

  /** What was logged so far. */
  String text() {
    return out.toString();
  }

  @Override
  public void close() {
    context.getConfiguration().removeLogger(name);
    context.updateLoggers();
    appender.stop();
  }
}
