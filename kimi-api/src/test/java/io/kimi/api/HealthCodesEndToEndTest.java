package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code /health} names each check with a machine-readable code (the page translates it; the English and French
 * fields it had stay as they were): a real server, a real SQLite file broken under it, a convergence loop that
 * does not answer and a log source it cannot read.
 */
class HealthCodesEndToEndTest extends EndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aHealthyServerSaysOkWithACodePerCheckNextToItsOldFields() {
        HttpResponse<String> response = server.get("/health");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode health = json(response);
        assertThat(health.path("code").asText()).isEqualTo("ok");
        assertThat(health.path("status").asText()).isEqualTo("opérationnel");
        assertThat(health.path("database").asText()).isEqualTo("ok");
        assertThat(codes(health)).containsExactly("database:true:database_ok", "convergence:true:convergence_disabled");
    }

    @Test
    void aDatabaseThatNoLongerAnswersIsDatabaseUnreachable() throws Exception {
        assertThat(server.get("/health").statusCode()).isEqualTo(200);
        breakDatabase(server.database());

        HttpResponse<String> response = server.get("/health");
        assertThat(response.statusCode()).isEqualTo(503);
        JsonNode health = json(response);
        assertThat(health.path("code").asText()).isEqualTo("degraded");
        assertThat(health.path("status").asText()).isEqualTo("dégradé");
        assertThat(health.path("database").asText()).startsWith("erreur : ");
        assertThat(codes(health)).contains("database:false:database_unreachable");
    }

    @Test
    void anUnreachableLoopAndAnUnreadableLogAreFailingChecksWhileTheServerStaysUp() throws Exception {
        // A log under a plain file: every look at it fails ("Not a directory"), which a missing file does not.
        Path unreadable = Files.writeString(server.dir().resolve("not-a-directory"), "x").resolve("ide.log");
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        server.restart(s -> s.convergenceToml(String.join("\n",
                        "url = \"ws://127.0.0.1:" + closed + "/ws\"",
                        "reconnect_max_ms = 400")).sectionsToml(String.join("\n",
                        "[logs]",
                        "poll_ms = 20",
                        "[logs.sources.ide]",
                        "path = \"" + unreadable.toString().replace("\\", "/") + "\"",
                        "format = \"continue\"",
                        "")));
        await("the loop is known to be unreachable").atMost(WAIT).until(() ->
                codes(json(server.get("/health"))).contains("convergence:false:convergence_unreachable"));
        await("the log is known to be unreadable").atMost(WAIT).until(() ->
                codes(json(server.get("/health"))).contains("log_source:ide:false:log_source_unreadable"));
        HttpResponse<String> response = server.get("/health");
        assertThat(response.statusCode()).as("the database answers: the server is up").isEqualTo(200);
        assertThat(codes(json(response))).contains("database:true:database_ok", "log_source:ide:false:log_source_unreadable");
    }

    /** Each check as "check[:name]:ok:code", in the server's order. */
    private static List<String> codes(JsonNode health) {
        List<String> codes = new ArrayList<>();
        for (JsonNode c : health.path("checks")) {
            codes.add(c.path("check").asText() + (c.has("name") ? ":" + c.path("name").asText() : "")
                    + ":" + c.path("ok").asBoolean() + ":" + c.path("code").asText());
        }
        return codes;
    }

    /** Renames the sessions table from a second connection: the server's next query of it fails. */
    static void breakDatabase(Path db) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA busy_timeout = 5000");
            statement.execute("ALTER TABLE sessions RENAME TO sessions_gone");
        }
    }
}
