package io.kimi.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FakeMcpServerTest {

  private static final String SIMPLE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\"}";

  private final ObjectMapper mapper = new ObjectMapper();
  private final HttpClient http = Loopback.httpClient();
  private final FakeMcpServer mcp = FakeMcpServer.start();

  @AfterEach
  void tearDown() {
    mcp.close();
  }

  @Test
  void echoesParamsAsTheResultKeepingTheId() throws Exception {
    HttpResponse<String> reply =
        post("{\"jsonrpc\":\"2.0\",\"id\":\"a1\",\"method\":\"tools/call\",\"params\":{\"x\":1}}");

    assertThat(reply.statusCode()).isEqualTo(200);
    JsonNode json = mapper.readTree(reply.body());
    assertThat(json.get("jsonrpc").asText()).isEqualTo("2.0");
    assertThat(json.get("id").asText()).isEqualTo("a1");
    assertThat(json.at("/result/x").asInt()).isEqualTo(1);
  }

  @Test
  void answersAPingWithAnEmptyResult() throws Exception {
    String ping = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
    JsonNode json = mapper.readTree(post(ping).body());
    assertThat(json.get("result").isObject()).isTrue();
    assertThat(json.get("result").size()).isZero();
  }

  @Test
  void acceptsNotificationsWith202() throws Exception {
    HttpResponse<String> reply =
        post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    assertThat(reply.statusCode()).isEqualTo(202);
    assertThat(reply.body()).isEmpty();
  }

  @Test
  void playsScriptedBehavioursInOrderThenTheDefault() throws Exception {
    mcp.enqueue(
        McpBehavior.toolResult("done"),
        McpBehavior.jsonRpcError(-32601, "Method not found"),
        McpBehavior.garbage(),
        McpBehavior.httpStatus(500),
        McpBehavior.hugeResult(100_000),
        McpBehavior.eventStream().withHeader("Mcp-Session-Id", "s-1"));
    String request =
        "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"y\":2}}";

    assertThat(mapper.readTree(post(request).body()).at("/result/content/0/text").asText())
        .isEqualTo("done");
    assertThat(mapper.readTree(post(request).body()).at("/error/code").asInt()).isEqualTo(-32601);
    HttpResponse<String> garbage = post(request);
    assertThat(garbage.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(garbage.body()).startsWith("<html>");
    assertThat(post(request).statusCode()).isEqualTo(500);
    assertThat(mapper.readTree(post(request).body()).at("/result/content/0/text").asText())
        .hasSize(100_000);
    HttpResponse<String> stream = post(request);
    assertThat(stream.headers().firstValue("Content-Type")).hasValue("text/event-stream");
    assertThat(stream.headers().firstValue("Mcp-Session-Id")).hasValue("s-1");
    assertThat(stream.body()).contains("notifications/progress").contains("\"id\":7");
    assertThat(mapper.readTree(post(request).body()).at("/result/y").asInt()).isEqualTo(2);
  }

  @Test
  void aDelayedBehaviourIsSlow() {
    mcp.enqueue(McpBehavior.echo().delayed(Duration.ofSeconds(30)));
    HttpRequest request =
        HttpRequest.newBuilder(mcp.url())
            .timeout(Duration.ofMillis(200))
            .POST(HttpRequest.BodyPublishers.ofString(SIMPLE))
            .build();

    assertThatThrownBy(() -> http.send(request, HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(HttpTimeoutException.class);
  }

  @Test
  void recordsRequestsWithTheirHeaders() throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(mcp.url())
            .timeout(Loopback.WAIT)
            .header("Authorization", "Bearer t0k3n")
            .POST(HttpRequest.BodyPublishers.ofString(SIMPLE))
            .build();
    http.send(request, HttpResponse.BodyHandlers.ofString());

    RecordedRequest seen = mcp.takeRequest(Loopback.WAIT);
    assertThat(seen.method()).isEqualTo("POST");
    assertThat(seen.path()).isEqualTo("/mcp");
    assertThat(seen.header("authorization")).isEqualTo("Bearer t0k3n");
    assertThat(seen.bodyAsJson().get("method").asText()).isEqualTo("x");
    assertThat(mcp.requests()).hasSize(1);
  }

  @Test
  void aBodyThatIsNotJsonGetsAParseError() throws Exception {
    HttpResponse<String> reply = post("not json");
    assertThat(reply.statusCode()).isEqualTo(400);
    assertThat(mapper.readTree(reply.body()).at("/error/code").asInt()).isEqualTo(-32700);
  }

  private HttpResponse<String> post(String json) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(mcp.url())
            .timeout(Loopback.WAIT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
