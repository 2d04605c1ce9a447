package io.kimi.testing;

import static io.kimi.testing.Loopback.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FakeConvergenceLoopTest {

  private static final String SESSION = "550e8400-e29b-41d4-a716-446655440000";

  private final ObjectMapper mapper = new ObjectMapper();
  private FakeConvergenceLoop loop;

  @BeforeEach
  void start() {
    loop = FakeConvergenceLoop.start();
  }

  @AfterEach
  void close() {
    loop.close();
  }

  @Test
  void listensOnLoopbackAndGivesAWebSocketUrl() {
    assertThat(loop.port()).isPositive();
    assertThat(loop.url()).isEqualTo("ws://127.0.0.1:" + loop.port());
    assertThat(loop.isListening()).isTrue();
    assertThat(loop.connections()).isZero();
  }

  @Test
  void greetsAConnectedClient() throws Exception {
    try (WsTestClient client = WsTestClient.connect(loop.url())) {
      assertThat(loop.awaitClient(WAIT)).isTrue();

      assertThat(loop.connections()).isEqualTo(1);
      assertThat(loop.sendGreeting()).isEqualTo(1);
      assertThat(client.next())
          .isEqualTo("{\"type\":\"connected\",\"message\":\"convergence loop ready\"}");
    }
  }

  @Test
  void acceptsClientsOnAnyPath() throws Exception {
    try (WsTestClient client = WsTestClient.connect(loop.url() + "/ws")) {
      assertThat(loop.awaitClient(WAIT)).isTrue();
      loop.send("hello");

      assertThat(client.next()).isEqualTo("hello");
    }
  }

  @Test
  void sendsEventsOnePerMessageWrappedOrBatched() throws Exception {
    String started =
        FakeConvergenceLoop.event(
            SESSION, 0, "IDLE", "SESSION_STARTED", "{\"target\":\"https://example.com\"}");
    String changed =
        FakeConvergenceLoop.event(
            SESSION, 1, "DIAGNOSING", "STATE_CHANGED", "{\"from\":\"IDLE\",\"to\":\"DIAGNOSING\"}");
    try (WsTestClient client = WsTestClient.connect(loop.url())) {
      assertThat(loop.awaitClient(WAIT)).isTrue();

      loop.sendEvents(List.of(started, changed));
      loop.sendWrapped(started);
      loop.sendBatch(List.of(started, changed));

      assertThat(client.next()).isEqualTo(started);
      assertThat(client.next()).isEqualTo(changed);
      JsonNode wrapped = mapper.readTree(client.next());
      assertThat(wrapped.get("type").asText()).isEqualTo("event");
      assertThat(wrapped.get("data")).isEqualTo(mapper.readTree(started));
      JsonNode batch = mapper.readTree(client.next());
      assertThat(batch.isArray()).isTrue();
      assertThat(batch).containsExactly(mapper.readTree(started), mapper.readTree(changed));
    }
  }

  @Test
  void sendsEveryMessageToEveryConnectedClient() throws Exception {
    try (WsTestClient first = WsTestClient.connect(loop.url());
        WsTestClient second = WsTestClient.connect(loop.url())) {
      assertThat(loop.awaitHandshakes(2, WAIT)).isTrue();

      assertThat(loop.send("both")).isEqualTo(2);
      assertThat(first.next()).isEqualTo("both");
      assertThat(second.next()).isEqualTo("both");
    }
  }

  @Test
  void sendingWithoutClientsReachesNobody() {
    assertThat(loop.send("lost")).isZero();
    assertThat(loop.ping()).isZero();
  }

  @Test
  void buildsValidEventsWithFreshIdsOrAGivenOne() throws Exception {
    Instant before = Instant.now().minusSeconds(1);
    String data = "{\"step\":\"validate\",\"result\":\"passed\",\"tests_passed\":10}";
    JsonNode event = mapper.readTree(FakeConvergenceLoop.event(SESSION, 3, "VALIDATING", "STEP_COMPLETE", data));
    JsonNode other = mapper.readTree(FakeConvergenceLoop.event(SESSION, 3, "VALIDATING", "STEP_COMPLETE", data));
    JsonNode given =
        mapper.readTree(FakeConvergenceLoop.event("e-1", SESSION, 3, "VALIDATING", "STEP_COMPLETE", data));

    assertThat(event.fieldNames())
        .toIterable()
        .containsExactly(
            "event_id", "timestamp", "session_id", "iteration", "state", "event_type", "data");
    assertThat(UUID.fromString(event.get("event_id").asText())).isNotNull();
    assertThat(other.get("event_id")).isNotEqualTo(event.get("event_id"));
    assertThat(given.get("event_id").asText()).isEqualTo("e-1");
    assertThat(Instant.parse(event.get("timestamp").asText())).isAfter(before);
    assertThat(event.get("timestamp").asText()).endsWith("Z");
    assertThat(event.get("session_id").asText()).isEqualTo(SESSION);
    assertThat(event.get("iteration").asInt()).isEqualTo(3);
    assertThat(event.get("state").asText()).isEqualTo("VALIDATING");
    assertThat(event.get("event_type").asText()).isEqualTo("STEP_COMPLETE");
    assertThat(event.get("data")).isEqualTo(mapper.readTree(data));
  }

  @Test
  void refusesEventDataThatIsNotAnObject() {
    assertThatThrownBy(() -> FakeConvergenceLoop.event(SESSION, 1, "IDLE", "METRICS", "[1]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dataJson");
    assertThatThrownBy(() -> FakeConvergenceLoop.event(SESSION, 1, "IDLE", "METRICS", "{"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dataJson");
  }

  @Test
  void pingsClientsAndCountsTheirPongs() throws Exception {
    try (WsTestClient client = WsTestClient.connect(loop.url())) {
      assertThat(loop.awaitClient(WAIT)).isTrue();

      assertThat(loop.ping()).isEqualTo(1);

      assertThat(loop.awaitPongs(1, WAIT)).isTrue();
      assertThat(loop.pongsReceived()).isEqualTo(1);
      await("one ping").atMost(WAIT).until(() -> client.pings() == 1);
    }
  }

  @Test
  void answersAClientsPingAndRecordsItsTexts() throws Exception {
    try (WsTestClient client = WsTestClient.connect(loop.url())) {
      assertThat(loop.awaitClient(WAIT)).isTrue();

      client.socket().sendText("{\"action\":\"subscribe\"}", true).get();
      client.socket().sendPing(ByteBuffer.wrap(new byte[] {1, 2})).get();
      loop.send("marker");

      assertThat(client.next()).isEqualTo("marker");
      await("a pong and a message").atMost(WAIT)
          .until(() -> client.pongs() == 1 && !loop.received().isEmpty());
      assertThat(client.pongs()).isEqualTo(1);
      assertThat(loop.received()).containsExactly("{\"action\":\"subscribe\"}");
    }
  }

  @Test
  void sendsABurstThenDropsTheConnectionWithoutACloseFrame() throws Exception {
    try (WsTestClient client = WsTestClient.connect(loop.url())) {
      assertThat(loop.awaitClient(WAIT)).isTrue();

      int reached = loop.sendThenDrop(List.of("one", "two", "three"), Duration.ofMillis(100));

      assertThat(reached).isEqualTo(1);
      assertThat(loop.connections()).isZero();
      assertThat(List.of(client.next(), client.next(), client.next()))
          .containsExactly("one", "two", "three");
      assertThat(client.awaitGone()).isTrue();
      assertThat(client.closeStatus()).as("no close frame: abnormal closure").isEqualTo(1006);
      assertThat(loop.isListening()).isTrue();
    }
  }

  @Test
  void ignoresPingsWhileToldNotToAnswerThemAndCountsThem() throws Exception {
    try (WsTestClient client = WsTestClient.connect(loop.url())) {
      assertThat(loop.awaitClient(WAIT)).isTrue();

      loop.answerPings(false);
      client.socket().sendPing(ByteBuffer.wrap(new byte[] {1})).get();
      assertThat(loop.awaitPings(1, WAIT)).isTrue();
      loop.answerPings(true);
      client.socket().sendPing(ByteBuffer.wrap(new byte[] {2})).get();

      assertThat(client.nextPong().get()).as("the pong of the second ping only").isEqualTo((byte) 2);
      assertThat(loop.pingsReceived()).isEqualTo(2);
      assertThat(loop.connections()).isEqualTo(1);
    }
  }

  @Test
  void replaysItsMessagesToEachNewClientFirst() throws Exception {
    String started = FakeConvergenceLoop.event(SESSION, 0, "IDLE", "SESSION_STARTED", "{}");
    String iteration = FakeConvergenceLoop.event(SESSION, 1, "IDLE", "ITERATION_STARTED", "{}");
    loop.replayOnConnect(List.of(started, iteration));

    try (WsTestClient first = WsTestClient.connect(loop.url())) {
      assertThat(loop.awaitClient(WAIT)).isTrue();
      loop.send("live");

      assertThat(List.of(first.next(), first.next(), first.next()))
          .containsExactly(started, iteration, "live");

      try (WsTestClient second = WsTestClient.connect(loop.url())) {
        assertThat(loop.awaitHandshakes(2, WAIT)).isTrue();

        assertThat(List.of(second.next(), second.next())).containsExactly(started, iteration);
        assertThat(first.poll(200)).isNull();
      }
    }
  }

  @Test
  void disconnectsClientsAbruptlyAndAcceptsThemAgain() throws Exception {
    try (WsTestClient client = WsTestClient.connect(loop.url())) {
      assertThat(loop.awaitClient(WAIT)).isTrue();

      loop.disconnectClients();

      assertThat(client.awaitGone()).isTrue();
      assertThat(loop.connections()).isZero();
      assertThat(loop.isListening()).isTrue();
    }
    try (WsTestClient again = WsTestClient.connect(loop.url())) {
      assertThat(loop.awaitHandshakes(2, WAIT)).isTrue();
      loop.send("welcome back");

      assertThat(again.next()).isEqualTo("welcome back");
      assertThat(loop.connections()).isEqualTo(1);
    }
  }

  @Test
  void stopsAndRestartsOnTheSamePort() throws Exception {
    int port = loop.port();
    WsTestClient before = WsTestClient.connect(loop.url());
    assertThat(loop.awaitClient(WAIT)).isTrue();

    loop.stop();

    assertThat(loop.isListening()).isFalse();
    assertThat(before.awaitGone()).isTrue();
    before.close();
    assertThat(loop.connections()).isZero();
    assertThatThrownBy(() -> WsTestClient.connect(loop.url()))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(ConnectException.class);

    loop.restart();

    assertThat(loop.port()).isEqualTo(port);
    try (WsTestClient after = WsTestClient.connect(loop.url())) {
      assertThat(loop.awaitHandshakes(2, WAIT)).isTrue();
      loop.sendGreeting();
      assertThat(after.next()).contains("convergence loop ready");
    }
  }

  @Test
  void aNewFakeCanTakeOverTheSamePortAfterClose() throws Exception {
    int port = loop.port();
    try (WsTestClient client = WsTestClient.connect(loop.url())) {
      assertThat(loop.awaitClient(WAIT)).isTrue();
      loop.close();
      assertThat(client.awaitGone()).isTrue();
    }

    loop = FakeConvergenceLoop.start(port);

    assertThat(loop.url()).isEqualTo("ws://127.0.0.1:" + port);
    try (WsTestClient client = WsTestClient.connect(loop.url())) {
      assertThat(loop.awaitClient(WAIT)).isTrue();
      loop.send("restarted");
      assertThat(client.next()).isEqualTo("restarted");
    }
  }

  @Test
  void closesIdempotentlyAndCannotRestartAfterClose() {
    loop.close();
    loop.close();

    assertThat(loop.isListening()).isFalse();
    assertThatThrownBy(loop::restart).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), loop.port()).close())
        .isInstanceOf(ConnectException.class);
  }

  @Test
  void awaitingAClientGivesUpAfterTheTimeout() throws Exception {
    assertThat(loop.awaitClient(Duration.ofMillis(50))).isFalse();
    assertThat(loop.awaitHandshakes(1, Duration.ofMillis(50))).isFalse();
    assertThat(loop.awaitPongs(1, Duration.ofMillis(50))).isFalse();
  }

  @Test
  void startsOnAPortWithItsReplayAlreadySet() throws Exception {
    int port = loop.port();
    loop.close();
    String started = FakeConvergenceLoop.event(SESSION, 0, "IDLE", "SESSION_STARTED", "{}");

    loop = FakeConvergenceLoop.start(port, List.of(started));

    try (WsTestClient client = WsTestClient.connect(loop.url())) {
      assertThat(client.next()).isEqualTo(started);
      assertThat(loop.port()).isEqualTo(port);
    }
  }

  @Test
  void refusesAPortOutOfRange() {
    assertThatThrownBy(() -> FakeConvergenceLoop.start(70_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port: 70000 (expected: 0-65535)");
  }
}
