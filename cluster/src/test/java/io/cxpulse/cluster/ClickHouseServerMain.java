package io.cxpulse.cluster;

import io.cxpulse.embedded.clickhouse.EmbeddedClickHouse;
import java.nio.file.Path;

/**
 * The ClickHouse HTTP server of the cluster tests (the embedded engine) in a process of its own, so
 * a test can stop it and start it again on the same data. Arguments: data directory, port, user,
 * password. Prints {@link #READY} once it answers.
 */
public final class ClickHouseServerMain {

  static final String READY = "CLICKHOUSE READY";

  private ClickHouseServerMain() {}

  public static void main(String[] args) throws Exception {
    EmbeddedClickHouse clickHouse =
        EmbeddedClickHouse.builder()
            .dataDir(Path.of(args[0]))
            .port(Integer.parseInt(args[1]))
            .user(args[2], args[3], false)
            .start();
    System.out.println(READY + " " + clickHouse.httpUrl());
    Thread.sleep(Long.MAX_VALUE);
  }
}
