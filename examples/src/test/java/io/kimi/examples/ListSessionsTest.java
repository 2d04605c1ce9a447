package io.kimi.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.api.KimiServer;
import io.kimi.client.DashboardClient;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListSessionsTest {
    @TempDir
    Path dir;

    @Test
    void printsTheLatestSessions() {
        try (KimiServer server = Dashboards.start(dir)) {
            String id = UUID.randomUUID().toString();
            Dashboards.postEvents(server, Dashboards.convergedSession(id));
            Dashboards.Output out = new Dashboards.Output();
            long total = ListSessions.print(DashboardClient.create(server.baseUri().toString()), out.stream);
            assertThat(total).isEqualTo(1);
            assertThat(out.text()).contains("1 sessions").contains(id).contains("converged")
                    .contains("https://example.com, iteration 2");
        }
    }
}
