package io.kimi.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kimi.api.testing.KimiServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Both clients against a server that requires an access token. */
class AuthTokenTest {
    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension().serverToml("auth_token = \"${FAKE_API_KEY}\"");

    @Test
    void theTokenIsSentAndItsAbsenceIsA401() {
        DashboardClient anonymous = DashboardClient.create(server.baseUrl());
        assertThatThrownBy(() -> anonymous.listSessions(10, 0)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(401);
            assertThat(e.errorCode()).isEqualTo("unauthorized");
        });
        DashboardClient client = DashboardClient.builder().baseUri(server.baseUrl())
                .authToken(KimiServerExtension.API_KEY).build();
        assertThat(client.listSessions(10, 0).total()).isZero();

        try (WebSocketClient ws = WebSocketClient.builder(server.wsUrl()).authToken(KimiServerExtension.API_KEY)
                .build()) {
            ws.connect();
            assertThat(ws.listSessions(10, 0).join().total()).isZero();
        }
        try (WebSocketClient ws = WebSocketClient.builder(server.wsUrl()).build()) {
            assertThatThrownBy(ws::connect).isInstanceOf(DashboardConnectionException.class);
        }
    }
}
