package io.kimi.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.api.testing.KimiServerExtension;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The test harness on a static field: one server and database for the whole class. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KimiServerExtensionPerClassTest {
    @RegisterExtension
    static final KimiServerExtension SERVER = new KimiServerExtension();

    @Test
    @Order(1)
    void aTestStoresAnEvent() {
        SERVER.postEvents(List.of("{\"session_id\":\"shared-1\",\"timestamp\":\"2024-01-15T10:00:00Z\","
                + "\"iteration\":0,\"state\":\"IDLE\",\"event_type\":\"SESSION_STARTED\",\"data\":{}}"));

        assertThat(SERVER.get("/api/sessions/shared-1").statusCode()).isEqualTo(200);
    }

    @Test
    @Order(2)
    void aLaterTestOfTheClassSeesIt() {
        assertThat(SERVER.get("/api/sessions/shared-1").statusCode()).isEqualTo(200);
    }
}
