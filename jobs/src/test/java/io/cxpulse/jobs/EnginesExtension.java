package io.cxpulse.jobs;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.util.FileUtils;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A stream's end-to-end engines ({@code SurveyEndToEnd}, {@code CheckoutEndToEnd}, {@code
 * TicketEndToEnd}) for one test class: started in a fresh directory before its first test, closed
 * after its last (only one ClickHouse engine runs per JVM). Register it as
 * {@code @RegisterExtension static final}.
 *
 * @param <E> the stream's fixture
 */
public final class EnginesExtension<E extends AutoCloseable>
    implements BeforeAllCallback, AfterAllCallback {

  /** Starts a stream's fixture with its ClickHouse data in {@code clickHouseDir}. */
  @FunctionalInterface
  public interface Starter<E> {
    E start(Path clickHouseDir) throws Exception;
  }

  private final Starter<E> starter;
  private Path dir;
  private E engines;

  public EnginesExtension(Starter<E> starter) {
    this.starter = starter;
  }

  /** The running engines. */
  public E get() {
    if (engines == null) {
      throw new IllegalStateException("the engines start before the test class's first test");
    }
    return engines;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    dir = Files.createTempDirectory("cx-pulse-engines-");
    engines = starter.start(dir);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      if (engines != null) {
        engines.close();
      }
    } finally {
      engines = null;
      if (dir != null) {
        FileUtils.deleteDirectory(dir.toFile());
      }
    }
  }
}
