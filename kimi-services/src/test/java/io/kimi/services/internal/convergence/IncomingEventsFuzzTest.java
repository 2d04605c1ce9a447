package io.kimi.services.internal.convergence;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.core.Event;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;

/**
 * Fuzzes the validation of convergence events ({@code POST /api/events} bodies and bridge messages). Oracle:
 * the strict reading either throws {@link IllegalArgumentException} with a message, or gives 1 to
 * {@link IncomingEvents#MAX_BATCH} events, each sane: ids and type non-blank, trimmed, at most 128 characters
 * (ids); type and state upper-case; iteration not negative; data one JSON object; a timestamp between the years
 * 0000 and 9999 (the store keeps timestamps as fixed-width text and orders by it). The lenient reading never
 * throws, gives only sane events, and agrees with the strict one on what the strict one accepts. Corpus:
 * {@code src/test/resources/io/kimi/services/internal/convergence/IncomingEventsFuzzTestInputs/}.
 */
class IncomingEventsFuzzTest {
    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private static final Instant EARLIEST = Instant.parse("0000-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final IncomingEvents incoming = new IncomingEvents(new ObjectMapper(), Clock.fixed(NOW, ZoneOffset.UTC));

    @FuzzTest(maxDuration = "3m")
    void acceptsOnlySaneEventsAndRejectsWithIllegalArgument(byte[] body) throws Exception {
        IncomingEvents.Parsed lenient = incoming.fromMessage(new String(body, StandardCharsets.UTF_8));
        for (Event event : lenient.events()) {
            assertSane(event);
        }
        List<Event> strict;
        try {
            strict = incoming.fromRequestBody(body);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(strict).hasSizeBetween(1, IncomingEvents.MAX_BATCH);
        for (Event event : strict) {
            assertSane(event);
        }
        assertThat(lenient.problems()).isEmpty();
        assertThat(lenient.events()).isEqualTo(strict);
    }

    private static void assertSane(Event e) throws Exception {
        assertText(e.eventId(), 128);
        assertText(e.sessionId(), 128);
        assertText(e.eventType(), Integer.MAX_VALUE);
        assertThat(e.eventType()).isEqualTo(e.eventType().toUpperCase(Locale.ROOT));
        if (e.state() != null) {
            assertText(e.state(), Integer.MAX_VALUE);
            assertThat(e.state()).isEqualTo(e.state().toUpperCase(Locale.ROOT));
        }
        assertThat(e.iteration()).isNotNegative();
        JsonNode data = JSON.readTree(e.dataJson());
        assertThat(data.isObject()).as("data %s", e.dataJson()).isTrue();
        assertThat(e.timestamp()).as("timestamp of %s", e).isBetween(EARLIEST, LATEST);
    }

    private static void assertText(String value, int maxLength) {
        assertThat(value).isNotBlank().isEqualTo(value.trim()).hasSizeLessThanOrEqualTo(maxLength);
    }
}
