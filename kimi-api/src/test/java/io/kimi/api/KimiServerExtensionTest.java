package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.api.testing.KimiServerExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The test harness itself: what a test gets, what a restart keeps, and what is gone after the test. */
class KimiServerExtensionTest {
    private static final String EVENT = "{\"session_id\":\"harness-1\",\"timestamp\":\"2024-01-15T10:00:00Z\","
            + "\"iteration\":0,\"state\":\"IDLE\",\"event_type\":\"SESSION_STARTED\",\"data\":{}}";

    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension();

    @Test
    void aTestGetsARunningServerOnLoopbackWithItsOwnDatabase() {
        assertThat(server.baseUrl()).startsWith("http://127.0.0.1:");
        assertThat(json(server.get("/health")).path("database").asText()).isEqualTo("ok");
        assertThat(server.database()).exists().startsWith(server.dir());
        assertThat(server.chat("kimi-k2")).isEqualTo(200);
        assertThat(server.fake().requests()).hasSize(1);
    }

    @Test
    void aRestartKeepsThePortAndTheDatabase() {
        int port = server.port();
        server.postEvents(List.of(EVENT));

        server.restart();

        assertThat(server.port()).isEqualTo(port);
        assertThat(server.get("/api/sessions/harness-1").statusCode()).isEqualTo(200);
    }

    @Test
    void aRestartWithOtherSettingsAppliesThem() {
        server.restart(s -> s.serverToml("auth_token = \"${FAKE_API_KEY}\""));

        assertThat(server.get("/api/sessions").statusCode()).isEqualTo(401);
    }
}
