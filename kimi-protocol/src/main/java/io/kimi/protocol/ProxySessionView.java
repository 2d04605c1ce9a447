package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/** A proxy session: the common fields, its model, token totals and context gauge. */
public record ProxySessionView(
        @JsonUnwrapped SessionHeader header,
        @JsonProperty("provider") String provider,
        @JsonProperty("model") String model,
        @JsonProperty("context_window") int contextWindow,
        @JsonProperty("active") boolean active,
        @JsonProperty("totals") Totals totals,
        @JsonProperty("context") ContextGauge context) implements SessionView {

    /** Requests, failures and the {@link TokenCounts} summed over the session. */
    public record Totals(
            @JsonProperty("requests") long requests,
            @JsonProperty("failed_requests") long failedRequests,
            @JsonUnwrapped TokenCounts tokens) {
    }

    /**
     * The last request's prompt + completion against the model's window.
     *
     * @param percent rounded to two decimals
     * @param level {@code normal}, {@code warning}, {@code high} or {@code critical}
     */
    public record ContextGauge(
            @JsonProperty("tokens") long tokens,
            @JsonProperty("window") int window,
            @JsonProperty("percent") double percent,
            @JsonProperty("level") String level) {
    }
}
