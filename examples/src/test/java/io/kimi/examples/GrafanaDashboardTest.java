package io.kimi.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.api.KimiServer;
import io.kimi.config.ConfigLoader;
import io.kimi.config.ConfigOverrides;
import io.kimi.testing.FakeUpstream;
import io.kimi.testing.PrometheusText;
import io.kimi.testing.Reply;
import io.kimi.testing.Usage;
import io.kimi.testing.UsageStyle;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard in examples/grafana is valid JSON, has its Convergence row, and queries only metrics that a
 * real server's /metrics renders.
 */
class GrafanaDashboardTest {
    private static final Path DASHBOARD = Path.of("grafana", "kimi-dashboard.json");
    private static final Pattern METRIC = Pattern.compile("\\b(?:kimi|jvm|process|system)_[a-z_]+\\b");

    @TempDir
    Path dir;

    @Test
    void everyMetricTheDashboardQueriesIsInAScrape() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        Set<String> queried = new TreeSet<>();
        Set<Integer> ids = new HashSet<>();
        Set<String> rows = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(ids.add(panel.path("id").asInt())).as("unique panel id").isTrue();
            assertThat(panel.path("gridPos").path("w").asInt()).isPositive();
            if (panel.path("type").asText().equals("row")) {
                rows.add(panel.path("title").asText());
                continue;
            }
            assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                Matcher m = METRIC.matcher(target.path("expr").asText());
                while (m.find()) {
                    queried.add(m.group());
                }
            }
        }
        assertThat(queried).contains("kimi_proxy_requests_total", "kimi_proxy_tokens_total",
                "kimi_proxy_cost_usd_total", "kimi_proxy_latency_seconds_bucket", "kimi_proxy_overhead_seconds_bucket",
                "kimi_proxy_errors_total", "kimi_websocket_clients", "kimi_websocket_dropped_total");
        assertThat(rows).contains("Convergence");
        assertThat(queried).contains("kimi_convergence_sessions", "kimi_convergence_iterations",
                "kimi_convergence_findings", "kimi_convergence_fixes", "kimi_convergence_vulnerabilities",
                "kimi_convergence_step_duration_seconds_bucket", "kimi_convergence_bridge_state",
                "kimi_convergence_bridge_reconnects_total");

        Set<String> scraped = new HashSet<>();
        PrometheusText.parse(scrapeAfterTraffic()).samples().forEach(s -> scraped.add(s.name()));
        assertThat(scraped).containsAll(queried);
        assertThat(dashboard.path("templating").path("list").findValuesAsText("definition"))
                .allSatisfy(d -> assertThat(scraped).contains(d.replaceAll(".*\\((\\w+),.*", "$1")));
    }

    /** A real server, one streamed completion and one provider error, then GET /metrics. */
    private String scrapeAfterTraffic() throws Exception {
        try (FakeUpstream fake = FakeUpstream.start()) {
            fake.enqueue(Reply.streamingCompletion(List.of("Bon", "jour"), new Usage(20, 2, 0), UsageStyle.OPENAI),
                    Reply.status(500, "boom"));
            Path config = dir.resolve("config.toml");
            Files.writeString(config, String.join("\n",
                    "[server]",
                    "host = \"127.0.0.1\"",
                    "port = 0",
                    "db_path = \"" + dir.resolve("dashboard.db").toString().replace("\\", "/") + "\"",
                    "[providers.fake]",
                    "type = \"openai-compatible\"",
                    "base_url = \"" + fake.baseUrl() + "\"",
                    "api_key = \"${FAKE_KEY}\"",
                    "max_retries = 0",
                    "[models.m]",
                    "provider = \"fake\"",
                    "context_window = 8192",
                    "input_price = 1.0",
                    "output_price = 2.0",
                    ""));
            var loaded = new ConfigLoader(Map.of("FAKE_KEY", "sk-test")).load(
                    new ConfigOverrides(config, null, null, null));
            try (KimiServer server = KimiServer.builder().config(loaded).build().start()) {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                String body = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
                for (int i = 0; i < 2; i++) {
                    http.send(HttpRequest.newBuilder(URI.create(server.baseUri() + "/v1/chat/completions"))
                            .timeout(Duration.ofSeconds(20))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                            HttpResponse.BodyHandlers.ofString());
                }
                HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(
                        URI.create(server.baseUri() + "/metrics")).timeout(Duration.ofSeconds(20)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(scrape.statusCode()).isEqualTo(200);
                return scrape.body();
            }
        }
    }
}
