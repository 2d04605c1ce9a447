package io.kimi.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The records write the flat snake_case objects of docs/websocket.md and docs/api.md. */
class WireFormatTest {
    private final ObjectMapper json = new ObjectMapper();

    private static RequestFigures figures() {
        return new RequestFigures("r1", "s1", "2026-01-01T00:00:00Z", "p", "m", true, "success", 200, "proxy",
                new TokenCounts(10, 5, 15, 2, 9, 0.5), "reported", null, 120, 30, 0, null);
    }

    @Test
    void aMetricMessageIsFlatAndKeepsItsNulls() {
        JsonNode n = json.valueToTree(new MetricMessage(new MetricData(figures(),
                new ContextFill(15, 1000, 1.5, "normal"), 15, 0.5)));
        assertThat(n.path("type").asText()).isEqualTo("metric");
        JsonNode d = n.path("data");
        assertThat(d.path("prompt_tokens").asLong()).isEqualTo(10);
        assertThat(d.path("context_percent").asDouble()).isEqualTo(1.5);
        assertThat(d.has("estimated_completion_tokens")).isTrue();
        assertThat(d.path("estimated_completion_tokens").isNull()).isTrue();
        assertThat(d.has("tokens")).as("unwrapped, not nested").isFalse();
    }

    @Test
    void anEventMessageIsTheFlatEventWithItsType() {
        ServerMessage m = new EventMessage(new EventView("e1", "t", "s1", 2, null, "STEP_COMPLETE", Map.of("a", 1)));
        JsonNode n = json.valueToTree(m);
        assertThat(m.topic()).isEqualTo("STEP_COMPLETE");
        assertThat(n.path("type").asText()).isEqualTo("event");
        assertThat(n.path("event_type").asText()).isEqualTo("STEP_COMPLETE");
        assertThat(n.path("data").path("a").asInt()).isEqualTo(1);
        assertThat(n.has("topic")).isFalse();
    }

    @Test
    void requestEventDataLeavesOutWhatDidNotHappen() {
        JsonNode n = json.valueToTree(new RequestEventData(figures(), new ContextFill(1, 2, 3, "normal"),
                null, null, null));
        assertThat(n.has("error")).isFalse();
        assertThat(n.has("features")).isFalse();
        assertThat(n.path("cost_usd").asDouble()).isEqualTo(0.5);
    }

    @Test
    void sessionsOfEachKindShowOnlyTheirFields() {
        SessionHeader h = new SessionHeader("s1", "proxy", "n", null, "running", "t", null, null, 0, Map.of());
        JsonNode proxy = json.valueToTree(new SessionMessage(SessionMessage.CREATED, new ProxySessionView(h, "p",
                "m", 1000, true, new ProxySessionView.Totals(1, 0, new TokenCounts(1, 2, 3, 0, 1, 0.1)),
                new ProxySessionView.ContextGauge(3, 1000, 0.3, "normal"))));
        assertThat(proxy.path("action").asText()).isEqualTo("created");
        assertThat(proxy.path("data").path("totals").path("total_tokens").asLong()).isEqualTo(3);
        assertThat(proxy.path("data").path("end_time").isNull()).isTrue();
        assertThat(proxy.path("data").has("final_state")).isFalse();
        JsonNode loop = json.valueToTree(new ConvergenceSessionView(h, null,
                new ConvergenceSessionView.Totals(1, 2, 3, 4, 5)));
        assertThat(loop.has("final_state")).isTrue();
        assertThat(loop.has("totals")).isFalse();
        assertThat(loop.path("metrics").path("tests_failed").asLong()).isEqualTo(5);
    }

    @Test
    void aSubscriptionChangeRoundTrips() throws Exception {
        String text = json.writeValueAsString(new SubscriptionChange("subscribe", List.of("metric")));
        assertThat(json.readValue(text, SubscriptionChange.class).events()).containsExactly("metric");
    }

    @Test
    void systemMetricsKeepTheirNestingAndOrder() {
        JsonNode n = json.valueToTree(new SystemMetricsView(3, 1, 1, 1, 2.5, 10.0, new FindingCounts(1, 2, 3, 4, 5),
                new BridgeState("mock", "boucle simulée", null, null, null, 0, 0, 0, 0, 0, 0, null, null),
                new ProxyMetrics(2, new RequestTotals(4, 1, 100, 20, 120, 5, 0.25), new TokenRate(120, 60.5, 90),
                        new LatencyFigures(10, 20, 30, 3), new AccuracyFigures(3, 1.25, null, 2))));
        assertThat(n.fieldNames()).toIterable().containsExactly("total_sessions", "active_sessions",
                "converged_sessions", "failed_sessions", "average_iterations", "average_duration",
                "findings_by_severity", "bridge", "proxy");
        assertThat(n.path("findings_by_severity").fieldNames()).toIterable()
                .containsExactly("critical", "high", "medium", "low", "info");
        JsonNode proxy = n.path("proxy");
        assertThat(proxy.fieldNames()).toIterable().containsExactly("sessions", "requests", "failed_requests",
                "prompt_tokens", "completion_tokens", "total_tokens", "cached_tokens", "cost_usd",
                "tokens_per_minute", "latency_ms", "estimate_accuracy");
        assertThat(proxy.path("tokens_per_minute").path("last_60s").asLong()).isEqualTo(120);
        assertThat(proxy.path("estimate_accuracy").path("completion_mean_abs_error_percent").isNull()).isTrue();
        assertThat(n.path("bridge").has("url")).as("nulls kept").isTrue();
    }

    @Test
    void aFeatureStateLeavesOutWhatARouteDoesNotSay() {
        assertThat(json.valueToTree(FeatureState.enabled(false)).toString()).isEqualTo("{\"enabled\":false}");
        assertThat(json.valueToTree(new FeatureState("memory", true, null)).toString())
                .isEqualTo("{\"name\":\"memory\",\"enabled\":true}");
        assertThat(json.valueToTree(new FeatureList(List.of(new FeatureState("sanitizer", true, 2)))).toString())
                .isEqualTo("{\"features\":[{\"name\":\"sanitizer\",\"enabled\":true,\"order\":2}]}");
    }

    @Test
    void aMaskShowsItsContentOnlyWhenAsked() {
        MaskView listed = new MaskView("h", "s1", "r1", "tool", null, 900, 40, 860, "t", "prev", null);
        JsonNode n = json.valueToTree(listed);
        assertThat(n.has("content")).isFalse();
        assertThat(n.has("tool_name")).as("other nulls kept").isTrue();
        assertThat(json.valueToTree(new SessionMemory("s1", new MemoryFigures(1, 1, 10, 30, 2, 0.25)))
                .fieldNames()).toIterable().containsExactly("session_id", "requests", "requests_with_memory",
                        "memory_tokens", "chat_tokens", "markers", "memory_ratio");
    }
}
