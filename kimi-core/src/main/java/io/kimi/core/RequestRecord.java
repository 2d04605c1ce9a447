package io.kimi.core;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One proxied chat completion, as recorded in its session.
 *
 * @param requestId our id for the request (also sent upstream as {@code x-request-id} when the client gave none)
 * @param sessionId the session it was counted in
 * @param timestamp when the request arrived
 * @param provider the provider key from config
 * @param model the model key the client asked for
 * @param upstreamModel the model id sent to the provider
 * @param stream whether the client asked for a stream
 * @param status how it ended
 * @param httpStatus the status code the client received
 * @param errorType OpenAI error type or our fault class, {@code null} on success
 * @param errorMessage a readable message, {@code null} on success; never holds a secret
 * @param estimated our local count (prompt before sending, completion from what passed through); its completion
 *     is 0 when {@code completionEstimated} is false
 * @param reported the provider's usage, {@code null} when it reported none
 * @param costUsd cost of the effective usage at the model's prices
 * @param latencyMs from arrival to the last byte sent to the client
 * @param ttftMs from arrival to the first byte of the reply, {@code -1} when none came
 * @param source where the request came from: {@code proxy}, {@code logs}, {@code compile_chat}, {@code error}
 * @param estimatedReplyBytes reply bytes past {@code max_accounted_reply_bytes}, not kept for counting: the
 *     tokens of this many bytes in {@code estimated.completionTokens()} come from their size, not from a count
 * @param accountingError why counting this request's reply failed (a short reason, never content), its estimate
 *     then coming from the reply's size; {@code null} when counting went well
 * @param completionEstimated whether the completion was counted locally: always when the provider reported no
 *     usage (the estimate is then what counts), on a sample otherwise ({@code [server] estimate_sample_every});
 *     an estimate that was not made is absent, never 0
 */
public record RequestRecord(
        String requestId,
        String sessionId,
        Instant timestamp,
        String provider,
        String model,
        String upstreamModel,
        boolean stream,
        RequestStatus status,
        int httpStatus,
        String errorType,
        String errorMessage,
        TokenUsage estimated,
        TokenUsage reported,
        double costUsd,
        long latencyMs,
        long ttftMs,
        String source,
        long estimatedReplyBytes,
        String accountingError,
        boolean completionEstimated) {

    /** A record whose completion was counted locally. */
    public RequestRecord(String requestId, String sessionId, Instant timestamp, String provider, String model,
            String upstreamModel, boolean stream, RequestStatus status, int httpStatus, String errorType,
            String errorMessage, TokenUsage estimated, TokenUsage reported, double costUsd, long latencyMs,
            long ttftMs, String source, long estimatedReplyBytes, String accountingError) {
        this(requestId, sessionId, timestamp, provider, model, upstreamModel, stream, status, httpStatus, errorType,
                errorMessage, estimated, reported, costUsd, latencyMs, ttftMs, source, estimatedReplyBytes,
                accountingError, true);
    }

    public RequestRecord {
        requireNonNull(requestId, "requestId");
        requireNonNull(sessionId, "sessionId");
        requireNonNull(timestamp, "timestamp");
        requireNonNull(provider, "provider");
        requireNonNull(model, "model");
        requireNonNull(upstreamModel, "upstreamModel");
        requireNonNull(status, "status");
        requireNonNull(estimated, "estimated");
        requireNonNull(source, "source");
        if (estimatedReplyBytes < 0) {
            throw new IllegalArgumentException("estimatedReplyBytes: " + estimatedReplyBytes + " (expected: >= 0)");
        }
        if (!completionEstimated && (reported == null || estimated.completionTokens() != 0)) {
            throw new IllegalArgumentException("a completion left uncounted needs reported usage and an estimated "
                    + "completion of 0: reported=" + reported + ", estimated=" + estimated);
        }
    }

    /** A record whose reply, if any, was counted whole and without failure. */
    public RequestRecord(String requestId, String sessionId, Instant timestamp, String provider, String model,
            String upstreamModel, boolean stream, RequestStatus status, int httpStatus, String errorType,
            String errorMessage, TokenUsage estimated, TokenUsage reported, double costUsd, long latencyMs,
            long ttftMs, String source) {
        this(requestId, sessionId, timestamp, provider, model, upstreamModel, stream, status, httpStatus, errorType,
                errorMessage, estimated, reported, costUsd, latencyMs, ttftMs, source, 0, null, true);
    }

    /** The usage that counts for this request: see {@link #countedUsage}. */
    public TokenUsage effective() {
        return countedUsage(reported, estimated, httpStatus);
    }

    /**
     * The usage that counts (in totals and cost): the provider's report when there is one; else our estimate
     * when the provider accepted the request (a 2xx reply, possibly broken off midway: providers bill those);
     * else nothing, since a refused or unreachable request used no tokens.
     */
    public static TokenUsage countedUsage(TokenUsage reported, TokenUsage estimated, int httpStatus) {
        if (reported != null) {
            return reported;
        }
        return httpStatus >= 200 && httpStatus < 300 ? estimated : TokenUsage.ZERO;
    }

    public UsageSource usageSource() {
        return reported != null ? UsageSource.REPORTED : UsageSource.ESTIMATED;
    }
}
