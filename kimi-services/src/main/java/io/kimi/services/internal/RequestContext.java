package io.kimi.services.internal;

import io.kimi.features.FeatureReport;
import io.kimi.proxy.Route;
import java.time.Instant;
import java.util.List;

/**
 * What the accountant needs to know about a request besides how it ended.
 *
 * @param requestId the request's id
 * @param sessionId the session it counts in
 * @param route its model and provider
 * @param stream whether the client asked for a stream
 * @param promptEstimate our prompt count before sending
 * @param arrival when it arrived
 * @param source where it came from ({@code proxy})
 * @param permit what it took from its provider's rate limits, settled once its usage is counted
 * @param originalPromptEstimate our prompt count of the request as the client sent it, before the features
 * @param features what the context features did to it (empty when nothing)
 */
record RequestContext(String requestId, String sessionId, Route route, boolean stream, int promptEstimate,
        Instant arrival, String source, RateLimiter.Permit permit, int originalPromptEstimate,
        List<FeatureReport> features) {
}
