package io.kimi.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.api.testing.KimiServerExtension;
import io.kimi.client.DashboardClient;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LiveMetricsTest {
    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension();

    @Test
    void redrawsTheMetricsScreenABoundedNumberOfTimes() throws Exception {
        server.postEvents(ExampleEvents.convergedSession(UUID.randomUUID().toString()));
        PrintedOutput out = new PrintedOutput();
        LiveMetrics.run(DashboardClient.create(server.baseUrl()), out.stream, Duration.ofMillis(50), 3);
        String text = out.text();
        assertThat(text.split("KIMI DASHBOARD - LIVE METRICS", -1)).hasSize(4);
        assertThat(text).contains("\033[2J\033[H").contains("Total Sessions: 1").contains("Converged: 1")
                .contains("  high: 2").contains("Proxy: 0 requests");
    }
}
