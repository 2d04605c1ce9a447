package io.kimi.core;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A proxied request about to be sent upstream, recorded before it goes so that a call the provider may bill
 * leaves a trace even if the server dies before the reply: the finished request's {@link RequestRecord}
 * replaces it; a pending record still there when the store is opened again becomes an
 * {@link RequestStatus#INTERRUPTED} request ({@link #interrupted()}).
 *
 * @param requestId our id for the request (the one sent upstream as {@code x-request-id} unless the client sent its own)
 * @param sessionId the session it counts in
 * @param timestamp when it arrived
 * @param provider the provider key from config
 * @param model the model key the client asked for
 * @param upstreamModel the model id sent to the provider
 * @param stream whether the client asked for a stream
 * @param estimatedPromptTokens our prompt count, as sent
 * @param source where it came from ({@code proxy})
 */
public record PendingRequest(
        String requestId,
        String sessionId,
        Instant timestamp,
        String provider,
        String model,
        String upstreamModel,
        boolean stream,
        int estimatedPromptTokens,
        String source) {

    /** {@link RequestRecord#errorType()} of an interrupted request. */
    public static final String INTERRUPTED_ERROR_TYPE = "interrupted";

    public PendingRequest {
        requireNonNull(requestId, "requestId");
        requireNonNull(sessionId, "sessionId");
        requireNonNull(timestamp, "timestamp");
        requireNonNull(provider, "provider");
        requireNonNull(model, "model");
        requireNonNull(upstreamModel, "upstreamModel");
        requireNonNull(source, "source");
    }

    /**
     * The record of this request when the server stopped before it finished: status {@code interrupted}, HTTP
     * status 0 (none known), our prompt estimate kept, no usage counted (nothing is known to have been billed),
     * no latency.
     */
    public RequestRecord interrupted() {
        return new RequestRecord(requestId, sessionId, timestamp, provider, model, upstreamModel, stream,
                RequestStatus.INTERRUPTED, 0, INTERRUPTED_ERROR_TYPE,
                "The server stopped after this request was sent upstream and before its outcome was stored; "
                        + "the provider may have billed it.",
                new TokenUsage(estimatedPromptTokens, 0, 0), null, 0.0, 0, -1, source);
    }
}
