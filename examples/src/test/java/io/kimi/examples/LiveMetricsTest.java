package io.kimi.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.api.KimiServer;
import io.kimi.client.DashboardClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiveMetricsTest {
    @TempDir
    Path dir;

    @Test
    void redrawsTheMetricsScreenABoundedNumberOfTimes() throws Exception {
        try (KimiServer server = Dashboards.start(dir)) {
            Dashboards.postEvents(server, Dashboards.convergedSession(UUID.randomUUID().toString()));
            Dashboards.Output out = new Dashboards.Output();
            LiveMetrics.run(DashboardClient.create(server.baseUri().toString()), out.stream, Duration.ofMillis(50), 3);
            String text = out.text();
            assertThat(text.split("KIMI DASHBOARD - LIVE METRICS", -1)).hasSize(4);
            assertThat(text).contains("\033[2J\033[H").contains("Total Sessions: 1").contains("Converged: 1")
                    .contains("  high: 2").contains("Proxy: 0 requests");
        }
    }
}
