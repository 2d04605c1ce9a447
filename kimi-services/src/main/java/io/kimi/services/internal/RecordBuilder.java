package io.kimi.services.internal;

import io.kimi.config.ModelConfig;
import io.kimi.core.RequestRecord;
import io.kimi.core.RequestStatus;
import io.kimi.core.TokenUsage;
import io.kimi.proxy.ExchangeResult;
import io.kimi.proxy.OpenAiError;

/**
 * Builds a proxied request's record from its context, how its exchange ended and its counted reply: our estimate
 * beside the provider's usage, the cost of the usage that counts at the model's prices, and the status, with a 2xx
 * reply that was not a chat completion turned into {@code malformed_reply} (logged, at most one line per provider
 * per minute). Confined to the accounting thread.
 */
final class RecordBuilder {
    private static final long NANOS_PER_MS = 1_000_000L;
    /** The error type of a request whose 2xx reply was not a chat completion. */
    static final String MALFORMED_REPLY = RequestStatus.MALFORMED_REPLY.wireName();

    private final MalformedReplyLog malformedLog = new MalformedReplyLog();

    RequestRecord build(RequestContext context, ExchangeResult result, CountedReply reply) {
        ModelConfig model = context.route().model();
        TokenUsage estimated = new TokenUsage(context.promptEstimate(), reply.completionTokens(), 0);
        TokenUsage reported = reply.reported();
        TokenUsage counted = RequestRecord.countedUsage(reported, estimated, result.httpStatus());
        double cost = model.prices().cost(counted.promptTokens(), counted.completionTokens(),
                counted.cachedPromptTokens());
        OpenAiError error = result.error();
        RequestStatus status = result.status();
        String errorType = error == null ? null : error.code();
        String errorMessage = error == null ? null : error.message();
        if (status == RequestStatus.SUCCESS && reply.malformed() != null) {
            status = RequestStatus.MALFORMED_REPLY;
            errorType = MALFORMED_REPLY;
            errorMessage = "Provider '" + context.route().provider().key() + "' answered "
                    + result.httpStatus() + " with " + reply.malformed() + "; it was relayed unchanged.";
            malformedLog.warn(context.route().provider().key(), context.requestId(), errorMessage);
        }
        return new RequestRecord(context.requestId(), context.sessionId(), context.arrival(),
                context.route().provider().key(), model.key(), model.upstreamModel(), context.stream(),
                status, result.httpStatus(), errorType, errorMessage, estimated, reported, cost,
                result.totalNanos() / NANOS_PER_MS,
                result.ttftNanos() < 0 ? -1 : result.ttftNanos() / NANOS_PER_MS, context.source(),
                reply.estimatedReplyBytes(), reply.accountingError(), reply.completionCounted());
    }
}
