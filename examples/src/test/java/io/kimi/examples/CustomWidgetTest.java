package io.kimi.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.api.testing.KimiServerExtension;
import io.kimi.client.LiveMessage;
import io.kimi.client.WebSocketClient;
import io.kimi.services.widgets.Widgets;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CustomWidgetTest {
    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension();

    @Test
    void theWidgetIsListedAndItsUpdatesPushed() throws Exception {
        CustomWidget.install(server.server());
        JsonNode before = new ObjectMapper().readTree(server.get("/api/widgets").body());
        assertThat(before.at("/widgets/0/name").asText()).isEqualTo("custom_chart");
        assertThat(before.at("/widgets/0/type").asText()).isEqualTo("chart");
        assertThat(before.at("/widgets/0/state/options/title").asText()).isEqualTo("Step Completion Times");

        BlockingQueue<LiveMessage> widgets = new LinkedBlockingQueue<>();
        try (WebSocketClient client = WebSocketClient.builder(server.wsUrl())
                .subscribe("widget").onMessage(m -> {
                    if (m.type().equals("widget")) {
                        widgets.add(m);
                    }
                }).build().connect()) {
            server.postEvents(ExampleEvents.convergedSession(UUID.randomUUID().toString()));
            LiveMessage first = widgets.poll(10, TimeUnit.SECONDS);
            assertThat(first).isNotNull();
            assertThat(first.data().path("name").asText()).isEqualTo("custom_chart");
            assertThat(first.data().at("/state/data/0/step").asText()).isEqualTo("diagnose");
            assertThat(widgets.poll(10, TimeUnit.SECONDS)).isNotNull(); // the second STEP_COMPLETE
        }
        JsonNode after = new ObjectMapper().readTree(server.get("/api/widgets").body());
        assertThat(after.at("/widgets/0/state/data")).hasSize(2);
        assertThat(after.at("/widgets/0/state/data/1/iteration").asInt()).isEqualTo(2);

        Widgets registered = server.server().widgets();
        assertThat(registered.names()).containsExactly("custom_chart");
        assertThat(registered.unregister("custom_chart")).isTrue();
        assertThat(registered.unregister("custom_chart")).isFalse();
        assertThat(registered.names()).isEmpty();
        assertThat(new ObjectMapper().readTree(server.get("/api/widgets").body()).path("widgets")).isEmpty();
    }
}
