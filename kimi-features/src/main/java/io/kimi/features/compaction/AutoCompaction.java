package io.kimi.features.compaction;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.kimi.config.CompactionConfig;
import io.kimi.core.CompactionRecord;
import io.kimi.features.FeatureToggles;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compacts a session by itself when a request fills its context window past the threshold.
 *
 * <p>Called after each request of a session ({@link #onRequest}), it starts {@link CompactionService#execute}
 * on its executor (never on the caller's thread) when: compaction is on (config and runtime toggle) and automatic;
 * the request's prompt tokens are at least {@code threshold} of the context window; the cooldown has passed since
 * the session's last compaction (automatic or not); fewer than {@code maxConsecutive} automatic compactions ran
 * since the session was last below the threshold; and none is under way for the session. A request below the
 * threshold resets the consecutive count. The summariser's own session is never compacted. Thread-safe.
 */
public final class AutoCompaction {
    private static final Logger log = LoggerFactory.getLogger(AutoCompaction.class);
    private static final int MAX_TRACKED_SESSIONS = 10_000;

    private final CompactionService service;
    private final CompactionConfig config;
    private final FeatureToggles toggles;
    private final Executor executor;
    private final Clock clock;
    private final Cache<String, SessionState> sessions = Caffeine.newBuilder()
            .maximumSize(MAX_TRACKED_SESSIONS)
            .executor(Runnable::run)
            .build();

    /**
     * @param toggles the runtime switch of the {@value SessionCompactions#NAME} feature
     * @param executor where compactions are started
     */
    public AutoCompaction(CompactionService service, CompactionConfig config, FeatureToggles toggles,
            Executor executor, Clock clock) {
        this.service = requireNonNull(service, "service");
        this.config = requireNonNull(config, "config");
        this.toggles = requireNonNull(toggles, "toggles");
        this.executor = requireNonNull(executor, "executor");
        this.clock = requireNonNull(clock, "clock");
    }

    /** Why a request did or did not start a compaction. */
    public enum Outcome {
        /** A compaction was started. */
        STARTED,
        /** Compaction, or its automatic mode, is off. */
        DISABLED,
        /** The summariser's own session. */
        SUMMARIZER_SESSION,
        /** The context window is unknown (0). */
        NO_CONTEXT_WINDOW,
        /** The request is below the threshold (the consecutive count is reset). */
        BELOW_THRESHOLD,
        /** A compaction of the session is under way. */
        RUNNING,
        /** The session was compacted too recently. */
        COOLDOWN,
        /** {@code maxConsecutive} automatic compactions ran without the session going below the threshold. */
        CAP_REACHED,
        /** The executor refused the task (it is shut down). */
        REJECTED
    }

    /**
     * @param outcome what happened
     * @param reason the same, in words for logs
     * @param compaction the started compaction when {@code outcome} is {@link Outcome#STARTED}, else {@code null}
     */
    public record Decision(Outcome outcome, String reason, CompletableFuture<CompactionRecord> compaction) {

        public Decision {
            requireNonNull(outcome, "outcome");
            requireNonNull(reason, "reason");
        }

        public boolean started() {
            return outcome == Outcome.STARTED;
        }
    }

    /**
     * Decides after a request of the session, and starts a compaction when due. Never blocks.
     *
     * @param promptTokens the request's prompt tokens (as sent, compactions applied)
     * @param contextWindow the model's context window, in tokens
     */
    public Decision onRequest(String sessionId, int promptTokens, int contextWindow) {
        requireNonNull(sessionId, "sessionId");
        if (!config.enabled() || !config.auto() || !toggles.isEnabled(SessionCompactions.NAME)) {
            return skip(Outcome.DISABLED, "automatic compaction is off");
        }
        if (ModelSummarizer.SESSION_ID.equals(sessionId)) {
            return skip(Outcome.SUMMARIZER_SESSION, "the summariser's own session is not compacted");
        }
        if (contextWindow <= 0) {
            return skip(Outcome.NO_CONTEXT_WINDOW, "the context window is unknown");
        }
        double fill = (double) promptTokens / contextWindow;
        String fillText = String.format(Locale.ROOT, "%.1f %%", fill * 100);
        SessionState state = sessions.get(sessionId, s -> new SessionState());
        Instant now = clock.instant();
        synchronized (state) {
            if (fill < config.threshold()) {
                state.consecutive = 0;
                return skip(Outcome.BELOW_THRESHOLD, fillText + " of the context window is below the threshold");
            }
            if (state.running || service.running(sessionId)) {
                return skip(Outcome.RUNNING, "a compaction of the session is under way");
            }
            if (state.consecutive >= config.maxConsecutive()) {
                return skip(Outcome.CAP_REACHED, state.consecutive + " automatic compactions in a row (at most "
                        + config.maxConsecutive() + ")");
            }
            Instant last = lastCompaction(sessionId, state);
            if (last != null && now.isBefore(last.plus(config.cooldown()))) {
                return skip(Outcome.COOLDOWN, "last compaction at " + last + ", cooldown " + config.cooldown());
            }
            state.consecutive++;
            state.lastStarted = now;
            state.running = true;
        }
        log.info("Session {} fills {} of its context window ({} / {} tokens): compacting it", sessionId, fillText,
                promptTokens, contextWindow);
        CompletableFuture<CompactionRecord> run;
        try {
            run = CompletableFuture.supplyAsync(() -> service.execute(sessionId, true), executor)
                    .thenCompose(f -> f);
        } catch (RejectedExecutionException e) {
            synchronized (state) {
                state.running = false;
                state.consecutive--;
            }
            log.warn("Automatic compaction of session {} could not start (the executor is shut down)", sessionId, e);
            return new Decision(Outcome.REJECTED, "the executor refused the task", null);
        }
        run.whenComplete((record, error) -> {
            synchronized (state) {
                state.running = false;
            }
            if (error != null) {
                report(sessionId, error);
            }
        });
        return new Decision(Outcome.STARTED, fillText + " of the context window, threshold "
                + config.threshold() * 100 + " %", run);
    }

    /** Forgets a deleted session's consecutive count and cooldown, so a session re-created under its id starts afresh. */
    public void forget(String sessionId) {
        sessions.invalidate(requireNonNull(sessionId, "sessionId"));
    }

    private Instant lastCompaction(String sessionId, SessionState state) {
        Instant last = state.lastStarted;
        List<CompactionRecord> active = service.active(sessionId);
        if (!active.isEmpty()) {
            Instant newest = active.get(active.size() - 1).createdAt();
            if (last == null || newest.isAfter(last)) {
                last = newest;
            }
        }
        return last;
    }

    private static void report(String sessionId, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof NothingToCompactException || cause instanceof CompactionInProgressException) {
            log.info("Automatic compaction of session {} did not run: {}", sessionId, cause.getMessage());
        } else {
            log.error("Automatic compaction of session {} failed", sessionId, cause);
        }
    }

    private static Decision skip(Outcome outcome, String reason) {
        log.debug("No automatic compaction: {}", reason);
        return new Decision(outcome, reason, null);
    }

    /** What is known of one session. Guarded by its own monitor. */
    private static final class SessionState {
        int consecutive;
        Instant lastStarted;
        boolean running;
    }
}
