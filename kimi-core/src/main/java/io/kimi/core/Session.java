package io.kimi.core;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A session: either a proxy session (requests counted against one model's context window) or a convergence
 * loop's run. Fields that do not apply to a kind are {@code null} or 0.
 *
 * @param sessionId UUID text
 * @param kind proxy or convergence
 * @param name a readable name (proxy sessions)
 * @param target what a convergence loop works on
 * @param status running, converged, failed or completed
 * @param startTime when it started
 * @param endTime when it ended, or {@code null}
 * @param currentState the convergence state, or {@code null}
 * @param currentIteration the convergence iteration
 * @param configJson free-form configuration as JSON text ({@code {}} when none)
 * @param provider the provider key (proxy sessions)
 * @param model the model key (proxy sessions)
 * @param contextWindow the model's context window in tokens (proxy sessions)
 * @param totals cumulative token counts and cost (proxy sessions; zero otherwise)
 * @param active whether this is the active proxy session
 * @param convergence a convergence session's totals of findings, fixes, vulnerabilities and tests
 *     ({@link ConvergenceTotals#ZERO} for proxy sessions)
 */
public record Session(
        String sessionId,
        SessionKind kind,
        String name,
        String target,
        SessionStatus status,
        Instant startTime,
        Instant endTime,
        String currentState,
        int currentIteration,
        String configJson,
        String provider,
        String model,
        int contextWindow,
        SessionTotals totals,
        boolean active,
        ConvergenceTotals convergence) {

    public Session {
        requireNonNull(sessionId, "sessionId");
        requireNonNull(kind, "kind");
        requireNonNull(status, "status");
        requireNonNull(startTime, "startTime");
        requireNonNull(totals, "totals");
        requireNonNull(convergence, "convergence");
        if (configJson == null || configJson.isBlank()) {
            configJson = "{}";
        }
    }

    /** A new running proxy session with zero totals. */
    public static Session newProxy(String sessionId, String name, Instant start, String provider, String model,
            int contextWindow) {
        return new Session(sessionId, SessionKind.PROXY, name, null, SessionStatus.RUNNING, start, null, null, 0,
                "{}", provider, model, contextWindow, SessionTotals.ZERO, false, ConvergenceTotals.ZERO);
    }

    public Session withTotals(SessionTotals newTotals) {
        return new Session(sessionId, kind, name, target, status, startTime, endTime, currentState,
                currentIteration, configJson, provider, model, contextWindow, newTotals, active, convergence);
    }

    public Session withActive(boolean isActive) {
        return new Session(sessionId, kind, name, target, status, startTime, endTime, currentState,
                currentIteration, configJson, provider, model, contextWindow, totals, isActive, convergence);
    }

    public Session withModel(String newProvider, String newModel, int newContextWindow) {
        return new Session(sessionId, kind, name, target, status, startTime, endTime, currentState,
                currentIteration, configJson, newProvider, newModel, newContextWindow, totals, active, convergence);
    }

    public Session withConvergence(ConvergenceTotals newConvergence) {
        return new Session(sessionId, kind, name, target, status, startTime, endTime, currentState,
                currentIteration, configJson, provider, model, contextWindow, totals, active, newConvergence);
    }

    /** This session with a new life-cycle state: status, convergence state and iteration, and end time. */
    public Session withState(SessionStatus newStatus, String newCurrentState, int newCurrentIteration,
            Instant newEndTime) {
        return new Session(sessionId, kind, name, target, newStatus, startTime, newEndTime, newCurrentState,
                newCurrentIteration, configJson, provider, model, contextWindow, totals, active, convergence);
    }

    /** This session with a new target and configuration ({@code null} or blank configuration is {@code {}}). */
    public Session withTarget(String newTarget, String newConfigJson) {
        return new Session(sessionId, kind, name, newTarget, status, startTime, endTime, currentState,
                currentIteration, newConfigJson, provider, model, contextWindow, totals, active, convergence);
    }

    /** Context fill of the last request against the window, in percent (0 when the window is unknown). */
    public double contextPercent() {
        return contextWindow <= 0 ? 0.0 : 100.0 * totals.contextTokens() / contextWindow;
    }
}
