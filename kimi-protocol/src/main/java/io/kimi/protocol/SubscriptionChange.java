package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A client's {@code {"action":"subscribe"|"unsubscribe","events":[...]}} request.
 *
 * @param events event types, message types or {@code "*"}
 */
public record SubscriptionChange(@JsonProperty("action") String action,
        @JsonProperty("events") List<String> events) {
    public static final String SUBSCRIBE = "subscribe";
    public static final String UNSUBSCRIBE = "unsubscribe";

    public SubscriptionChange {
        events = List.copyOf(events);
    }
}
