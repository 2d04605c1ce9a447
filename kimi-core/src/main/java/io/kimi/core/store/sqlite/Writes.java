package io.kimi.core.store.sqlite;

import io.kimi.core.Event;
import io.kimi.core.RequestRecord;
import io.kimi.core.Session;
import io.kimi.core.SessionKind;
import io.kimi.core.SessionTotals;
import io.kimi.core.TokenUsage;
import io.kimi.core.store.StoreException;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Update;

/** The SQL of every write. Each method runs inside the writer's transaction. */
final class Writes {
    private static final String UPSERT_SESSION = "INSERT INTO sessions (session_id, kind, name, target, status,"
            + " start_time, end_time, current_state, current_iteration, config_json, provider, model,"
            + " context_window, requests, failed_requests, prompt_tokens, completion_tokens, cached_tokens,"
            + " estimated_prompt_tokens, context_tokens, cost_usd, active)"
            + " VALUES (:session_id, :kind, :name, :target, :status, :start_time, :end_time, :current_state,"
            + " :current_iteration, :config_json, :provider, :model, :context_window, :requests,"
            + " :failed_requests, :prompt_tokens, :completion_tokens, :cached_tokens, :estimated_prompt_tokens,"
            + " :context_tokens, :cost_usd, :active)"
            // An upsert, never INSERT OR REPLACE: REPLACE deletes the row first, cascading to its requests.
            + " ON CONFLICT (session_id) DO UPDATE SET kind = excluded.kind, name = excluded.name,"
            + " target = excluded.target, status = excluded.status, start_time = excluded.start_time,"
            + " end_time = excluded.end_time, current_state = excluded.current_state,"
            + " current_iteration = excluded.current_iteration, config_json = excluded.config_json,"
            + " provider = excluded.provider, model = excluded.model, context_window = excluded.context_window,"
            + " requests = excluded.requests, failed_requests = excluded.failed_requests,"
            + " prompt_tokens = excluded.prompt_tokens, completion_tokens = excluded.completion_tokens,"
            + " cached_tokens = excluded.cached_tokens, estimated_prompt_tokens = excluded.estimated_prompt_tokens,"
            + " context_tokens = excluded.context_tokens, cost_usd = excluded.cost_usd, active = excluded.active";

    private static final String INSERT_REQUEST = "INSERT INTO requests (request_id, session_id, timestamp,"
            + " provider, model, upstream_model, stream, status, http_status, error_type, error_message,"
            + " est_prompt, est_completion, est_cached, rep_prompt, rep_completion, rep_cached, cost_usd,"
            + " latency_ms, ttft_ms, source)"
            + " VALUES (:request_id, :session_id, :timestamp, :provider, :model, :upstream_model, :stream,"
            + " :status, :http_status, :error_type, :error_message, :est_prompt, :est_completion, :est_cached,"
            + " :rep_prompt, :rep_completion, :rep_cached, :cost_usd, :latency_ms, :ttft_ms, :source)";

    private static final String INSERT_EVENT = "INSERT OR IGNORE INTO events (event_id, session_id, timestamp,"
            + " iteration, state, event_type, data_json)"
            + " VALUES (:event_id, :session_id, :timestamp, :iteration, :state, :event_type, :data_json)";

    private Writes() {
    }

