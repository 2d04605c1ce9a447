package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/** {@code {"type":"event", event_id, timestamp, session_id, iteration, state, event_type, data}}. */
public record EventMessage(@JsonProperty("type") String type, @JsonUnwrapped EventView event)
        implements ServerMessage {
    public EventMessage(EventView event) {
        this(MessageTypes.EVENT, event);
    }

    @JsonIgnore
    @Override
    public String topic() {
        return event.eventType();
    }
}
