package io.kimi.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LoopbackHttpServerTest {

  private final HttpClient http = Loopback.httpClient();

  @Test
  void recordsEveryRequestInOrderAndAnswersEachWithTheNextAnswer() throws Exception {
    AtomicInteger answered = new AtomicInteger();
    try (LoopbackHttpServer server =
        LoopbackHttpServer.start(
            "Test",
            "test-loop",
            1,
            request -> Reply.json(200, "{\"n\":" + answered.incrementAndGet() + "}"))) {
      assertThat(get(server, "/a").body()).isEqualTo("{\"n\":1}");
      assertThat(get(server, "/b").body()).isEqualTo("{\"n\":2}");

      assertThat(server.requests()).extracting(RecordedRequest::path).containsExactly("/a", "/b");
      assertThat(server.takeRequest(Loopback.WAIT).path()).isEqualTo("/a");
      assertThat(server.takeRequest(Loopback.WAIT).path()).isEqualTo("/b");
      assertThat(server.stats().accepted()).isPositive();
    }
  }

  @Test
  void waitingForARequestThatNeverComesFailsNamingTheFake() {
    try (LoopbackHttpServer server =
        LoopbackHttpServer.start("FakeThing", "test-loop", 1, LoopbackHttpServerTest::empty)) {
      assertThatThrownBy(() -> server.takeRequest(Duration.ofMillis(1)))
          .isInstanceOf(AssertionError.class)
          .hasMessage("FakeThing: no request within PT0.001S (0 received)");
    }
  }

  @Test
  void closingTwiceIsHarmlessAndAZeroThreadServerIsRefused() {
    LoopbackHttpServer server =
        LoopbackHttpServer.start("Test", "test-loop", 1, LoopbackHttpServerTest::empty);
    server.close();
    server.close();

    assertThatThrownBy(
            () -> LoopbackHttpServer.start("Test", "test-loop", 0, LoopbackHttpServerTest::empty))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("threads: 0 (expected: >= 1)");
  }

  private static Reply empty(RecordedRequest request) {
    return Reply.json(200, "{}");
  }

  private HttpResponse<String> get(LoopbackHttpServer server, String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Loopback.WAIT)
            .GET()
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
