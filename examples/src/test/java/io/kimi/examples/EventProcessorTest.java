package io.kimi.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.api.KimiServer;
import io.kimi.client.WebSocketClient;
import java.nio.file.Path;
import java.util.UUID;
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
}
