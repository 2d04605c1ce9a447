package io.kimi.testing;

import static io.kimi.testing.Loopback.WAIT;
import static io.kimi.testing.Loopback.dataPayloads;
import static io.kimi.testing.Loopback.httpClient;
import static io.kimi.testing.Loopback.post;
import static io.kimi.testing.Loopback.rawExchange;
import static io.kimi.testing.Loopback.rawPost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Timing and faults of replies, seen from a real client on loopback. */
class ResponseWriterTest {

  private static final Duration LONG = Duration.ofSeconds(30);

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
  void sseReplySendsEachPayloadAsAnEventInOrderThenDone() throws Exception {
    upstream.enqueue(Reply.sse(List.of("{\"n\":1}", "{\"n\":2}", "{\"n\":3}")));

    HttpResponse<String> response =
        client.send(post(upstream, "/v1/chat/completions", "{}"), BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
    assertThat(response.headers().firstValue("content-length")).isEmpty();
    assertThat(response.body())
        .isEqualTo("data: {\"n\":1}\n\ndata: {\"n\":2}\n\ndata: {\"n\":3}\n\ndata: [DONE]\n\n");
  }

  @Test
  void sseReplyIsChunkedWithOneChunkPerEvent() throws Exception {
    upstream.enqueue(Reply.sse(List.of("a", "b")));

    String response = rawExchange(upstream.port(), rawPost("/v1/chat/completions", "{}", true));

    assertThat(response.toLowerCase()).contains("transfer-encoding: chunked");
    String body = response.substring(response.indexOf("\r\n\r\n") + 4);
    assertThat(body)
        .isEqualTo("9\r\ndata: a\n\n\r\n9\r\ndata: b\n\n\r\ne\r\ndata: [DONE]\n\n\r\n0\r\n\r\n");
  }

  @Test
  void eachEventIsFlushedBeforeTheNextIsDueAndAClientLeavingIsSeen() throws Exception {
    upstream.enqueue(Reply.sse(List.of("first", "second")).delayBetweenChunks(LONG));

    HttpResponse<InputStream> response =
        client.send(post(upstream, "/v1/chat/completions", "{}"), BodyHandlers.ofInputStream());
    String firstEvent;
    try (InputStream body = response.body()) {
      firstEvent = readUntil(body, "\n\n");
    }

    assertThat(firstEvent).isEqualTo("data: first\n\n");
    assertThat(upstream.awaitClientDisconnect(WAIT)).isTrue();
    assertThat(upstream.clientDisconnects()).isEqualTo(1);
  }

  @Test
  void multiLinePayloadBecomesOneEventWithSeveralDataLines() throws Exception {
    upstream.enqueue(Reply.sse(List.of("line one\nline two")));

    String body =
        client.send(post(upstream, "/v1/x", "{}"), BodyHandlers.ofString()).body();

    assertThat(body).startsWith("data: line one\ndata: line two\n\n");
    assertThat(dataPayloads(body)).containsExactly("line one\nline two", "[DONE]");
  }

  @Test
  void noDoneMarkerEndsTheStreamWithoutDone() throws Exception {
    upstream.enqueue(Reply.sse(List.of("only")).noDoneMarker());

    String body = client.send(post(upstream, "/v1/x", "{}"), BodyHandlers.ofString()).body();

    assertThat(dataPayloads(body)).containsExactly("only");
  }

  @Test
  void disconnectAfterChunksClosesTheConnectionWithoutTheTerminatingChunk() throws Exception {
    upstream.enqueue(Reply.sse(List.of("a", "b", "c", "d")).disconnectAfterChunks(2));

    String response = rawExchange(upstream.port(), rawPost("/v1/chat/completions", "{}", false));

    String body = response.substring(response.indexOf("\r\n\r\n") + 4);
    assertThat(body).isEqualTo("9\r\ndata: a\n\n\r\n9\r\ndata: b\n\n\r\n");
    assertThat(upstream.clientDisconnects()).isZero();
  }

  @Test
  void disconnectAfterChunksMakesTheClientFailReadingTheBody() {
    upstream.enqueue(
        Reply.streamingCompletion(List.of("a", "b", "c"), Usage.of(1, 3), UsageStyle.MOONSHOT)
            .disconnectAfterChunks(1));

    assertThatThrownBy(
            () -> client.send(post(upstream, "/v1/chat/completions", "{}"), BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
  }

  @Test
  void disconnectAfterZeroChunksSendsOnlyTheHeaders() throws Exception {
    upstream.enqueue(Reply.sse(List.of("a")).disconnectAfterChunks(0));

    String response = rawExchange(upstream.port(), rawPost("/v1/chat/completions", "{}", false));

    assertThat(response).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\n");
  }

  @Test
  void resetBeforeResponseFailsTheClientAndTheRetryGetsTheNextReply() throws Exception {
    upstream.enqueue(
        Reply.sse(List.of("never")).resetBeforeResponse(), Reply.json(200, "{\"retried\":true}"));

    assertThatThrownBy(
            () -> client.send(post(upstream, "/v1/chat/completions", "{}"), BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
    HttpResponse<String> retry =
        client.send(post(upstream, "/v1/chat/completions", "{}"), BodyHandlers.ofString());

    assertThat(retry.body()).isEqualTo("{\"retried\":true}");
    assertThat(upstream.requests()).hasSize(2);
    assertThat(upstream.connectionsAccepted()).isEqualTo(2);
    assertThat(upstream.clientDisconnects()).isZero();
  }

  @Test
  void resetBeforeResponseSendsNoByte() throws Exception {
    upstream.enqueue(Reply.json(200, "{}").resetBeforeResponse());

    String response;
    try {
      response = rawExchange(upstream.port(), rawPost("/v1/chat/completions", "{}", false));
    } catch (IOException reset) {
      response = "";
    }

    assertThat(response).isEmpty();
  }

  @Test
  void hangNeverAnswersUntilTheClientGivesUp() throws Exception {
    upstream.enqueue(Reply.hang());
    HttpRequest request =
        HttpRequest.newBuilder(post(upstream, "/v1/chat/completions", "{}"), (n, v) -> true)
            .timeout(Duration.ofMillis(300))
            .build();

    assertThatThrownBy(() -> client.send(request, BodyHandlers.ofString()))
        .isInstanceOf(HttpTimeoutException.class);
    assertThat(upstream.takeRequest(WAIT).path()).isEqualTo("/v1/chat/completions");
    assertThat(upstream.awaitClientDisconnect(WAIT)).isTrue();
  }

  @Test
  void initialDelayHoldsBackEvenTheHeaders() throws Exception {
    upstream.enqueue(Reply.sse(List.of("late")).initialDelay(LONG));
    HttpRequest request =
        HttpRequest.newBuilder(post(upstream, "/v1/chat/completions", "{}"), (n, v) -> true)
            .timeout(Duration.ofMillis(300))
            .build();

    assertThatThrownBy(() -> client.send(request, BodyHandlers.ofInputStream()))
        .isInstanceOf(HttpTimeoutException.class);
  }

  @Test
  void initialDelayThenTheReply() throws Exception {
    upstream.enqueue(Reply.json(200, "{\"late\":1}").initialDelay(Duration.ofMillis(200)));

    long start = System.nanoTime();
    HttpResponse<String> response =
        client.send(post(upstream, "/v1/x", "{}"), BodyHandlers.ofString());

    assertThat(response.body()).isEqualTo("{\"late\":1}");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(150));
  }

  @Test
  void delayBeforeBodySendsTheHeadersFirst() throws Exception {
    upstream.enqueue(Reply.sse(List.of("late")).delayBeforeBody(LONG));

    HttpResponse<InputStream> response =
        client.send(post(upstream, "/v1/chat/completions", "{}"), BodyHandlers.ofInputStream());
    response.body().close();

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(upstream.awaitClientDisconnect(WAIT)).isTrue();
  }

  @Test
  void delayBeforeBodyOfAFixedReplyKeepsItsContentLength() throws Exception {
    upstream.enqueue(Reply.json(200, "{\"a\":1}").delayBeforeBody(Duration.ofMillis(50)));

    HttpResponse<String> response =
        client.send(post(upstream, "/v1/x", "{}"), BodyHandlers.ofString());

    assertThat(response.headers().firstValue("content-length")).hasValue("7");
    assertThat(response.body()).isEqualTo("{\"a\":1}");
  }

  @Test
  void aClientLeavingAfterACompleteReplyIsNotADisconnectMidReply() throws Exception {
    client.send(post(upstream, "/v1/x", "{}"), BodyHandlers.ofString());
    rawExchange(upstream.port(), rawPost("/v1/x", "{}", true));

    assertThat(upstream.awaitClientDisconnect(Duration.ofMillis(100))).isFalse();
    assertThat(upstream.clientDisconnects()).isZero();
  }

  private static String readUntil(InputStream in, String end) throws IOException {
    ByteArrayOutputStream read = new ByteArrayOutputStream();
    while (!read.toString(StandardCharsets.UTF_8).endsWith(end)) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      read.write(b);
    }
    return read.toString(StandardCharsets.UTF_8);
  }
}
