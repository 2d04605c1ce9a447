package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * A live message the server pushes: {@code {"type": ..., ...}}. Serialised once per message, whatever the number
 * of clients.
 */
public sealed interface ServerMessage permits EventMessage, MetricMessage, SessionMessage, AlertMessage,
        WidgetMessage {
    /** The wire {@code type}, one of {@link MessageTypes}. */
    String type();

    /** What subscriptions match: the event type for {@code event} messages, else the message type. */
    @JsonIgnore
    default String topic() {
        return type();
    }
}
