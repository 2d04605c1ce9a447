package io.kimi.services.internal;

import io.kimi.proxy.ExchangeObserver;
import io.kimi.proxy.UpstreamRequest;
import java.util.concurrent.CompletableFuture;

/**
 * A validated, counted and rewritten chat completion, with the observer that will account for it.
 *
 * @param request what to send upstream
 * @param sessionId the session it counts in
 * @param promptEstimate our prompt count
 * @param observer hand this to the proxy
 * @param traced completes (always normally, within about a second) once the request's pending record is
 *     committed: send the request upstream only then, so that a call the provider may bill leaves a trace even
 *     if this process is killed during it
 */
public record PreparedRequest(UpstreamRequest request, String sessionId, int promptEstimate,
        ExchangeObserver observer, CompletableFuture<Void> traced) {
}
