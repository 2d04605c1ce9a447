package io.kimi.services.internal.widgets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.core.Event;
import io.kimi.core.hub.EventHub;
import io.kimi.core.hub.HubMessage;
import io.kimi.services.widgets.Widget;
import io.kimi.services.widgets.WidgetState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WidgetRegistryTest {
    final ObjectMapper json = new ObjectMapper();
    final EventHub hub = new EventHub();
    final List<HubMessage> published = new CopyOnWriteArrayList<>();
    final WidgetRegistry registry = new WidgetRegistry(hub, json);

    {
        hub.subscribe(m -> {
            if (m.type().equals("widget")) {
                published.add(m);
            }
        });
    }

    @AfterEach
    void close() {
        registry.close();
    }

    /** Points for each STEP_COMPLETE: the seed's custom chart. */
    static final class StepChart implements Widget {
        final List<Map<String, Object>> points = new ArrayList<>();
        final List<String> threads = new ArrayList<>();

        @Override
        public boolean onEvent(Event event) {
            threads.add(Thread.currentThread().getName());
            if (!event.eventType().equals("STEP_COMPLETE")) {
                return false;
            }
            points.add(Map.of("timestamp", event.timestamp().toString(), "iteration", event.iteration(),
                    "step", event.dataJson().contains("diagnose") ? "diagnose" : "other"));
            return true;
        }

        @Override
        public WidgetState render() {
            return WidgetState.chart(Map.of("data", List.copyOf(points), "options", Map.of("title", "Steps")));
        }
    }

    private void publishEvent(String type, int iteration, String dataJson) {
        String message = "{\"type\":\"event\",\"event_id\":\"e-" + System.nanoTime() + "\",\"timestamp\":"
                + "\"2024-01-15T10:30:00Z\",\"session_id\":\"s1\",\"iteration\":" + iteration
                + ",\"state\":\"DIAGNOSING\",\"event_type\":\"" + type + "\",\"data\":" + dataJson + "}";
        hub.publish(new HubMessage("event", type, message));
    }

    private void sync() throws Exception {
        registry.sync().get(5, TimeUnit.SECONDS);
    }

    private JsonNode widget(String name) {
        for (JsonNode w : registry.list().path("widgets")) {
            if (w.path("name").asText().equals(name)) {
                return w;
            }
        }
        throw new AssertionError("no widget " + name + " in " + registry.list());
    }

    @Test
    void aRegisteredWidgetIsListedWithItsInitialStateAndPublished() throws Exception {
        registry.register("custom_chart", StepChart::new);
        JsonNode w = widget("custom_chart");
        assertThat(w.path("type").asText()).isEqualTo("chart");
        assertThat(w.path("state").path("data").isArray()).isTrue();
        assertThat(w.path("state").path("options").path("title").asText()).isEqualTo("Steps");
        assertThat(published).hasSize(1);
        JsonNode message = json.readTree(published.get(0).json());
        assertThat(message.path("type").asText()).isEqualTo("widget");
        assertThat(message.path("data").path("name").asText()).isEqualTo("custom_chart");
    }

    @Test
    void eventsReachTheWidgetOffThePublishersThreadAndChangesArePushed() throws Exception {
        StepChart chart = new StepChart();
        registry.register("custom_chart", () -> chart);
        publishEvent("STEP_STARTED", 1, "{\"step\":\"diagnose\"}");
        publishEvent("STEP_COMPLETE", 1, "{\"step\":\"diagnose\"}");
        publishEvent("STEP_COMPLETE", 2, "{\"step\":\"fix\"}");
        hub.publish(new HubMessage("metric", "metric", "{\"type\":\"metric\",\"data\":{}}"));
        sync();

        assertThat(chart.threads).hasSize(3).containsOnly("kimi-widgets");
        JsonNode data = widget("custom_chart").path("state").path("data");
        assertThat(data).hasSize(2);
        assertThat(data.get(0).path("step").asText()).isEqualTo("diagnose");
        assertThat(data.get(1).path("iteration").asInt()).isEqualTo(2);
        assertThat(published).hasSize(3); // registration, then one per change
        JsonNode last = json.readTree(published.get(2).json());
        assertThat(last.path("data").path("state").path("data")).hasSize(2);
        assertThat(published.get(2).topic()).isEqualTo("widget");
    }

    @Test
    void aThrowingWidgetIsIsolated() throws Exception {
        registry.register("boom", () -> new Widget() {
            @Override
            public boolean onEvent(Event event) {
                throw new IllegalStateException("boom on " + event.eventType());
            }

            @Override
            public WidgetState render() {
                return WidgetState.counter(Map.of("value", 0));
            }
        });
        registry.register("bad_render", () -> new Widget() {
            int renders;

            @Override
            public boolean onEvent(Event event) {
                return true;
            }

            @Override
            public WidgetState render() {
                if (renders++ > 0) {
                    throw new IllegalStateException("cannot render");
                }
                return WidgetState.table(Map.of("columns", List.of("a"), "rows", List.of()));
            }
        });
        registry.register("custom_chart", StepChart::new);
        publishEvent("STEP_COMPLETE", 1, "{}");
        publishEvent("STEP_COMPLETE", 2, "{}");
        sync();

        assertThat(widget("custom_chart").path("state").path("data")).hasSize(2);
        assertThat(widget("boom").path("state").path("value").asInt()).isZero();
        assertThat(widget("bad_render").path("type").asText()).isEqualTo("table");
        assertThat(registry.failures()).isEqualTo(4);
    }

    @Test
    void namesAreCheckedAndFactoriesThatFailAreReported() {
        registry.register("custom_chart", StepChart::new);
        assertThatThrownBy(() -> registry.register("custom_chart", StepChart::new))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already registered");
        assertThatThrownBy(() -> registry.register("no spaces", StepChart::new))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> registry.register("fails", () -> {
            throw new IllegalStateException("no");
        })).isInstanceOf(IllegalStateException.class).hasMessageContaining("fails");
        assertThat(registry.names()).containsExactly("custom_chart");
        assertThat(registry.unregister("custom_chart")).isTrue();
        assertThat(registry.list().path("widgets")).isEmpty();
    }

    @Test
    void providersOnTheClasspathAreDiscoveredAndBrokenOnesSkipped() throws Exception {
        int registered = registry.loadFromClasspath(getClass().getClassLoader());
        assertThat(registered).isEqualTo(1);
        assertThat(registry.names()).containsExactly("step_counter");
        publishEvent("STEP_COMPLETE", 1, "{}");
        publishEvent("ITERATION_STARTED", 2, "{}");
        sync();
        JsonNode counter = widget("step_counter");
        assertThat(counter.path("type").asText()).isEqualTo("counter");
        assertThat(counter.path("state").path("value").asInt()).isEqualTo(1);
    }
}
