package io.kimi.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The records read what a newer server sends: unknown fields and event types are tolerated. */
class WireFormatTest {
    @Test
    void unknownFieldsAreIgnoredAndUnknownTypesKept() {
        String json = "{\"event_id\":\"e1\",\"timestamp\":\"2024-01-15T10:30:00Z\",\"session_id\":\"s\","
                + "\"iteration\":3,\"state\":\"VALIDATING\",\"event_type\":\"BRAND_NEW\",\"data\":{\"k\":[1,2]},"
                + "\"added_in_v9\":{\"x\":1}}";
        Event e = Json.read(json.getBytes(StandardCharsets.UTF_8), Event.class);
        assertThat(e.eventType()).isEqualTo(EventType.of("BRAND_NEW"));
        assertThat(e.timestamp().toString()).isEqualTo("2024-01-15T10:30:00Z");
        assertThat(e.data()).containsKey("k");
    }

    @Test
    void missingObjectsBecomeEmptyNotNull() {
        Session s = Json.read("{\"session_id\":\"s\",\"kind\":\"convergence\",\"brand_new\":1}"
                .getBytes(StandardCharsets.UTF_8), Session.class);
        assertThat(s.config()).isEmpty();
        assertThat(s.recentRequests()).isEmpty();
        assertThat(s.isConvergence()).isTrue();
    }

    @Test
    void eventTypesCompareByName() {
        assertThat(EventType.of("STEP_COMPLETE")).isEqualTo(EventType.STEP_COMPLETE);
        assertThat(EventType.STEP_COMPLETE.toString()).isEqualTo("STEP_COMPLETE");
        assertThat(Json.write(EventType.STEP_FAILED)).isEqualTo("\"STEP_FAILED\"");
    }
}
