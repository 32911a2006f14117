package io.cxpulse.embedded.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that hold connections, send slowly or send huge headers cannot take the HTTP interface
 * away from everyone else: the probes of the security issue (8 clients sending a byte every 5 s
 * made every other query time out for a minute) on the real server and engine.
 *
 * <p>The JDK server reads its limits once per JVM, at its first start, so these tests see the
 * server's defaults ({@link ClickHouseHttpServer#MAX_CONNECTIONS} and friends) unless the build
 * passes others on the command line.
 */
class ClickHouseConnectionLimitsITCase {

  @TempDir static Path dataDir;

  private static final String USER = "writer";
  private static final String PASSWORD = "writer-secret";

  /** The longest any single answer may take here before the test calls the server stalled. */
  private static final Duration STALLED = Duration.ofSeconds(20);

  private static EmbeddedClickHouse clickHouse;

  private final List<Socket> held = new ArrayList<>();
  private final ScheduledExecutorService trickle = Executors.newScheduledThreadPool(1);

  @BeforeAll
  static void start() throws IOException {
    clickHouse =
        EmbeddedClickHouse.builder().dataDir(dataDir).port(0).user(USER, PASSWORD, false).start();
  }

  @AfterAll
  static void stop() {
    clickHouse.close();
  }

  @AfterEach
  void releaseHeldConnections() throws IOException {
    trickle.shutdownNow();
    for (Socket socket : held) {
      socket.close();
    }
  }

  @Test
  void slowClientsDoNotStallOtherQueries() throws Exception {
    // Each sends the start of a request, then one header byte every 500 ms, and never finishes.
    for (int i = 0; i < 8; i++) {
      Socket slow = open();
      slow.getOutputStream().write(requestStart().getBytes(StandardCharsets.US_ASCII));
      OutputStream out = slow.getOutputStream();
      trickle.scheduleAtFixedRate(() -> writeQuietly(out, 'x'), 0, 500, TimeUnit.MILLISECONDS);
    }
    Thread.sleep(1_000);

    assertThat(select("SELECT 1").body()).isEqualTo("1\n");
    assertThat(select("SELECT count() FROM numbers(1000)").body()).isEqualTo("1000\n");
  }

  @Test
  void connectionsBeyondTheLimitAreClosedWhileTheRunningQueryFinishes() throws Exception {
    CompletableFuture<HttpResponse<String>> running =
        client()
            .sendAsync(
                request("SELECT sum(sleepEachRow(0.5)) FROM numbers(6)"),
                HttpResponse.BodyHandlers.ofString());
    Thread.sleep(300);
    // The running query holds one connection; these take all the others.
    for (int i = 1; i < ClickHouseHttpServer.MAX_CONNECTIONS; i++) {
      held.add(open());
    }
    Thread.sleep(300);

    assertThatThrownBy(() -> select("SELECT 1"))
        .as("one connection more than the limit")
        .isInstanceOf(IOException.class);
    assertThat(running.get(STALLED.toSeconds(), TimeUnit.SECONDS))
        .as("the query running when the connections arrived")
        .satisfies(done -> assertThat(done.statusCode()).isEqualTo(200))
        .satisfies(done -> assertThat(done.body()).isEqualTo("0\n"));

    for (Socket socket : held) {
      socket.close();
    }
    held.clear();
    Thread.sleep(300);
    assertThat(select("SELECT 2").body()).as("once the connections are gone").isEqualTo("2\n");
  }

  @Test
  void anOversizedHeaderIsRefusedAndTheServerGoesOn() throws Exception {
    String header = "X-Padding: " + "a".repeat(ClickHouseHttpServer.MAX_HEADER_BYTES) + "\r\n";
    try (Socket socket = open()) {
      OutputStream out = socket.getOutputStream();
      out.write(requestStart().getBytes(StandardCharsets.US_ASCII));
      out.write(header.getBytes(StandardCharsets.US_ASCII));
      out.write(
          "Connection: close\r\nContent-Length: 8\r\n\r\nSELECT 1"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String answer = readAll(socket.getInputStream());
      assertThat(answer)
          .as("what the server sent back to an oversized header")
          .doesNotContain("200 OK")
          .doesNotContain("\r\n\r\n1\n");
    }
    assertThat(select("SELECT 3").body()).isEqualTo("3\n");
  }

  private Socket open() throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), clickHouse.port());
    socket.setSoTimeout((int) STALLED.toMillis());
    held.add(socket);
    return socket;
  }

  private static String requestStart() {
    return "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + basicAuth() + "\r\n";
  }

  private static String basicAuth() {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
  }

  private static void writeQuietly(OutputStream out, char c) {
    try {
      out.write(c);
      out.flush();
    } catch (IOException closedByTheServer) {
      // What the server should eventually do to a client this slow.
    }
  }

  /** Everything until the server closes the connection or the socket's timeout passes. */
  private static String readAll(InputStream in) throws IOException {
    StringBuilder read = new StringBuilder();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) > 0; ) {
        read.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
      }
    } catch (java.net.SocketException reset) {
      // A reset after an unread request body is also a refusal.
    }
    return read.toString();
  }

  /** A new client each time, so every query opens its own connection. */
  private static HttpClient client() {
    return HttpClient.newBuilder().connectTimeout(STALLED).build();
  }

  private static HttpRequest request(String sql) {
    return HttpRequest.newBuilder(URI.create(clickHouse.httpUrl()))
        .header("Authorization", basicAuth())
        .timeout(STALLED)
        .POST(HttpRequest.BodyPublishers.ofString(sql))
        .build();
  }

  private static HttpResponse<String> select(String sql) throws Exception {
    return client().send(request(sql), HttpResponse.BodyHandlers.ofString());
  }
}
