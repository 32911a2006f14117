package io.cxpulse.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local mode's Flink web UI and REST API on a real MiniCluster, probed over HTTP as any page in the
 * user's browser or a local process could: it shows the jobs but runs no uploaded jar and cancels,
 * stops or savepoints nothing.
 */
class LocalJobsITCase {

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void theWebUiIsReadOnly(@TempDir Path dataDir) throws Exception {
    int port = freePort();
    try (LocalJobs jobs =
        LocalJobs.submit(
            env ->
                env.fromSource(
                        new DataGeneratorSource<>(
                            (GeneratorFunction<Long, Long>) index -> index,
                            Long.MAX_VALUE,
                            RateLimiterStrategy.perSecond(10),
                            Types.LONG),
                        WatermarkStrategy.noWatermarks(),
                        "ticks")
                    .sinkTo(new DiscardingSink<>()),
            "127.0.0.1",
            port,
            new SavedState(dataDir),
            Optional.empty(),
            notice -> {})) {
      assertThat(jobs.awaitRunning(60_000)).isEqualTo("RUNNING");
      String base = "http://127.0.0.1:" + port;

      HttpResponse<String> config = get(base + "/config");
      assertThat(config.statusCode()).isEqualTo(200);
      assertThat(config.body().replace(" ", ""))
          .contains("\"web-submit\":false")
          .contains("\"web-cancel\":false");

      // A well-formed upload of a real (empty) jar, as the web UI's "Submit New Job" sends it.
      HttpResponse<String> upload =
          send(
              HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
                  .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                  .POST(HttpRequest.BodyPublishers.ofByteArray(multipartJar()))
                  .build());
      assertThat(upload.statusCode()).as("jar upload: %s", upload.body()).isEqualTo(400);
      assertThat(upload.body()).contains("not allowed");
      assertThat(get(base + "/jars").statusCode()).as("the jar list").isNotEqualTo(200);

      String jobs1 = get(base + "/jobs").body();
      String jobId = jobs1.replaceAll("(?s).*\"id\":\"([0-9a-f]{32})\".*", "$1");
      assertThat(jobId).hasSize(32);
      // Cancelling needs PATCH, which a browser only sends cross-site after a CORS preflight:
      // the API allows its own origin only, so a page elsewhere cannot stop the pipelines.
      HttpResponse<String> preflight =
          send(
              HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "?mode=cancel"))
                  .header("Origin", "http://attacker.example")
                  .header("Access-Control-Request-Method", "PATCH")
                  .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                  .build());
      assertThat(preflight.headers().allValues("Access-Control-Allow-Origin"))
          .as("CORS preflight from another origin")
          .containsOnly(base);

      // A local process needs no preflight: every method that changes a job is refused outright.
      String job = base + "/jobs/" + jobId;
      assertRefused(
          send(
              HttpRequest.newBuilder(URI.create(job + "?mode=cancel"))
                  .method("PATCH", HttpRequest.BodyPublishers.noBody())
                  .build()),
          "cancel");
      assertRefused(post(job + "/stop", "{\"drain\":false}"), "stop with savepoint");
      assertRefused(post(job + "/savepoints", "{\"cancel-job\":true}"), "savepoint and cancel");
      assertRefused(
          send(
              HttpRequest.newBuilder(URI.create(job + "/resource-requirements"))
                  .PUT(HttpRequest.BodyPublishers.ofString("{}"))
                  .build()),
          "rescale");
      Thread.sleep(1_000);
      assertThat(jobs.status()).isEqualTo("RUNNING");
      assertThat(get(base + "/jobs/" + jobId).statusCode()).as("reading a job").isEqualTo(200);
    }
  }

  private static final String BOUNDARY = "cx-pulse-boundary";

  private static byte[] multipartJar() throws Exception {
    java.io.ByteArrayOutputStream jar = new java.io.ByteArrayOutputStream();
    try (java.util.jar.JarOutputStream out =
        new java.util.jar.JarOutputStream(jar, new java.util.jar.Manifest())) {
      out.putNextEntry(new java.util.zip.ZipEntry("empty.txt"));
      out.closeEntry();
    }
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    body.writeBytes(
        ("--"
                + BOUNDARY
                + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\"probe.jar\"\r\n"
                + "Content-Type: application/x-java-archive\r\n\r\n")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    body.writeBytes(jar.toByteArray());
    body.writeBytes(
        ("\r\n--" + BOUNDARY + "--\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    return body.toByteArray();
  }

  private static void assertRefused(HttpResponse<String> response, String what) {
    assertThat(response.statusCode()).as("%s: %s", what, response.body()).isEqualTo(403);
    assertThat(response.body()).as(what).contains("read-only");
  }

  private HttpResponse<String> post(String url, String json) throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  private HttpResponse<String> get(String url) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(url)).build());
  }

  private HttpResponse<String> send(HttpRequest request) throws Exception {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
