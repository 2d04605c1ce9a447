package io.kimi.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.api.KimiServer;
import io.kimi.client.WebSocketClient;
import io.kimi.testing.FakeConvergenceLoop;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventProcessorTest {
    @TempDir
    Path dir;

    @Test
    void reactsToIterationsStepsAndConvergence() throws Exception {
        try (KimiServer server = Dashboards.start(dir)) {
            Dashboards.Output out = new Dashboards.Output();
            EventProcessor processor = new EventProcessor(out.stream);
            try (WebSocketClient client = EventProcessor.connect("ws://127.0.0.1:" + server.port() + "/ws",
                    processor)) {
                Dashboards.postEvents(server, Dashboards.convergedSession(UUID.randomUUID().toString()));
                assertThat(out.await("Converged after 2 iterations!")).as(out.text()).isTrue();
            }
            assertThat(out.text()).contains("Connected to ws://127.0.0.1:")
                    .contains("--- Iteration 1 ---")
                    .contains("diagnose complete")
                    .contains("fix failed: patch did not apply")
                    .contains("--- Iteration 2 ---")
                    .contains("validate complete")
                    .doesNotContain("SESSION_STARTED");
            assertThat(processor.currentIteration()).isEqualTo(2);
        }
    }

    @Test
    void printsConnectedBeforeAnyEventWhileALoopIsAlreadySending() throws Exception {
        try (KimiServer server = Dashboards.start(dir)) {
            AtomicBoolean done = new AtomicBoolean();
            Thread loop = new Thread(() -> {
                // A loop already running: steps keep arriving (at most 2,000 batches, until the test is done).
                String id = UUID.randomUUID().toString();
                for (int i = 1; i <= 2_000 && !done.get(); i++) {
                    Dashboards.postEvents(server, List.of(FakeConvergenceLoop.event(id, i, "DIAGNOSING",
                            "STEP_COMPLETE", "{\"step\":\"diagnose\"}")));
                }
            }, "events");
            loop.start();
            try {
                Dashboards.Output first = new Dashboards.Output();
                try (WebSocketClient warmUp = EventProcessor.connect("ws://127.0.0.1:" + server.port() + "/ws",
                        new EventProcessor(first.stream))) {
                    assertThat(first.await("diagnose complete")).as("events are flowing").isTrue();
                }
                for (int attempt = 0; attempt < 5; attempt++) {
                    Dashboards.Output out = new Dashboards.Output();
                    try (WebSocketClient client = EventProcessor.connect(
                            "ws://127.0.0.1:" + server.port() + "/ws", new EventProcessor(out.stream))) {
                        assertThat(out.await("diagnose complete")).as(out.text()).isTrue();
                    }
                    assertThat(out.text()).as("connection %d", attempt).startsWith("Connected to ws://127.0.0.1:");
                }
            } finally {
                done.set(true);
                loop.join(30_000);
            }
        }
    }
}
