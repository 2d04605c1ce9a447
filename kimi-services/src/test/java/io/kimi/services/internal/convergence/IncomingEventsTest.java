package io.kimi.services.internal.convergence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.core.Event;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class IncomingEventsTest {
    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private final IncomingEvents parser = new IncomingEvents(new ObjectMapper(), Clock.fixed(NOW, ZoneOffset.UTC));

    private static final String EVENT = "{\"event_id\":\"e1\",\"timestamp\":\"2024-01-15T10:30:00Z\","
            + "\"session_id\":\"s1\",\"iteration\":3,\"state\":\"VALIDATING\",\"event_type\":\"STEP_COMPLETE\","
            + "\"data\":{\"step\":\"validate\",\"result\":\"passed\"}}";

    @Test
    void plainWrappedAndBatchedMessagesAllYieldEvents() {
        assertThat(parser.fromMessage(EVENT).events()).hasSize(1);
        assertThat(parser.fromMessage("{\"type\":\"event\",\"data\":" + EVENT + "}").events()).hasSize(1);
        List<Event> batch = parser.fromMessage("[" + EVENT + ",{\"type\":\"event\",\"data\":" + EVENT + "}]").events();
        assertThat(batch).hasSize(2);

        Event e = batch.get(0);
        assertThat(e.eventId()).isEqualTo("e1");
        assertThat(e.sessionId()).isEqualTo("s1");
        assertThat(e.timestamp()).isEqualTo(Instant.parse("2024-01-15T10:30:00Z"));
        assertThat(e.iteration()).isEqualTo(3);
        assertThat(e.state()).isEqualTo("VALIDATING");
        assertThat(e.eventType()).isEqualTo("STEP_COMPLETE");
        assertThat(e.dataJson()).isEqualTo("{\"step\":\"validate\",\"result\":\"passed\"}");
    }

    @Test
    void greetingsAndControlMessagesAreNotEvents() {
        IncomingEvents.Parsed p = parser.fromMessage("{\"type\":\"connected\",\"message\":\"hello\"}");

        assertThat(p.events()).isEmpty();
        assertThat(p.problems()).isEmpty();
    }

    @Test
    void invalidElementsAreReportedAndValidOnesKept() {
        IncomingEvents.Parsed p = parser.fromMessage("[" + EVENT + ",{\"session_id\":\"s1\",\"event_type\":"
                + "\"X\",\"iteration\":\"three\"},42]");

        assertThat(p.events()).hasSize(1);
        assertThat(p.problems()).hasSize(2);
        assertThat(p.problems().get(0)).contains("[1].iteration");
        assertThat(parser.fromMessage("{oops").problems()).singleElement().asString().contains("not JSON");
    }

    @Test
    void missingIdIsDerivedFromContentSoReplaysAreDuplicates() {
        String noId = "{\"session_id\":\"s1\",\"event_type\":\"METRICS\",\"timestamp\":\"2024-01-15T10:30:00Z\","
                + "\"data\":{\"fixes\":2}}";

        Event a = parser.fromMessage(noId).events().get(0);
        Event b = parser.fromMessage(noId).events().get(0);
        Event other = parser.fromMessage(noId.replace("\"fixes\":2", "\"fixes\":3")).events().get(0);

        assertThat(a.eventId()).isEqualTo(b.eventId()).isNotEqualTo(other.eventId());
    }

    @Test
    void defaultsFillOptionalFields() {
        Event e = parser.fromMessage("{\"session_id\":\"s1\",\"event_type\":\"session_started\"}").events().get(0);

        assertThat(e.eventType()).isEqualTo("SESSION_STARTED");
        assertThat(e.timestamp()).isEqualTo(NOW);
        assertThat(e.iteration()).isZero();
        assertThat(e.state()).isNull();
        assertThat(e.dataJson()).isEqualTo("{}");
    }

    @Test
    void requestBodiesAreStrictAndNameTheBadField() {
        assertThat(parser.fromRequestBody(bytes(EVENT))).hasSize(1);
        assertThat(parser.fromRequestBody(bytes("[" + EVENT + "," + EVENT + "]"))).hasSize(2);

        assertThatThrownBy(() -> parser.fromRequestBody(bytes("{\"event_type\":\"X\"}")))
                .hasMessageContaining("session_id");
        assertThatThrownBy(() -> parser.fromRequestBody(bytes("[" + EVENT + ",{\"session_id\":\"s\"}]")))
                .hasMessageContaining("[1].event_type");
        assertThatThrownBy(() -> parser.fromRequestBody(bytes("{\"session_id\":\"s\",\"event_type\":\"X\","
                + "\"timestamp\":\"yesterday\"}"))).hasMessageContaining("timestamp");
        assertThatThrownBy(() -> parser.fromRequestBody(bytes("{\"session_id\":\"s\",\"event_type\":\"X\","
                + "\"data\":[1]}"))).hasMessageContaining("data");
        assertThatThrownBy(() -> parser.fromRequestBody(bytes("[]"))).hasMessageContaining("no event");
        assertThatThrownBy(() -> parser.fromRequestBody(bytes("nope"))).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> parser.fromRequestBody(bytes(""))).hasMessageContaining("empty");
    }

    @Test
    void idsWithControlCharactersAreRefusedSoTheyNeverReachAHeaderOrALogLine() {
        for (String id : List.of("a\\r\\nSet-Cookie: x", "tab\\there", "nul\\u0000", "del\\u007f", "c1\\u0085",
                "ls\\u2028")) {
            assertThatThrownBy(() -> parser.fromRequestBody(bytes("{\"session_id\":\"" + id
                    + "\",\"event_type\":\"X\"}"))).as(id)
                    .hasMessageStartingWith("session_id: contains a control character (U+");
            assertThatThrownBy(() -> parser.fromRequestBody(bytes("[{\"session_id\":\"s\",\"event_id\":\"" + id
                    + "\",\"event_type\":\"X\"}]"))).as(id)
                    .hasMessageStartingWith("[0].event_id: contains a control character (U+");
        }
        IncomingEvents.Parsed fromLoop = parser.fromMessage("[" + EVENT + ",{\"session_id\":\"a\\nb\","
                + "\"event_type\":\"X\"}]");

        assertThat(fromLoop.events()).hasSize(1);
        assertThat(fromLoop.problems()).singleElement().asString().contains("[1].session_id").contains("U+000A");
        assertThat(parser.fromRequestBody(bytes("{\"session_id\":\"run 7 — é\",\"event_type\":\"X\"}")))
                .singleElement().extracting(Event::sessionId).isEqualTo("run 7 — é");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String startedAt(String timestamp) {
        return "{\"session_id\":\"s1\",\"event_type\":\"SESSION_STARTED\",\"timestamp\":\"" + timestamp + "\"}";
    }

    @Test
    void timestampsFromYear2000ToADayPastTheServersTimeAreAccepted() {
        for (String ok : List.of("2000-01-01T00:00:00Z", "2026-11-24T10:00:00Z", "2026-11-24T12:00:00+02:00")) {
            assertThat(parser.fromRequestBody(startedAt(ok).getBytes(StandardCharsets.UTF_8))).as(ok).hasSize(1);
        }
    }

    @Test
    void timestampsOutOfRangeAreRefusedNamingTheFieldAndTheRange() {
        for (String bad : List.of("1999-12-31T23:59:59.999999999Z", "2026-11-24T10:00:00.000000001Z",
                "-999999999-01-01T00:00:00Z", "+10000-01-01T00:00:00Z")) {
            assertThatThrownBy(() -> parser.fromRequestBody(("[" + EVENT + "," + startedAt(bad) + "]")
                    .getBytes(StandardCharsets.UTF_8)))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("[1].timestamp: \"" + bad + "\" is out of range (expected: 2000-01-01T00:00:00Z to a"
                            + " day past the server's time, 2026-11-24T10:00:00Z)");
        }
    }

    @Test
    void aLoopsEventOutOfRangeIsDroppedAndTheRestOfItsMessageKept() {
        IncomingEvents.Parsed p = parser.fromMessage("[" + startedAt("-999999999-01-01T00:00:00Z") + "," + EVENT + "]");

        assertThat(p.events()).extracting(Event::eventId).containsExactly("e1");
        assertThat(p.problems()).singleElement().asString().startsWith("[0].timestamp: ");
    }
}
