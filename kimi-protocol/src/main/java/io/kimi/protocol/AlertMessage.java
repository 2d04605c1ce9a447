package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code {"type":"alert","data":{...}}}: a context threshold crossed (the data of its {@code ALERT} event). */
public record AlertMessage(@JsonProperty("type") String type, @JsonProperty("data") Object data)
        implements ServerMessage {
    public AlertMessage(Object data) {
        this(MessageTypes.ALERT, data);
    }
}
