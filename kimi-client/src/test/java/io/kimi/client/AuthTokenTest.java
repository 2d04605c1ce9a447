package io.kimi.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kimi.testing.FakeUpstream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both clients against a server that requires an access token. */
class AuthTokenTest {
    @TempDir
    Path dir;

    @Test
    void theTokenIsSentAndItsAbsenceIsA401() {
        try (FakeUpstream upstream = FakeUpstream.start();
                LiveServer server = LiveServer.start(dir, upstream.baseUrl(), "auth_token = \"${FAKE_API_KEY}\"")) {
            DashboardClient anonymous = DashboardClient.create(server.httpUri());
            assertThatThrownBy(() -> anonymous.listSessions(10, 0)).isInstanceOfSatisfying(ApiException.class, e -> {
                assertThat(e.statusCode()).isEqualTo(401);
                assertThat(e.errorCode()).isEqualTo("unauthorized");
            });
            DashboardClient client = DashboardClient.builder().baseUri(server.httpUri())
                    .authToken(LiveServer.API_KEY).build();
            assertThat(client.listSessions(10, 0).total()).isZero();

            try (WebSocketClient ws = WebSocketClient.builder(server.wsUri()).authToken(LiveServer.API_KEY).build()) {
                ws.connect();
                assertThat(ws.listSessions(10, 0).join().total()).isZero();
            }
            try (WebSocketClient ws = WebSocketClient.builder(server.wsUri()).build()) {
                assertThatThrownBy(ws::connect).isInstanceOf(DashboardConnectionException.class);
            }
        }
    }
}
