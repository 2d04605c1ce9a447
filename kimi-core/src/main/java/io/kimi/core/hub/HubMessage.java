package io.kimi.core.hub;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;

/**
 * A live message: the typed object it is (what listeners in the process read, e.g. a widget registry reading an
 * event) and its JSON, serialised once by the publisher for every listener that sends it on.
 *
 * @param type the wire {@code type}: {@code event}, {@code metric}, {@code session}, {@code alert}, ...
 * @param topic what subscriptions match: the event type for {@code event} messages (e.g. {@code STEP_COMPLETE}),
 *     else the message type itself
 * @param payload the message as an object (the server's are {@code io.kimi.protocol.ServerMessage}s); the JSON
 *     text itself for a message published as text
 * @param jsonBytes the whole message as UTF-8 JSON; shared by every listener, never modified
 */
public record HubMessage(String type, String topic, Object payload, byte[] jsonBytes) {
    public HubMessage {
        requireNonNull(type, "type");
        requireNonNull(topic, "topic");
        requireNonNull(payload, "payload");
        requireNonNull(jsonBytes, "jsonBytes");
    }

    /** A message published as JSON text (its payload is that text). */
    public HubMessage(String type, String topic, String json) {
        this(type, topic, json, json.getBytes(StandardCharsets.UTF_8));
    }

    /** The JSON as text (decoded anew at each call; for logs and tests). */
    public String json() {
        return new String(jsonBytes, StandardCharsets.UTF_8);
    }
}
