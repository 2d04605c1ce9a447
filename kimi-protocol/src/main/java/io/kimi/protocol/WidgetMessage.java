package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code {"type":"widget","data":{"name","type","state"}}}: a widget's new state. */
public record WidgetMessage(@JsonProperty("type") String type, @JsonProperty("data") WidgetView data)
        implements ServerMessage {
    public WidgetMessage(WidgetView data) {
        this(MessageTypes.WIDGET, data);
    }
}
