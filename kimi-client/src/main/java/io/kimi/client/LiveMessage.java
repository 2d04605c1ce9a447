package io.kimi.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A live message other than an event: {@code init} (on connecting), {@code metric} (after each proxied request),
 * {@code session}, {@code alert}, {@code widget}, and any type a newer server adds.
 *
 * @param type the message's {@code type}
 * @param json the whole message
 */
public record LiveMessage(String type, JsonNode json) {
    /** The message's {@code data} object (a missing node when it has none). */
    public JsonNode data() {
        return json.path("data");
    }
}
