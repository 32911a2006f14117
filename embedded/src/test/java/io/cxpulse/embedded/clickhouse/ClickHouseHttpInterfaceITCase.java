package io.cxpulse.embedded.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import com.clickhouse.client.api.internal.CompressedBlockInputStream;
import com.clickhouse.client.api.internal.CompressedBlockOutputStream;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import net.jpountz.lz4.LZ4Factory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded server answers ClickHouse's HTTP interface the way a ClickHouse server does, for the
 * requests curl, BI tools and the JDBC driver send.
 */
class ClickHouseHttpInterfaceITCase {

  @TempDir static Path dataDir;

  /** The one origin whose pages may query this test's server, as a dashboard would. */
  private static final String DASHBOARD_ORIGIN = "http://127.0.0.1:3000";

  private static EmbeddedClickHouse clickHouse;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() throws Exception {
    clickHouse =
        EmbeddedClickHouse.builder()
            .dataDir(dataDir)
            .port(0)
            .allowedOrigin(DASHBOARD_ORIGIN)
            .start();
  }

  @AfterAll
  static void stop() {
    if (clickHouse != null) {
      clickHouse.close();
    }
  }

  private static HttpResponse<byte[]> get(String parameters) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(clickHouse.httpUrl() + "?" + parameters)).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private static HttpResponse<byte[]> post(String parameters, byte[] body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(clickHouse.httpUrl() + "?" + parameters))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private static HttpResponse<byte[]> post(String sql) throws Exception {
    return post("", sql.getBytes(StandardCharsets.UTF_8));
  }

  private static String text(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void answersCurlStyleQueries() throws Exception {
    HttpResponse<byte[]> version = get("query=SELECT+version()");
    assertThat(version.statusCode()).isEqualTo(200);
    assertThat(text(version)).matches("26\\.\\d+\\.\\d+\\.\\d+\\n");

    HttpResponse<byte[]> json = post("SELECT 1 FORMAT JSONEachRow");
    assertThat(json.statusCode()).isEqualTo(200);
    assertThat(text(json)).isEqualTo("{\"1\":1}\n");
    assertThat(json.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));

    assertThat(text(get("query=SELECT+1,+'a'"))).isEqualTo("1\ta\n");
    HttpResponse<byte[]> ping =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(clickHouse.httpUrl() + "ping")).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(text(ping)).isEqualTo("Ok.\n");
  }

  /** A request as a browser sends it for a page of {@code origin}: a simple text/plain POST. */
  private static HttpResponse<byte[]> postFromPage(String origin, String sql) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(clickHouse.httpUrl()))
            .header("Origin", origin)
            .header("Content-Type", "text/plain;charset=UTF-8")
            .POST(HttpRequest.BodyPublishers.ofString(sql))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private static HttpResponse<byte[]> preflight(String origin) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(clickHouse.httpUrl()))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "authorization")
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void aWebPageOfAnotherSiteCanNeitherWriteFilesNorQuery() throws Exception {
    String probe = "cx-pulse-cross-site-probe-" + System.nanoTime() + ".txt";
    for (String origin : List.of("http://attacker.example", "null", "http://127.0.0.1:8123")) {
      HttpResponse<byte[]> write =
          postFromPage(
              origin,
              "INSERT INTO FUNCTION file('" + probe + "', 'LineAsString') SELECT 'written'");
      assertThat(write.statusCode()).as("from %s", origin).isEqualTo(403);
      assertThat(write.headers().firstValue("X-ClickHouse-Exception-Code")).hasValue("497");
      assertThat(write.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
      assertThat(text(write)).startsWith("Code: 497.").contains("(ACCESS_DENIED)");
      assertThat(postFromPage(origin, "SELECT 1").statusCode()).isEqualTo(403);
      assertThat(preflight(origin).headers().firstValue("Access-Control-Allow-Origin"))
          .as("preflight from %s", origin)
          .isEmpty();
    }
    // Nothing was written: reading the file back (as curl, without an Origin) finds none.
    HttpResponse<byte[]> readBack =
        post("SELECT count() FROM file('" + probe + "', 'LineAsString')");
    assertThat(text(readBack)).doesNotStartWith("1");
    assertThat(readBack.statusCode()).isEqualTo(500);
  }

  @Test
  void aBodyBeyondTheLimitIsRefusedBeforeItIsHeldAndOthersGoOn() throws Exception {
    // Just past the limit, so that the server has read nearly all of it when it answers and the
    // client sees the answer rather than a connection closed under its upload.
    byte[] body = new byte[(int) ClickHouseHttpServer.MAX_REQUEST_BODY_BYTES + 1024];
    java.util.Arrays.fill(body, (byte) ' ');
    byte[] select = "SELECT 1".getBytes(StandardCharsets.UTF_8);
    System.arraycopy(select, 0, body, 0, select.length);

    HttpResponse<byte[]> refused = post("", body);

    assertThat(refused.statusCode()).isEqualTo(413);
    assertThat(refused.headers().firstValue("X-ClickHouse-Exception-Code")).hasValue("290");
    assertThat(text(refused)).contains("larger than the maximum").contains("(LIMIT_EXCEEDED)");
    // The code is the engine's own name for it, and the server still answers.
    assertThat(text(post("SELECT errorCodeToName(290)"))).isEqualTo("LIMIT_EXCEEDED\n");
  }

  @Test
  void aCompressedBodyIsBoundedAfterDecompression() throws Exception {
    // 300 MiB of zeros in about 300 KB of gzip: the kind of body that took the JVM to 23.6 GB.
    ByteArrayOutputStream bomb = new ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(bomb)) {
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 300; i++) {
        gzip.write(zeros);
      }
    }
    HttpResponse<byte[]> refused =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(clickHouse.httpUrl()))
                .header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bomb.toByteArray()))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertThat(bomb.size()).isLessThan(2 << 20);
    assertThat(refused.statusCode()).isEqualTo(413);
    assertThat(text(refused)).contains("after decompression").contains("(LIMIT_EXCEEDED)");
    assertThat(text(post("SELECT 1"))).isEqualTo("1\n");
  }

  @Test
  void theAllowedOriginGetsCorsAnswers() throws Exception {
    HttpResponse<byte[]> preflight = preflight(DASHBOARD_ORIGIN);
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin"))
        .hasValue(DASHBOARD_ORIGIN);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers"))
        .hasValueSatisfying(h -> assertThat(h).contains("Authorization"));

    HttpResponse<byte[]> query = postFromPage(DASHBOARD_ORIGIN, "SELECT 41 + 1");
    assertThat(query.statusCode()).isEqualTo(200);
    assertThat(text(query)).isEqualTo("42\n");
    assertThat(query.headers().firstValue("Access-Control-Allow-Origin"))
        .hasValue(DASHBOARD_ORIGIN);
  }

  @Test
  void errorsCarryTheCodeHeaderAndClickHousesMessage() throws Exception {
    HttpResponse<byte[]> response = post("SELEC 1");
    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.headers().firstValue("X-ClickHouse-Exception-Code")).hasValue("62");
    assertThat(text(response))
        .startsWith("Code: 62. DB::Exception: Syntax error")
        .contains("(SYNTAX_ERROR)");
  }

  @Test
  void timezoneHeaderIsTheEnginesZone() throws Exception {
    HttpResponse<byte[]> response = get("query=SELECT+timezone()");
    assertThat(text(response)).isEqualTo("UTC\n");
    assertThat(response.headers().firstValue("X-ClickHouse-Timezone")).hasValue("UTC");
  }

  @Test
  void getRequestsAreReadOnly() throws Exception {
    HttpResponse<byte[]> response = get("query=" + encode("CREATE TABLE ro (a UInt8) ENGINE=Log"));
    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.headers().firstValue("X-ClickHouse-Exception-Code")).hasValue("164");
  }

  @Test
  void unknownSettingGetsClickHousesErrorAndIgnoredParametersAreAccepted() throws Exception {
    HttpResponse<byte[]> unknown = get("query=SELECT+1&no_such_setting=1");
    assertThat(unknown.statusCode()).isEqualTo(500);
    assertThat(unknown.headers().firstValue("X-ClickHouse-Exception-Code")).hasValue("115");
    assertThat(text(unknown)).contains("no_such_setting");

    HttpResponse<byte[]> ignored = get("query=SELECT+1&wait_end_of_query=1&buffer_size=1000");
    assertThat(ignored.statusCode()).isEqualTo(200);
    assertThat(text(ignored)).isEqualTo("1\n");

    HttpResponse<byte[]> honoured =
        get("query=" + encode("SELECT getSetting('max_threads')") + "&max_threads=3");
    assertThat(text(honoured)).isEqualTo("3\n");
  }

  @Test
  void boundParametersAndQueryIdAreHonoured() throws Exception {
    HttpResponse<byte[]> response =
        get(
            "query="
                + encode("SELECT {n:UInt8} * 2, {s:String}")
                + "&param_n=21&param_s="
                + encode("it's")
                + "&query_id=my-query");
    assertThat(text(response)).isEqualTo("42\tit\\'s\n");
    assertThat(response.headers().firstValue("X-ClickHouse-Query-Id")).hasValue("my-query");
  }

  @Test
  void inlineInsertDataWithBlankLinesAndBinaryNewlinesArrivesWhole() throws Exception {
    assertThat(
            post("CREATE TABLE blanks (id UInt16, s String) ENGINE = MergeTree ORDER BY id")
                .statusCode())
        .isEqualTo(200);
    // A quoted CSV value with a blank line inside: the engine alone would stop at the blank line
    // and run "line\"" as a statement.
    HttpResponse<byte[]> csv =
        post("INSERT INTO blanks FORMAT CSV\n1,\"multi\n\nline\"\n2,\"two\"\n");
    assertThat(csv.statusCode()).as(text(csv)).isEqualTo(200);
    assertThat(csv.headers().firstValue("X-ClickHouse-Summary").orElseThrow())
        .contains("\"written_rows\":\"2\"");

    // RowBinary: id 2570 is 0x0a0a, and a string of two newlines.
    ByteBuffer row = ByteBuffer.allocate(2 + 1 + 2).order(ByteOrder.LITTLE_ENDIAN);
    row.putShort((short) 0x0a0a).put((byte) 2).put((byte) '\n').put((byte) '\n');
    HttpResponse<byte[]> binary =
        post("query=" + encode("INSERT INTO blanks FORMAT RowBinary"), row.array());
    assertThat(binary.statusCode()).as(text(binary)).isEqualTo(200);

    HttpResponse<byte[]> rows = post("SELECT id, s FROM blanks ORDER BY id FORMAT JSONEachRow");
    assertThat(text(rows))
        .isEqualTo(
            "{\"id\":1,\"s\":\"multi\\n\\nline\"}\n"
                + "{\"id\":2,\"s\":\"two\"}\n"
                + "{\"id\":2570,\"s\":\"\\n\\n\"}\n");
    try (var spool = Files.list(clickHouse.dataDir().resolve("http-spool"))) {
      assertThat(spool).as("insert data files are removed").isEmpty();
    }
  }

  @Test
  void driverLz4FramingBothWays() throws Exception {
    // compress=1: the response is ClickHouse's LZ4 block framing with CityHash128 checksums.
    HttpResponse<byte[]> compressed =
        get("query=" + encode("SELECT number FROM numbers(100000) FORMAT TSV") + "&compress=1");
    assertThat(compressed.statusCode()).isEqualTo(200);
    assertThat(compressed.body()[16]).isEqualTo((byte) 0x82);
    byte[] plain =
        new CompressedBlockInputStream(
                new ByteArrayInputStream(compressed.body()),
                LZ4Factory.fastestInstance().fastDecompressor(),
                1 << 20)
            .readAllBytes();
    String[] lines = new String(plain, StandardCharsets.UTF_8).split("\n");
    assertThat(lines).hasSize(100_000);
    assertThat(lines[99_999]).isEqualTo("99999");

    // decompress=1: the request body is framed the same way.
    ByteArrayOutputStream framed = new ByteArrayOutputStream();
    try (OutputStream out =
        new CompressedBlockOutputStream.LZ4OutputStream(
            framed, LZ4Factory.fastestInstance().fastCompressor(), 1 << 20)) {
      out.write("SELECT 'from a compressed body'".getBytes(StandardCharsets.UTF_8));
    }
    HttpResponse<byte[]> response = post("decompress=1", framed.toByteArray());
    assertThat(text(response)).isEqualTo("from a compressed body\n");
  }

  @Test
  void httpGzipWhenAskedFor() throws Exception {
    HttpResponse<byte[]> response =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(
                        clickHouse.httpUrl()
                            + "?enable_http_compression=1&query="
                            + encode("SELECT number FROM numbers(3)")))
                .header("Accept-Encoding", "gzip")
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
    byte[] body = new GZIPInputStream(new ByteArrayInputStream(response.body())).readAllBytes();
    assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo("0\n1\n2\n");
  }

  @Test
  void sessionsKeepSettingsOnlyForTheirOwnId() throws Exception {
    assertThat(
            post("session_id=s1", "SET max_threads = 3".getBytes(StandardCharsets.UTF_8))
                .statusCode())
        .isEqualTo(200);
    String probe = "query=" + encode("SELECT getSetting('max_threads')");
    assertThat(text(get(probe + "&session_id=s1"))).isEqualTo("3\n");
    assertThat(text(get(probe + "&session_id=s2"))).isNotEqualTo("3\n");
    assertThat(text(get(probe))).isNotEqualTo("3\n");

    HttpResponse<byte[]> missing = get(probe + "&session_id=nope&session_check=1");
    assertThat(missing.headers().firstValue("X-ClickHouse-Exception-Code")).hasValue("372");
  }

  @Test
  void summaryHeaderIsJsonWithReadAndWrittenRows() throws Exception {
    HttpResponse<byte[]> response = get("query=" + encode("SELECT count() FROM numbers(1000)"));
    JsonNode summary =
        JSON.readTree(response.headers().firstValue("X-ClickHouse-Summary").orElseThrow());
    assertThat(summary.get("read_rows").asLong()).isEqualTo(1000);
    assertThat(summary.get("written_rows").asLong()).isZero();
  }
}
