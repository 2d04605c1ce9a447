package io.kimi.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The simulated loop example serves a real WebSocket that a client reads convergence events from. */
class SimulatedConvergenceLoopTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aClientReceivesTheCurrentSessionFromItsStartThenLiveSteps() throws Exception {
        try (SimulatedConvergenceLoop loop = SimulatedConvergenceLoop.start(0, Duration.ofMillis(20), 1)) {
            assertThat(loop.url()).isEqualTo("ws://127.0.0.1:" + loop.port());
            Thread.sleep(100); // some steps before the client connects: it gets them replayed
            Messages messages = new Messages();
            WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(WAIT)
                    .buildAsync(URI.create(loop.url()), messages).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            try {
                List<JsonNode> events = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    events.add(JSON.readTree(messages.next()));
                }

                JsonNode started = events.get(0);
                assertThat(started.get("event_type").asText()).isEqualTo("SESSION_STARTED");
                assertThat(started.at("/data/target").asText()).startsWith("https://shop-");
                assertThat(events).allSatisfy(e -> {
                    assertThat(e.get("session_id")).isEqualTo(started.get("session_id"));
                    assertThat(e.get("event_id").asText()).isNotBlank();
                });
                assertThat(events.stream().map(e -> e.get("event_id").asText()).distinct()).hasSize(events.size());
            } finally {
                socket.abort();
            }
        }
    }

    @Test
    void refusesABadPortOrInterval() {
        assertThatThrownBy(() -> SimulatedConvergenceLoop.start(-1, Duration.ofMillis(10), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port: -1");
        assertThatThrownBy(() -> SimulatedConvergenceLoop.start(0, Duration.ZERO, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("interval");
    }

    /** Whole text messages, in order. */
    private static final class Messages implements WebSocket.Listener {
        private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                queue.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        String next() throws InterruptedException {
            String message = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(message).as("a message within %s", WAIT).isNotNull();
            return message;
        }
    }
}
