package io.kimi.services;

import io.kimi.proxy.ExchangeObserver;
import io.kimi.proxy.UpstreamRequest;

/**
 * A validated, counted and rewritten chat completion, with the observer that will account for it.
 *
 * @param request what to send upstream
 * @param sessionId the session it counts in
 * @param promptEstimate our prompt count
 * @param observer hand this to the proxy
 */
public record PreparedRequest(UpstreamRequest request, String sessionId, int promptEstimate,
        ExchangeObserver observer) {
}
