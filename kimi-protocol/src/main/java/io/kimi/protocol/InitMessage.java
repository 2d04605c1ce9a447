package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** {@code {"type":"init","data":{...}}}: sent once on connecting, enough for a page to draw itself. */
public record InitMessage(@JsonProperty("type") String type, @JsonProperty("data") Data data) {
    public InitMessage(Data data) {
        this(MessageTypes.INIT, data);
    }

    /**
     * @param activeSession the active proxy session, or {@code null}
     * @param recentRequests its latest requests, newest first (empty without one)
     * @param serverTime ISO-8601
     * @param subscriptions the connection's subscriptions, as {@link SubscriptionRules#describe()}
     * @param error why the session could not be read; absent when it could
     */
    public record Data(
            @JsonProperty("active_session") SessionView activeSession,
            @JsonProperty("recent_requests") List<RequestView> recentRequests,
            @JsonProperty("thresholds") ThresholdsView thresholds,
            @JsonProperty("server_time") String serverTime,
            @JsonProperty("subscriptions") List<String> subscriptions,
            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("error") String error) {
    }
}
