package io.kimi.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kimi.testing.FakeConvergenceLoop;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link WebSocketClient} against a WebSocket server that accepts requests and never answers them (the fake loop
 * plays a hung dashboard): no request waits beyond the request timeout, and one unanswered reply does not leave
 * later requests queued behind it for ever.
 */
class WebSocketRepliesTest {
    private static final long HUNG_SECONDS = 20;

    @Test
    void anUnansweredRequestFailsInTimeAndTheClientReconnectsSoLaterRequestsAreSent() throws Exception {
        Semaphore connects = new Semaphore(0);
        try (FakeConvergenceLoop silent = FakeConvergenceLoop.start();
                WebSocketClient ws = WebSocketClient.builder(silent.url())
                        .heartbeatInterval(Duration.ZERO)
                        .requestTimeout(Duration.ofMillis(500))
                        .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
                        .onConnect(c -> connects.release())
                        .build()) {
            ws.connect();
            assertThat(connects.tryAcquire(HUNG_SECONDS, TimeUnit.SECONDS)).isTrue();

            CompletableFuture<Session> first = ws.getSession("first-id");
            assertThatThrownBy(() -> first.get(HUNG_SECONDS, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(DashboardConnectionException.class)
                    .hasMessageContaining("no reply to get_session");

            assertThat(connects.tryAcquire(HUNG_SECONDS, TimeUnit.SECONDS))
                    .as("the connection that lost a reply is replaced").isTrue();
            // The client may see the 101 before the fake's own handshake listener has counted it.
            assertThat(silent.awaitHandshakes(2, Duration.ofSeconds(HUNG_SECONDS))).isTrue();
            assertThat(silent.handshakes()).isEqualTo(2);
            CompletableFuture<Session> second = ws.getSession("second-id");
            awaitReceived(silent, "second-id"); // a get_session after the unanswered one reaches the server
            assertThatThrownBy(() -> second.get(HUNG_SECONDS, TimeUnit.SECONDS))
                    .cause().isInstanceOf(DashboardConnectionException.class);
        }
    }

    /** Waits (bounded) until the server has received a text containing {@code marker}. */
    private static void awaitReceived(FakeConvergenceLoop loop, String marker) {
        await().atMost(Duration.ofSeconds(HUNG_SECONDS)).pollInterval(Duration.ofMillis(20))
                .alias("the server receives a text containing " + marker)
                .until(() -> loop.received().stream().anyMatch(text -> text.contains(marker)));
    }
}
