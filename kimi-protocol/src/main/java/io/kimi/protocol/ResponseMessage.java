package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code {"type":"response","request_action":...,"data":...}}: the answer to a client's action. */
public record ResponseMessage(@JsonProperty("type") String type, @JsonProperty("request_action") String requestAction,
        @JsonProperty("data") Object data) {
    public ResponseMessage(String requestAction, Object data) {
        this(MessageTypes.RESPONSE, requestAction, data);
    }
}
