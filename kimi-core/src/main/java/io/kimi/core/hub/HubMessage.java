package io.kimi.core.hub;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;

/**
 * A live message, rendered to JSON once for every listener.
 *
 * @param type the wire {@code type}: {@code event}, {@code metric}, {@code session}, {@code alert}, ...
 * @param topic what subscriptions match: the event type for {@code event} messages (e.g. {@code STEP_COMPLETE}),
 *     else the message type itself
 * @param json the whole message as JSON text
 */
public record HubMessage(String type, String topic, String json) {
    public HubMessage {
        requireNonNull(type, "type");
        requireNonNull(topic, "topic");
        requireNonNull(json, "json");
    }

    public byte[] jsonBytes() {
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