    /**
     * Inserts or replaces every field. A session saved with {@code active = true} becomes the only active one,
     * as with {@link #activateSession}; only proxy sessions can be active.
     */
    static Void saveSession(Handle h, Session s) {
        if (s.active()) {
            requireProxy(s.sessionId(), s.kind());
            deactivateOthers(h, s.sessionId());
        }
        SessionTotals t = s.totals();
        h.createUpdate(UPSERT_SESSION)
                .bind("session_id", s.sessionId())
                .bind("kind", s.kind().wireName())
                .bind("name", s.name())
                .bind("target", s.target())
                .bind("status", s.status().wireName())
                .bind("start_time", SqliteTime.format(s.startTime()))
                .bind("end_time", SqliteTime.format(s.endTime()))
                .bind("current_state", s.currentState())
                .bind("current_iteration", s.currentIteration())
                .bind("config_json", s.configJson())
                .bind("provider", s.provider())
                .bind("model", s.model())
                .bind("context_window", s.contextWindow())
                .bind("requests", t.requests())
                .bind("failed_requests", t.failedRequests())
                .bind("prompt_tokens", t.promptTokens())
                .bind("completion_tokens", t.completionTokens())
                .bind("cached_tokens", t.cachedTokens())
                .bind("estimated_prompt_tokens", t.estimatedPromptTokens())
                .bind("context_tokens", t.contextTokens())
                .bind("cost_usd", t.costUsd())
                .bind("active", s.active() ? 1 : 0)
                .execute();
        return null;
    }

    static Boolean deleteSession(Handle h, String sessionId) {
        return h.createUpdate("DELETE FROM sessions WHERE session_id = :id").bind("id", sessionId).execute() > 0;
    }

    /** Makes this proxy session the only active one; fails for an unknown or non-proxy session. */
    static Void activateSession(Handle h, String sessionId) {
        Optional<String> kind = h.createQuery("SELECT kind FROM sessions WHERE session_id = :id")
                .bind("id", sessionId)
                .mapTo(String.class)
                .findOne();
        if (kind.isEmpty()) {
            throw new StoreException("unknown session: " + sessionId);
        }
        requireProxy(sessionId, SessionKind.fromWire(kind.get()));
        deactivateOthers(h, sessionId);
        h.createUpdate("UPDATE sessions SET active = 1 WHERE session_id = :id").bind("id", sessionId).execute();
        return null;
    }

    static Void saveRequest(Handle h, RequestRecord r) {
        TokenUsage est = r.estimated();
        TokenUsage rep = r.reported();
        Update update = h.createUpdate(INSERT_REQUEST)
                .bind("request_id", r.requestId())
                .bind("session_id", r.sessionId())
                .bind("timestamp", SqliteTime.format(r.timestamp()))
                .bind("provider", r.provider())
                .bind("model", r.model())
                .bind("upstream_model", r.upstreamModel())
                .bind("stream", r.stream() ? 1 : 0)
                .bind("status", r.status().wireName())
                .bind("http_status", r.httpStatus())
                .bind("error_type", r.errorType())
                .bind("error_message", r.errorMessage())
                .bind("est_prompt", est.promptTokens())
                .bind("est_completion", est.completionTokens())
                .bind("est_cached", est.cachedPromptTokens())
                .bind("rep_prompt", rep == null ? null : rep.promptTokens())
                .bind("rep_completion", rep == null ? null : rep.completionTokens())
                .bind("rep_cached", rep == null ? null : rep.cachedPromptTokens())
                .bind("cost_usd", r.costUsd())
                .bind("latency_ms", r.latencyMs())
                .bind("ttft_ms", r.ttftMs())
                .bind("source", r.source());
        update.execute();
        return null;
    }

    /** Inserts the event unless its id is stored already; returns whether it was inserted. */
    static Boolean appendEvent(Handle h, Event e) {
        return h.createUpdate(INSERT_EVENT)
                .bind("event_id", e.eventId())
                .bind("session_id", e.sessionId())
                .bind("timestamp", SqliteTime.format(e.timestamp()))
                .bind("iteration", e.iteration())
                .bind("state", e.state())
                .bind("event_type", e.eventType())
                .bind("data_json", e.dataJson())
                .execute() > 0;
    }

    private static void deactivateOthers(Handle h, String sessionId) {
        h.createUpdate("UPDATE sessions SET active = 0 WHERE active = 1 AND session_id <> :id")
                .bind("id", sessionId)
                .execute();
    }

    private static void requireProxy(String sessionId, SessionKind kind) {
        if (kind != SessionKind.PROXY) {
            throw new StoreException("only proxy sessions can be active: " + sessionId + " is " + kind.wireName());
        }
    }
}
