package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code {"type":"pong","timestamp":...}}: the answer to a ping. */
public record PongMessage(@JsonProperty("type") String type, @JsonProperty("timestamp") String timestamp) {
    public PongMessage(String timestamp) {
        this(MessageTypes.PONG, timestamp);
    }
}
