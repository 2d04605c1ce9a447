package io.kimi.client;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A session: a proxy session (requests to an LLM provider, with token totals, context gauge and cost) or a
 * convergence-loop session (iterations, state, findings). Fields that do not apply to the kind are {@code null}.
 *
 * @param sessionId id
 * @param kind {@code proxy} or {@code convergence}
 * @param name a proxy session's name
 * @param target a convergence session's target
 * @param status {@code running}, {@code converged}, {@code failed} or {@code completed}
 * @param startTime start
 * @param endTime end, {@code null} while running
 * @param currentState the convergence state, e.g. {@code VALIDATING}
 * @param currentIteration the highest iteration reached
 * @param config the session's configuration (empty when none)
 * @param finalState a convergence session's state when it ended
 * @param metrics a convergence session's totals
 * @param provider a proxy session's provider key
 * @param model a proxy session's model
 * @param contextWindow a proxy session's context window, in tokens
 * @param active whether this proxy session is the active one
 * @param totals a proxy session's token totals and cost
 * @param context a proxy session's context gauge
 * @param recentRequests a proxy session's latest requests, newest first (from {@code getSession} and
 *     {@code activeSession}; empty in lists)
 */
public record Session(String sessionId, String kind, String name, String target, String status, Instant startTime,
        Instant endTime, String currentState, int currentIteration, Map<String, Object> config, String finalState,
        ConvergenceTotals metrics, String provider, String model, Integer contextWindow, Boolean active,
        SessionTotals totals, ContextGauge context, List<ProxyRequest> recentRequests) {
    public Session {
        config = config == null ? Map.of() : Collections.unmodifiableMap(config);
        recentRequests = recentRequests == null ? List.of() : List.copyOf(recentRequests);
    }

    /** Whether this is a convergence-loop session. */
    public boolean isConvergence() {
        return "convergence".equals(kind);
    }

    /**
     * A convergence session's totals over its iterations.
     *
     * @param totalFindings findings of every severity
     * @param totalFixes fixes
     * @param totalVulnerabilities vulnerabilities
     * @param testsPassed tests passed in the latest iteration that reported them
     * @param testsFailed tests failed in the latest iteration that reported them
     */
    public record ConvergenceTotals(long totalFindings, long totalFixes, long totalVulnerabilities,
            long testsPassed, long testsFailed) {
    }

    /** A proxy session's totals; tokens are the reported ones, else the estimate. */
    public record SessionTotals(long requests, long failedRequests, long promptTokens, long completionTokens,
            long totalTokens, long cachedTokens, long estimatedPromptTokens, double costUsd) {
    }

    /**
     * The context gauge: the last request's prompt + completion against the model's window.
     *
     * @param level {@code normal}, {@code warning}, {@code high} or {@code critical}: the names of the
     *              server's {@code [thresholds]}, as in its alerts
     */
    public record ContextGauge(long tokens, long window, double percent, String level) {
    }
}
