package io.kimi.services.internal.convergence;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.core.ControlCharacters;
import io.kimi.core.Event;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Turns what a convergence loop sends into {@link Event}s. A message may be an event, an event wrapped as
 * {@code {"type":"event","data":{...}}}, or an array of either; greetings and other control messages
 * ({@code {"type":"connected"}}) are not events and yield nothing.
 *
 * <p>An event needs {@code session_id} and {@code event_type}; {@code timestamp} (ISO-8601, from {@link #EARLIEST}
 * to {@link #MAX_AHEAD} past the server's time; now when absent), {@code iteration} (an integer, 0 by default),
 * {@code state} and {@code data} (an object) are optional. An event without
 * {@code event_id} gets one derived from its content, so a replay of the same event is still recognised as a
 * duplicate. {@code session_id} and {@code event_id} are at most 128 characters, none of them a control
 * character. Thread-safe.
 */
public final class IncomingEvents {
    /** The most events one {@code POST /api/events} may carry. */
    public static final int MAX_BATCH = 10_000;
    /** The earliest timestamp an event may carry. */
    public static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    /** How far past the server's time an event's timestamp may be (a loop whose clock runs ahead). */
    public static final Duration MAX_AHEAD = Duration.ofDays(1);
    private static final int MAX_ID = 128;

    private final ObjectMapper json;
    private final Clock clock;

    public IncomingEvents(ObjectMapper json, Clock clock) {
        this.json = requireNonNull(json, "json");
        this.clock = requireNonNull(clock, "clock");
    }

    /** What a loop's message held: its events, and a description of each element that was not valid. */
    public record Parsed(List<Event> events, List<String> problems) {
    }

    /** Lenient: invalid elements are reported in {@link Parsed#problems()}, valid ones kept. */
    public Parsed fromMessage(String text) {
        JsonNode root;
        try {
            root = json.readTree(text);
        } catch (JsonProcessingException e) {
            return new Parsed(List.of(), List.of("not JSON: " + e.getOriginalMessage()));
        }
        List<Event> events = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        if (root != null && root.isArray()) {
            for (int i = 0; i < root.size(); i++) {
                collect(root.get(i), "[" + i + "]", events, problems);
            }
        } else {
            collect(root, "", events, problems);
        }
        return new Parsed(events, problems);
    }

    /**
     * Strict: one event or an array of them, every element valid; throws {@link IllegalArgumentException}
     * naming the first bad field (with its index in an array).
     */
    public List<Event> fromRequestBody(byte[] body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("the body could not be read: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new IllegalArgumentException("the body is empty; send one event or an array of events");
        }
        List<Event> events = new ArrayList<>();
        if (root.isArray()) {
            if (root.isEmpty()) {
                throw new IllegalArgumentException("the array holds no event");
            }
            if (root.size() > MAX_BATCH) {
                throw new IllegalArgumentException("at most " + MAX_BATCH + " events per request, got " + root.size());
            }
            for (int i = 0; i < root.size(); i++) {
                events.add(toEvent(unwrap(root.get(i)), "[" + i + "]."));
            }
        } else {
            events.add(toEvent(unwrap(root), ""));
        }
        return events;
    }

    private void collect(JsonNode node, String where, List<Event> events, List<String> problems) {
        if (node == null || !node.isObject()) {
            problems.add(where + "not an object");
            return;
        }
        JsonNode unwrapped = unwrap(node);
        if (!unwrapped.has("event_type") && !unwrapped.has("session_id")) {
            return; // a greeting or control message, e.g. {"type":"connected"}
        }
        try {
            events.add(toEvent(unwrapped, where.isEmpty() ? "" : where + "."));
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
    }

    /** {@code {"type":"event","data":{...event...}}} → the event; anything else as it is. */
    private static JsonNode unwrap(JsonNode node) {
        if (node != null && node.isObject() && "event".equals(node.path("type").asText(null))
                && node.path("data").isObject() && node.path("data").has("event_type")) {
            return node.get("data");
        }
        return node;
    }

    private Event toEvent(JsonNode n, String at) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(at + "event: expected a JSON object");
        }
        String sessionId = requiredText(n, "session_id", at);
        String eventType = requiredText(n, "event_type", at).toUpperCase(Locale.ROOT);
        Instant timestamp = timestamp(n, at);
        int iteration = iteration(n, at);
        String state = optionalText(n, "state", at);
        if (state != null) {
            state = state.toUpperCase(Locale.ROOT);
        }
        JsonNode data = n.get("data");
        if (data != null && !data.isNull() && !data.isObject()) {
            throw new IllegalArgumentException(at + "data: expected an object, got " + data.getNodeType()
                    .toString().toLowerCase(Locale.ROOT));
        }
        String dataJson = data == null || data.isNull() ? "{}" : data.toString();
        String eventId = optionalText(n, "event_id", at);
        if (eventId == null) {
            String key = sessionId + '\n' + (n.hasNonNull("timestamp") ? n.get("timestamp").asText() : "") + '\n'
                    + eventType + '\n' + iteration + '\n' + state + '\n' + dataJson;
            eventId = UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString();
        }
        return new Event(eventId, sessionId, timestamp, iteration, state, eventType, dataJson);
    }

    private static String requiredText(JsonNode n, String field, String at) {
        String value = optionalText(n, field, at);
        if (value == null) {
            throw new IllegalArgumentException(at + field + ": required, a non-empty string");
        }
        return value;
    }

    private static String optionalText(JsonNode n, String field, String at) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException(at + field + ": expected a non-empty string, got " + v);
        }
        if (field.equals("session_id") || field.equals("event_id")) {
            // Before trimming, which would quietly drop a trailing CR, LF or NUL.
            checkId(v.asText(), field, at);
        }
        return v.asText().trim();
    }

    /**
     * Ids end up in export file names, headers, URLs and log lines: a control character (C0, DEL, C1, or a
     * Unicode line or paragraph separator) could split any of them, so it is refused here, before anything is
     * stored.
     */
    private static void checkId(String id, String field, String at) {
        if (id.trim().length() > MAX_ID) {
            throw new IllegalArgumentException(at + field + ": longer than " + MAX_ID + " characters");
        }
        int i = ControlCharacters.firstIn(id);
        if (i >= 0) {
            throw new IllegalArgumentException(String.format("%s%s: contains a control character (U+%04X) at "
                    + "index %d; ids must be printable text", at, field, (int) id.charAt(i), i));
        }
    }

    private Instant timestamp(JsonNode n, String at) {
        JsonNode v = n.get("timestamp");
        if (v == null || v.isNull()) {
            return clock.instant();
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException(at + "timestamp: expected an ISO-8601 string, got " + v);
        }
        String text = v.asText().trim();
        Instant parsed = parseTimestamp(text, at);
        Instant latest = clock.instant().plus(MAX_AHEAD);
        if (parsed.isBefore(EARLIEST) || parsed.isAfter(latest)) {
            throw new IllegalArgumentException(at + "timestamp: \"" + text + "\" is out of range (expected: "
                    + EARLIEST + " to a day past the server's time, " + latest + ")");
        }
        return parsed;
    }

    private static Instant parseTimestamp(String text, String at) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e2) {
                throw new IllegalArgumentException(at + "timestamp: not ISO-8601 (e.g. 2024-01-15T10:30:00Z): \""
                        + text + "\"");
            }
        }
    }

    private static int iteration(JsonNode n, String at) {
        JsonNode v = n.get("iteration");
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
            throw new IllegalArgumentException(at + "iteration: expected an integer >= 0, got " + v);
        }
        return v.asInt();
    }
}
