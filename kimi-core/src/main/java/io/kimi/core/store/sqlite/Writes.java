package io.kimi.core.store.sqlite;

import io.kimi.core.ConvergenceTotals;
import io.kimi.core.Event;
import io.kimi.core.Findings;
import io.kimi.core.IterationStats;
import io.kimi.core.RequestRecord;
import io.kimi.core.Session;
import io.kimi.core.SessionKind;
import io.kimi.core.SessionTotals;
import io.kimi.core.StepStats;
import io.kimi.core.TokenUsage;
import io.kimi.core.store.Aggregates;
import io.kimi.core.store.EventFold;
import io.kimi.core.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Update;

/**
 * The SQL of the writes of sessions, requests, events and convergence figures (the context features' records:
 * {@link FeatureWrites}). Each method runs inside the writer's transaction.
 */
final class Writes {
    private static final String UPSERT_SESSION = "INSERT INTO sessions (session_id, kind, name, target, status,"
            + " start_time, end_time, current_state, current_iteration, config_json, provider, model,"
            + " context_window, requests, failed_requests, prompt_tokens, completion_tokens, cached_tokens,"
            + " estimated_prompt_tokens, context_tokens, cost_usd, active, total_findings, total_fixes,"
            + " total_vulnerabilities, tests_passed, tests_failed)"
            + " VALUES (:session_id, :kind, :name, :target, :status, :start_time, :end_time, :current_state,"
            + " :current_iteration, :config_json, :provider, :model, :context_window, :requests,"
            + " :failed_requests, :prompt_tokens, :completion_tokens, :cached_tokens, :estimated_prompt_tokens,"
            + " :context_tokens, :cost_usd, :active, :total_findings, :total_fixes, :total_vulnerabilities,"
            + " :tests_passed, :tests_failed)"
            // An upsert, never INSERT OR REPLACE: REPLACE deletes the row first, cascading to its requests.
            + " ON CONFLICT (session_id) DO UPDATE SET kind = excluded.kind, name = excluded.name,"
            + " target = excluded.target, status = excluded.status, start_time = excluded.start_time,"
            + " end_time = excluded.end_time, current_state = excluded.current_state,"
            + " current_iteration = excluded.current_iteration, config_json = excluded.config_json,"
            + " provider = excluded.provider, model = excluded.model, context_window = excluded.context_window,"
            + " requests = excluded.requests, failed_requests = excluded.failed_requests,"
            + " prompt_tokens = excluded.prompt_tokens, completion_tokens = excluded.completion_tokens,"
            + " cached_tokens = excluded.cached_tokens, estimated_prompt_tokens = excluded.estimated_prompt_tokens,"
            + " context_tokens = excluded.context_tokens, cost_usd = excluded.cost_usd, active = excluded.active,"
            + " total_findings = excluded.total_findings, total_fixes = excluded.total_fixes,"
            + " total_vulnerabilities = excluded.total_vulnerabilities, tests_passed = excluded.tests_passed,"
            + " tests_failed = excluded.tests_failed";

    // The writes made for every proxied request (and each event) run as plain JDBC statements with positional
    // parameters, bound in the order of their columns (Positional): see there why.

    private static final String UPDATE_TOTALS = "UPDATE sessions SET requests = ?, failed_requests = ?,"
            + " prompt_tokens = ?, completion_tokens = ?, cached_tokens = ?, estimated_prompt_tokens = ?,"
            + " context_tokens = ?, cost_usd = ? WHERE session_id = ?";

