package io.kimi.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.api.testing.KimiServerExtension;
import io.kimi.client.WebSocketClient;
import io.kimi.testing.FakeConvergenceLoop;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EventProcessorTest {
    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension();

    @Test
    void reactsToIterationsStepsAndConvergence() throws Exception {
        PrintedOutput out = new PrintedOutput();
        EventProcessor processor = new EventProcessor(out.stream);
        try (WebSocketClient client = EventProcessor.connect(server.wsUrl(),
                processor)) {
            server.postEvents(ExampleEvents.convergedSession(UUID.randomUUID().toString()));
            out.awaitPrinted("Converged after 2 iterations!");
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

    @Test
    void printsConnectedBeforeAnyEventWhileALoopIsAlreadySending() throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        Thread loop = new Thread(() -> {
            // A loop already running: steps keep arriving (at most 2,000 batches, until the test is done).
            String id = UUID.randomUUID().toString();
            for (int i = 1; i <= 2_000 && !done.get(); i++) {
                server.postEvents(List.of(FakeConvergenceLoop.event(id, i, "DIAGNOSING",
                        "STEP_COMPLETE", "{\"step\":\"diagnose\"}")));
            }
        }, "events");
        loop.start();
        try {
            PrintedOutput first = new PrintedOutput();
            try (WebSocketClient warmUp = EventProcessor.connect(server.wsUrl(),
                    new EventProcessor(first.stream))) {
                first.awaitPrinted("diagnose complete");
            }
            for (int attempt = 0; attempt < 5; attempt++) {
                PrintedOutput out = new PrintedOutput();
                try (WebSocketClient client = EventProcessor.connect(
                        server.wsUrl(), new EventProcessor(out.stream))) {
                    out.awaitPrinted("diagnose complete");
                }
                assertThat(out.text()).as("connection %d", attempt).startsWith("Connected to ws://127.0.0.1:");
            }
        } finally {
            done.set(true);
            loop.join(30_000);
        }
    }
}
