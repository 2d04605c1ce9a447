package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code {"type":"session","action":"created|activated|updated|deleted","data":{session}}}.
 */
public record SessionMessage(@JsonProperty("type") String type, @JsonProperty("action") String action,
        @JsonProperty("data") SessionView data) implements ServerMessage {
    public static final String CREATED = "created";
    public static final String ACTIVATED = "activated";
    public static final String UPDATED = "updated";
    public static final String DELETED = "deleted";

    public SessionMessage(String action, SessionView data) {
        this(MessageTypes.SESSION, action, data);
    }
}
