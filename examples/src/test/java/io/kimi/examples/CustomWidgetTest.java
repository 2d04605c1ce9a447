package io.kimi.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.api.KimiServer;
import io.kimi.client.LiveMessage;
import io.kimi.client.WebSocketClient;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CustomWidgetTest {
    @TempDir
    Path dir;

    @Test
    void theWidgetIsListedAndItsUpdatesPushed() throws Exception {
        try (KimiServer server = CustomWidget.install(Dashboards.start(dir))) {
            JsonNode before = new ObjectMapper().readTree(Dashboards.get(server, "/api/widgets"));
            assertThat(before.at("/widgets/0/name").asText()).isEqualTo("custom_chart");
            assertThat(before.at("/widgets/0/type").asText()).isEqualTo("chart");
            assertThat(before.at("/widgets/0/state/options/title").asText()).isEqualTo("Step Completion Times");

            BlockingQueue<LiveMessage> widgets = new LinkedBlockingQueue<>();
            try (WebSocketClient client = WebSocketClient.builder("ws://127.0.0.1:" + server.port() + "/ws")
                    .subscribe("widget").onMessage(m -> {
                        if (m.type().equals("widget")) {
                            widgets.add(m);
                        }
                    }).build().connect()) {
                Dashboards.postEvents(server, Dashboards.convergedSession(UUID.randomUUID().toString()));
                LiveMessage first = widgets.poll(10, TimeUnit.SECONDS);
                assertThat(first).isNotNull();
                assertThat(first.data().path("name").asText()).isEqualTo("custom_chart");
                assertThat(first.data().at("/state/data/0/step").asText()).isEqualTo("diagnose");
                assertThat(widgets.poll(10, TimeUnit.SECONDS)).isNotNull(); // the second STEP_COMPLETE
            }
            JsonNode after = new ObjectMapper().readTree(Dashboards.get(server, "/api/widgets"));
            assertThat(after.at("/widgets/0/state/data")).hasSize(2);
            assertThat(after.at("/widgets/0/state/data/1/iteration").asInt()).isEqualTo(2);

            assertThat(server.widgets().names()).containsExactly("custom_chart");
            assertThat(server.widgets().unregister("custom_chart")).isTrue();
            assertThat(server.widgets().unregister("custom_chart")).isFalse();
            assertThat(server.widgets().names()).isEmpty();
            assertThat(new ObjectMapper().readTree(Dashboards.get(server, "/api/widgets")).path("widgets")).isEmpty();
        }
    }
}