    private static final String INSERT_REQUEST = "INSERT INTO requests (request_id, session_id, timestamp,"
            + " provider, model, upstream_model, stream, status, http_status, error_type, error_message,"
            + " est_prompt, est_completion, est_cached, rep_prompt, rep_completion, rep_cached, cost_usd,"
            + " latency_ms, ttft_ms, source, estimated_reply_bytes, accounting_error)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private static final String INSERT_EVENT = "INSERT OR IGNORE INTO events (event_id, session_id, timestamp,"
            + " iteration, state, event_type, data_json) VALUES (?, ?, ?, ?, ?, ?, ?)";

    private static final String UPSERT_ITERATION = "INSERT INTO convergence_iterations (session_id, iteration,"
            + " findings_critical, findings_high, findings_medium, findings_low, findings_info, fixes,"
            + " vulnerabilities, tests_passed, tests_failed, started_at, ended_at)"
            + " VALUES (:session_id, :iteration, :findings_critical, :findings_high, :findings_medium,"
            + " :findings_low, :findings_info, :fixes, :vulnerabilities, :tests_passed, :tests_failed,"
            + " :started_at, :ended_at)"
            + " ON CONFLICT (session_id, iteration) DO UPDATE SET findings_critical = excluded.findings_critical,"
            + " findings_high = excluded.findings_high, findings_medium = excluded.findings_medium,"
            + " findings_low = excluded.findings_low, findings_info = excluded.findings_info,"
            + " fixes = excluded.fixes, vulnerabilities = excluded.vulnerabilities,"
            + " tests_passed = excluded.tests_passed, tests_failed = excluded.tests_failed,"
            + " started_at = excluded.started_at, ended_at = excluded.ended_at";

    private static final String UPSERT_STEP = "INSERT INTO convergence_steps (session_id, iteration, step,"
            + " duration_seconds, status) VALUES (:session_id, :iteration, :step, :duration_seconds, :status)"
            + " ON CONFLICT (session_id, iteration, step) DO UPDATE SET"
            + " duration_seconds = excluded.duration_seconds, status = excluded.status";

    /** {@code est_completion} of a request whose completion was not counted locally. */
    static final int NOT_COUNTED = -1;

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
        ConvergenceTotals c = s.convergence();
        Update upsert = h.createUpdate(UPSERT_SESSION)
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
                .bind("context_window", s.contextWindow());
        bindTotals(upsert, t)
                .bind("active", s.active() ? 1 : 0)
                .bind("total_findings", c.totalFindings())
                .bind("total_fixes", c.totalFixes())
                .bind("total_vulnerabilities", c.totalVulnerabilities())
                .bind("tests_passed", c.testsPassed())
                .bind("tests_failed", c.testsFailed())
                .execute();
        return null;
    }

    /** Only the totals columns; no row when the session is gone. */
    static Void saveSessionTotals(Handle h, String sessionId, SessionTotals t) {
        Positional.of(h, UPDATE_TOTALS)
                .integer(t.requests())
                .integer(t.failedRequests())
                .integer(t.promptTokens())
                .integer(t.completionTokens())
                .integer(t.cachedTokens())
                .integer(t.estimatedPromptTokens())
                .integer(t.contextTokens())
                .real(t.costUsd())
                .text(sessionId)
                .execute();
        return null;
    }

