package io.kimi.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.api.testing.KimiServerExtension;
import io.kimi.client.DashboardClient;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ListSessionsTest {
    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension();

    @Test
    void printsTheLatestSessions() {
        String id = UUID.randomUUID().toString();
        server.postEvents(ExampleEvents.convergedSession(id));
        PrintedOutput out = new PrintedOutput();
        long total = ListSessions.print(DashboardClient.create(server.baseUrl()), out.stream);
        assertThat(total).isEqualTo(1);
        assertThat(out.text()).contains("1 sessions").contains(id).contains("converged")
                .contains("https://example.com, iteration 2");
    }
}
