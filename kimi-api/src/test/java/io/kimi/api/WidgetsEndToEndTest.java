package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.api.testing.KimiServerExtension;
import io.kimi.core.Event;
import io.kimi.services.widgets.Widget;
import io.kimi.services.widgets.WidgetState;
import io.kimi.testing.FakeConvergenceLoop;
import io.kimi.testing.FakeUpstream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Widgets through a real server: {@code GET /api/widgets} and {@code widget} messages on the WebSocket. */
class WidgetsEndToEndTest {
    FakeUpstream fake;
    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension().manualStart();

    @BeforeEach
    void start() {
        fake = server.fake();
        server.start();
    }


    /** The seed's custom chart: a point per completed step. */
    static final class StepChart implements Widget {
        private final List<Map<String, Object>> points = new ArrayList<>();

        @Override
        public boolean onEvent(Event event) {
            if (!event.eventType().equals("STEP_COMPLETE")) {
                return false;
            }
            points.add(Map.of("timestamp", event.timestamp().toString(), "iteration", event.iteration()));
            return true;
        }

        @Override
        public WidgetState render() {
            return WidgetState.chart(Map.of("data", List.copyOf(points),
                    "options", Map.of("title", "Step Completion Times", "x", "timestamp", "y", "iteration")));
        }
    }

    @Test
    void widgetsAreListedAndTheirChangesPushedLive() {
        server.server().widgets().register("custom_chart", StepChart::new);
        server.server().widgets().register("always_fails", () -> new Widget() {
            @Override
            public boolean onEvent(Event event) {
                throw new IllegalStateException("a broken widget");
            }

            @Override
            public WidgetState render() {
                return WidgetState.counter(Map.of("value", 0));
            }
        });

        JsonNode listed = json(server.get("/api/widgets"));
        assertThat(listed.path("widgets")).hasSize(2);
        assertThat(listed.path("widgets").get(0).path("name").asText()).isEqualTo("custom_chart");
        assertThat(listed.path("widgets").get(0).path("type").asText()).isEqualTo("chart");
        assertThat(listed.path("widgets").get(0).path("state").path("data")).isEmpty();

        try (WsTestClient client = WsTestClient.connect(
                server.wsUri("/ws"))) {
            client.next("init");
            client.send("{\"action\":\"subscribe\",\"events\":[\"widget\"]}");
            client.next("response");
            String id = UUID.randomUUID().toString();
            String body = "[" + FakeConvergenceLoop.event(id, 1, "DIAGNOSING", "STEP_COMPLETE",
                    "{\"step\":\"diagnose\"}") + "]";
            assertThat(server.post("/api/events", body).statusCode()).isEqualTo(200);

            JsonNode pushed = client.next("widget");
            assertThat(pushed.path("data").path("name").asText()).isEqualTo("custom_chart");
            assertThat(pushed.path("data").path("type").asText()).isEqualTo("chart");
            assertThat(pushed.path("data").path("state").path("data").get(0).path("iteration").asInt()).isEqualTo(1);
        }
        JsonNode after = json(server.get("/api/widgets"));
        assertThat(after.path("widgets").get(0).path("state").path("data")).hasSize(1);
        assertThat(after.path("widgets").get(1).path("state").path("value").asInt()).isZero();
        assertThat(json(server.get("/health")).path("status").asText()).isEqualTo("opérationnel");
    }
}
