package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code {"type":"metric","data":{...}}}: after each proxied request. */
public record MetricMessage(@JsonProperty("type") String type, @JsonProperty("data") MetricData data)
        implements ServerMessage {
    public MetricMessage(MetricData data) {
        this(MessageTypes.METRIC, data);
    }
}
