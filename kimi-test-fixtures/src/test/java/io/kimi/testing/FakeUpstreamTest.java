package io.kimi.testing;

import static io.kimi.testing.Loopback.WAIT;
import static io.kimi.testing.Loopback.chatBody;
import static io.kimi.testing.Loopback.httpClient;
import static io.kimi.testing.Loopback.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FakeUpstreamTest {

  private final ObjectMapper mapper = new ObjectMapper();
  private final HttpClient client = httpClient();
  private FakeUpstream upstream;

  @BeforeEach
  void start() {
    upstream = FakeUpstream.start();
  }

  @AfterEach
  void close() {
    upstream.close();
  }

  @Test
  void listensOnLoopbackAndGivesAnOpenAiBaseUrl() {
    assertThat(upstream.port()).isPositive();
    assertThat(upstream.baseUrl()).isEqualTo("http://127.0.0.1:" + upstream.port() + "/v1");
  }

  @Test
  void servesAJsonReplyAndRecordsTheRequest() throws Exception {
    upstream.enqueue(Reply.json(201, "{\"ok\":true}").header("X-Trace", "abc"));
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(upstream.baseUrl() + "/chat/completions?x=1"))
            .timeout(WAIT)
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer sk-test")
            .header("X-Multi", "one")
            .header("X-Multi", "two")
            .POST(HttpRequest.BodyPublishers.ofString(chatBody("kimi-k2", false, null)))
            .build();

    HttpResponse<String> response = client.send(request, BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(response.body()).isEqualTo("{\"ok\":true}");
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(response.headers().firstValue("content-length")).hasValue("11");
    assertThat(response.headers().firstValue("x-trace")).hasValue("abc");

    RecordedRequest seen = upstream.takeRequest(WAIT);
    assertThat(seen.method()).isEqualTo("POST");
    assertThat(seen.uri()).isEqualTo("/v1/chat/completions?x=1");
    assertThat(seen.path()).isEqualTo("/v1/chat/completions");
    assertThat(seen.headers()).containsKey("authorization");
    assertThat(seen.headers().keySet()).allMatch(name -> name.equals(name.toLowerCase()));
    assertThat(seen.header("AUTHORIZATION")).isEqualTo("Bearer sk-test");
    assertThat(seen.headers().get("x-multi")).containsExactly("one", "two");
    assertThat(seen.bodyAsString()).isEqualTo(chatBody("kimi-k2", false, null));
    assertThat(seen.bodyAsJson().path("model").asText()).isEqualTo("kimi-k2");
    assertThat(upstream.requests()).containsExactly(seen);
  }

  @Test
  void answersWithAChatCompletionWhenNothingIsQueued() throws Exception {
    HttpResponse<String> response =
        client.send(post(upstream, "/v1/chat/completions", chatBody("gpt-4o", false, null)),
            BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode completion = mapper.readTree(response.body());
    assertThat(completion.path("object").asText()).isEqualTo("chat.completion");
    assertThat(completion.path("model").asText()).isEqualTo("gpt-4o");
    assertThat(completion.at("/choices/0/message/content").asText()).isNotEmpty();
    assertThat(completion.at("/usage/total_tokens").asInt()).isEqualTo(17);
  }

  @Test
  void chatCompletionReportsContentAndUsage() throws Exception {
    upstream.enqueue(Reply.chatCompletion("Bonjour \"monde\"\n", new Usage(100, 20, 64)));

    HttpResponse<String> response =
        client.send(post(upstream, "/v1/chat/completions", chatBody("kimi-k2", false, null)),
            BodyHandlers.ofString());

    JsonNode completion = mapper.readTree(response.body());
    assertThat(completion.path("id").asText()).startsWith("chatcmpl-");
    assertThat(completion.path("model").asText()).isEqualTo("kimi-k2");
    assertThat(completion.at("/choices/0/message/role").asText()).isEqualTo("assistant");
    assertThat(completion.at("/choices/0/message/content").asText())
        .isEqualTo("Bonjour \"monde\"\n");
    assertThat(completion.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    assertThat(completion.at("/usage/prompt_tokens").asInt()).isEqualTo(100);
    assertThat(completion.at("/usage/completion_tokens").asInt()).isEqualTo(20);
    assertThat(completion.at("/usage/total_tokens").asInt()).isEqualTo(120);
    assertThat(completion.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isEqualTo(64);
  }

  @Test
  void statusReplyUsesOpenAisErrorShapeAndKeepsScriptedHeaders() throws Exception {
    upstream.enqueue(Reply.status(429, "Rate limit reached").header("Retry-After", "7"));

    HttpResponse<String> response =
        client.send(post(upstream, "/v1/chat/completions", "{}"), BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.headers().firstValue("retry-after")).hasValue("7");
    JsonNode error = mapper.readTree(response.body()).path("error");
    assertThat(error.path("message").asText()).isEqualTo("Rate limit reached");
    assertThat(error.path("type").asText()).isEqualTo("requests");
    assertThat(error.path("code").asText()).isEqualTo("rate_limit_exceeded");
    assertThat(error.has("param")).isTrue();
  }

  @Test
  void serverErrorStatusHasServerErrorType() throws Exception {
    upstream.enqueue(Reply.status(503, "overloaded"));

    HttpResponse<String> response =
        client.send(post(upstream, "/v1/chat/completions", "{}"), BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(503);
    JsonNode error = mapper.readTree(response.body()).path("error");
    assertThat(error.path("type").asText()).isEqualTo("server_error");
    assertThat(error.path("code").isNull()).isTrue();
  }

  @Test
  void repliesAreServedInTheOrderTheyWereQueuedThenTheDefault() throws Exception {
    upstream.enqueue(Reply.json(200, "\"first\""), Reply.json(200, "\"second\""));

    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      bodies.add(client.send(post(upstream, "/v1/x", "{}"), BodyHandlers.ofString()).body());
    }

    assertThat(bodies.subList(0, 2)).containsExactly("\"first\"", "\"second\"");
    assertThat(bodies.get(2)).contains("chat.completion");
    assertThat(upstream.requests()).hasSize(3);
  }

  @Test
  void defaultReplyCanBeReplaced() throws Exception {
    upstream.defaultReply(Reply.status(401, "Incorrect API key provided"));

    HttpResponse<String> response =
        client.send(post(upstream, "/v1/models", "{}"), BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(mapper.readTree(response.body()).at("/error/code").asText())
        .isEqualTo("invalid_api_key");
  }

  @Test
  void keepAliveReusesOneConnectionForTwoRequests() throws Exception {
    upstream.enqueue(
        Reply.json(200, "{}"),
        Reply.streamingCompletion(List.of("a", "b"), null, UsageStyle.NONE),
        Reply.json(200, "{}"));

    for (int i = 0; i < 3; i++) {
      HttpResponse<String> response =
          client.send(post(upstream, "/v1/chat/completions", "{}"), BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
    }

    assertThat(upstream.requests()).hasSize(3);
    assertThat(upstream.connectionsAccepted()).isEqualTo(1);
  }

  @Test
  void closesTheConnectionAfterTheReplyWhenTheClientAsksTo() throws Exception {
    String response =
        Loopback.rawExchange(upstream.port(), Loopback.rawPost("/v1/chat/completions", "{}", true));

    assertThat(response).startsWith("HTTP/1.1 200 OK\r\n");
    assertThat(response.toLowerCase()).contains("connection: close");
    assertThat(response).endsWith("}");
    assertThat(upstream.clientDisconnects()).isZero();
  }

  @Test
  void takeRequestFailsWhenNoRequestArrives() {
    assertThatThrownBy(() -> upstream.takeRequest(Duration.ofMillis(50)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("no request");
  }

  @Test
  void takeRequestReturnsRequestsInArrivalOrderOnce() throws Exception {
    client.send(post(upstream, "/v1/one", "{}"), BodyHandlers.discarding());
    client.send(post(upstream, "/v1/two", "{}"), BodyHandlers.discarding());

    assertThat(upstream.takeRequest(WAIT).path()).isEqualTo("/v1/one");
    assertThat(upstream.takeRequest(WAIT).path()).isEqualTo("/v1/two");
    assertThatThrownBy(() -> upstream.takeRequest(Duration.ofMillis(20)))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void servesConcurrentClientsEachWithOneReply() throws Exception {
    int clients = 16;
    for (int i = 0; i < clients; i++) {
      upstream.enqueue(Reply.json(200, "\"r" + i + "\"").initialDelay(Duration.ofMillis(20)));
    }

    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      responses.add(
          httpClient().sendAsync(post(upstream, "/v1/c" + i, "{}"), BodyHandlers.ofString()));
    }
    List<String> bodies = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> response : responses) {
      bodies.add(response.get(WAIT.toSeconds(), TimeUnit.SECONDS).body());
    }

    List<String> expected = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      expected.add("\"r" + i + "\"");
    }
    assertThat(bodies).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(upstream.requests()).hasSize(clients);
    assertThat(upstream.connectionsAccepted()).isEqualTo(clients);
  }

  @Test
  void closeStopsListeningWithinABoundedTimeEvenWithAHangingRequest() throws Exception {
    upstream.enqueue(Reply.hang());
    CompletableFuture<HttpResponse<String>> pending =
        client.sendAsync(post(upstream, "/v1/chat/completions", "{}"), BodyHandlers.ofString());
    upstream.takeRequest(WAIT);

    long start = System.nanoTime();
    upstream.close();
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(tookMillis).isLessThan(15_000);
    assertThatThrownBy(() -> pending.get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .hasCauseInstanceOf(IOException.class);
    assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), upstream.port()).close())
        .isInstanceOf(ConnectException.class);
    assertThat(upstream.clientDisconnects()).isZero();
    upstream.close(); // idempotent
  }
}
