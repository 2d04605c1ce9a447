package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code {"type":"error","request_action":...,"code":...,"message":...}}: an action refused, or a message the
 * server could not read ({@code request_action} {@code null}).
 */
public record ErrorMessage(@JsonProperty("type") String type, @JsonProperty("request_action") String requestAction,
        @JsonProperty("code") String code, @JsonProperty("message") String message) {
    public ErrorMessage(String requestAction, String code, String message) {
        this(MessageTypes.ERROR, requestAction, code, message);
    }
}
