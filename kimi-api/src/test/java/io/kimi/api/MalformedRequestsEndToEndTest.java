package io.kimi.api;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.kimi.api.testing.KimiServerExtension;
import io.kimi.core.Session;
import io.kimi.core.store.sqlite.SqliteStore;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Requests that Netty or our routes cannot make sense of each get a 400 in our error JSON and one log line
 * without a stack trace, and the connection is never left hanging; ids that cannot go into a header are refused
 * at ingest, and those already stored still export with a safely encoded file name.
 */
class MalformedRequestsEndToEndTest extends EndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final List<String> LOGGERS = List.of("io.kimi.api", "io.netty");

    private RawClient connect() {
        return RawClient.connect(server.port());
    }

    private static String code(RawClient.Response r) throws Exception {
        return KimiServerExtension.JSON.readTree(r.body()).path("error").path("code").asText();
    }

    private static void assertConcise(LogCapture log) {
        List<ILoggingEvent> events = log.events();
        assertThat(events).as("log lines").isNotEmpty();
        assertThat(events).allSatisfy(e -> assertThat(e.getThrowableProxy()).as(e.getFormattedMessage()).isNull());
    }

    @Test
    void badPercentEncodingGets400AndTheConnectionStaysUsable() throws Exception {
        try (LogCapture log = new LogCapture("io.kimi.api", Level.INFO); RawClient c = connect()) {
            for (String target : List.of("/health?%%%", "/api/sessions/%zz", "/api/export/csv?session_id=%")) {
                c.clearReceived();
                RawClient.Response r = c.send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                        .awaitResponse(WAIT);

                assertThat(r.status()).as(target).isEqualTo(400);
                assertThat(code(r)).as(target).isEqualTo("bad_request");
                assertThat(r.body()).as(target).contains("percent-encoding");
            }
            c.clearReceived();
            assertThat(c.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").awaitResponse(WAIT).status())
                    .isEqualTo(200);
            assertConcise(log);
        }
    }

    @Test
    void aWebSocketUpgradeWithoutAKeyGets400() throws Exception {
        try (LogCapture log = new LogCapture("io.kimi.api", Level.INFO); RawClient c = connect()) {
            RawClient.Response r = c.send("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n").awaitResponse(WAIT);

            assertThat(r.status()).isEqualTo(400);
            assertThat(code(r)).isEqualTo("bad_request");
            assertThat(r.body()).contains("Sec-WebSocket-Key");
            assertConcise(log);
        }
    }

    @Test
    void anUnparsableRequestGets400AndTheConnectionIsClosedRatherThanLeftHanging() throws Exception {
        try (LogCapture log = new LogCapture("io.kimi.api", Level.INFO); RawClient c = connect()) {
            RawClient.Response r = c.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header Line\r\n\r\n")
                    .awaitResponse(WAIT);

            assertThat(r.status()).isEqualTo(400);
            assertThat(code(r)).isEqualTo("bad_request");
            assertThat(r.header("connection")).isEqualToIgnoringCase("close");
            assertThat(c.awaitClosed(WAIT)).isTrue();
            assertConcise(log);
        }
    }

    @Test
    void eventIdsWithControlCharactersAreRefusedAtIngest() throws Exception {
        for (String id : List.of("a\\r\\nSet-Cookie: x=1", "tab\\there", "nul\\u0000", "del\\u007f", "ls\\u2028")) {
            var r = server.post("/api/events", "{\"session_id\":\"" + id + "\",\"event_type\":\"SESSION_STARTED\"}");

            assertThat(r.statusCode()).as(id).isEqualTo(400);
            assertThat(KimiServerExtension.json(r).path("error").path("message").asText()).as(id)
                    .contains("session_id").contains("control character");
        }
        var badEventId = server.post("/api/events",
                "{\"session_id\":\"ok\",\"event_id\":\"e\\n1\",\"event_type\":\"SESSION_STARTED\"}");

        assertThat(badEventId.statusCode()).isEqualTo(400);
        assertThat(KimiServerExtension.json(server.get("/api/sessions")).path("total").asInt()).isZero();
    }

    @Test
    void anExportOfAStoredIdThatCannotGoInAHeaderStillAnswersWithAnEncodedFileName() throws Exception {
        server.stop();
        String id = "legacy\r\nSet-Cookie: x=1 \"é\"";
        try (SqliteStore store = SqliteStore.open(server.database(), Clock.systemUTC())) {
            store.saveSession(Session.newProxy(id, "stored before ids were checked", Instant.now(), "fake",
                    "kimi-k2", 262144)).get(10, TimeUnit.SECONDS);
        }
        server.start();

        for (String format : List.of("csv", "json")) {
            try (RawClient c = connect()) {
                RawClient.Response r = c.send("GET /api/export/" + format + "?session_id="
                        + URLEncoder.encode(id, StandardCharsets.UTF_8) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                        .awaitResponse(WAIT);

                assertThat(r.status()).as(format).isEqualTo(200);
                assertThat(r.headers()).as(format).doesNotContainKey("set-cookie");
                assertThat(r.header("content-disposition")).as(format)
                        .isEqualTo("attachment; filename=\"kimi-session-legacy__Set-Cookie__x_1____.%s\"; "
                                .formatted(format)
                                + "filename*=UTF-8''kimi-session-legacy%0D%0ASet-Cookie%3A%20x%3D1%20%22%C3%A9%22."
                                + format);
            }
        }
    }
}