    private static Update bindTotals(Update update, SessionTotals t) {
        return update
                .bind("requests", t.requests())
                .bind("failed_requests", t.failedRequests())
                .bind("prompt_tokens", t.promptTokens())
                .bind("completion_tokens", t.completionTokens())
                .bind("cached_tokens", t.cachedTokens())
                .bind("estimated_prompt_tokens", t.estimatedPromptTokens())
                .bind("context_tokens", t.contextTokens())
                .bind("cost_usd", t.costUsd());
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

    /**
     * Inserts the request's record: one INSERT. Its pending record is an intent in the journal, settled once this
     * commits ({@code pending_requests}, written by older versions, is emptied at open and no longer written).
     */
    static Void saveRequest(Handle h, RequestRecord r) {
        TokenUsage est = r.estimated();
        TokenUsage rep = r.reported();
        boolean reported = rep != null;
        Positional.of(h, INSERT_REQUEST)
                .text(r.requestId())
                .text(r.sessionId())
                .text(SqliteTime.format(r.timestamp()))
                .text(r.provider())
                .text(r.model())
                .text(r.upstreamModel())
                .integer(r.stream() ? 1 : 0)
                .text(r.status().wireName())
                .integer(r.httpStatus())
                .text(r.errorType())
                .text(r.errorMessage())
                .integer(est.promptTokens())
                .integer(r.completionEstimated() ? est.completionTokens() : NOT_COUNTED)
                .integer(est.cachedPromptTokens())
                .integerOrNull(reported, reported ? rep.promptTokens() : 0)
                .integerOrNull(reported, reported ? rep.completionTokens() : 0)
                .integerOrNull(reported, reported ? rep.cachedPromptTokens() : 0)
                .real(r.costUsd())
                .integer(r.latencyMs())
                .integer(r.ttftMs())
                .text(r.source())
                .integer(r.estimatedReplyBytes())
                .text(r.accountingError())
                .execute();
        return null;
    }

    /** A finished request: its record, its session's totals after it, its event. */
    static Void recordRequest(Handle h, RequestRecord r, SessionTotals totalsAfter, Event event) {
        saveRequest(h, r);
        saveSessionTotals(h, r.sessionId(), totalsAfter);
        appendEvent(h, event);
        return null;
    }

    /** Inserts the event unless its id is stored already; returns whether it was inserted. */
    static Boolean appendEvent(Handle h, Event e) {
        return Positional.of(h, INSERT_EVENT)
                .text(e.eventId())
                .text(e.sessionId())
                .text(SqliteTime.format(e.timestamp()))
                .integer(e.iteration())
                .text(e.state())
                .text(e.eventType())
                .text(e.dataJson())
                .execute() > 0;
    }

    /**
     * Inserts each event unless its id is stored already (or comes earlier in the list), with one prepared
     * statement; returns, per event in order, whether it was inserted. A failing event fails the whole list (the
     * caller's transaction).
     */
    static List<Boolean> appendEvents(Handle h, List<Event> events) {
        List<Boolean> result = new ArrayList<>(events.size());
        for (Event e : events) {
            result.add(appendEvent(h, e));
        }
        return result;
    }

    /**
     * As {@link #appendEvents(Handle, List)}, then writes the aggregates {@code fold} makes of the newly inserted
     * events, in the same transaction.
     */
    static List<Boolean> appendEvents(Handle h, List<Event> events, EventFold fold) {
        List<Boolean> inserted = appendEvents(h, events);
        List<Event> stored = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            if (inserted.get(i)) {
                stored.add(events.get(i));
            }
        }
        Aggregates aggregates = fold.fold(stored);
        if (aggregates == null) {
            throw new StoreException("the event fold returned null (expected: Aggregates.NONE when nothing changes)");
        }
        for (Session s : aggregates.sessions()) {
            saveSession(h, s);
        }
        for (IterationStats it : aggregates.iterations()) {
            saveIteration(h, it);
        }
        for (StepStats step : aggregates.steps()) {
            saveStep(h, step);
        }
        return inserted;
    }

    static Void saveIteration(Handle h, IterationStats it) {
        Findings f = it.findings();
        h.createUpdate(UPSERT_ITERATION)
                .bind("session_id", it.sessionId())
                .bind("iteration", it.iteration())
                .bind("findings_critical", f.critical())
                .bind("findings_high", f.high())
                .bind("findings_medium", f.medium())
                .bind("findings_low", f.low())
                .bind("findings_info", f.info())
                .bind("fixes", it.fixes())
                .bind("vulnerabilities", it.vulnerabilities())
                .bind("tests_passed", it.testsPassed())
                .bind("tests_failed", it.testsFailed())
                .bind("started_at", SqliteTime.format(it.startedAt()))
                .bind("ended_at", SqliteTime.format(it.endedAt()))
                .execute();
        return null;
    }

    static Void saveStep(Handle h, StepStats step) {
        h.createUpdate(UPSERT_STEP)
                .bind("session_id", step.sessionId())
                .bind("iteration", step.iteration())
                .bind("step", step.step())
                .bind("duration_seconds", step.durationSeconds())
                .bind("status", step.status())
                .execute();
        return null;
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
