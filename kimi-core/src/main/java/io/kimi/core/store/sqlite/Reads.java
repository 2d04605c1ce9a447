package io.kimi.core.store.sqlite;

import static java.util.Objects.requireNonNull;

import io.kimi.core.CompactionRecord;
import io.kimi.core.Event;
import io.kimi.core.IterationStats;
import io.kimi.core.MaskedContent;
import io.kimi.core.RequestRecord;
import io.kimi.core.Session;
import io.kimi.core.SessionKind;
import io.kimi.core.StepStats;
import io.kimi.core.store.Page;
import io.kimi.core.store.SessionQuery;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/**
 * The SQL of every read, on the read-only pool. A page and its total are read in one transaction, so they
 * agree with each other.
 */
final class Reads {
    private static final String SESSION_COLUMNS = "session_id, kind, name, target, status, start_time, end_time,"
            + " current_state, current_iteration, config_json, provider, model, context_window, requests,"
            + " failed_requests, prompt_tokens, completion_tokens, cached_tokens, estimated_prompt_tokens,"
            + " context_tokens, cost_usd, active, total_findings, total_fixes, total_vulnerabilities, tests_passed,"
            + " tests_failed";
    private static final String REQUEST_COLUMNS = "request_id, session_id, timestamp, provider, model,"
            + " upstream_model, stream, status, http_status, error_type, error_message, est_prompt,"
            + " est_completion, est_cached, rep_prompt, rep_completion, rep_cached, cost_usd, latency_ms, ttft_ms,"
            + " source, estimated_reply_bytes, accounting_error";
    private static final String EVENT_COLUMNS =
            "event_id, session_id, timestamp, iteration, state, event_type, data_json";
    private static final String ITERATION_COLUMNS = "session_id, iteration, findings_critical, findings_high,"
            + " findings_medium, findings_low, findings_info, fixes, vulnerabilities, tests_passed, tests_failed,"
            + " started_at, ended_at";
    private static final String STEP_COLUMNS = "session_id, iteration, step, duration_seconds, status";
    private static final String MASK_COLUMNS = "hash, session_id, request_id, role, tool_name, original_tokens,"
            + " placeholder_tokens, content, created_at";
    private static final String COMPACTION_COLUMNS = "compaction_id, session_id, created_at, message_hashes,"
            + " summary, method, automatic, tokens_before, tokens_after, undone_at";

    private final Jdbi jdbi;
    private final SessionMapper sessionMapper = new SessionMapper();
    private final RequestMapper requestMapper = new RequestMapper();
    private final EventMapper eventMapper = new EventMapper();
    private final IterationMapper iterationMapper = new IterationMapper();
    private final StepMapper stepMapper = new StepMapper();
    private final MaskMapper maskMapper = new MaskMapper();
    private final CompactionMapper compactionMapper;

    Reads(Jdbi jdbi, HashListJson json) {
        this.jdbi = requireNonNull(jdbi, "jdbi");
        this.compactionMapper = new CompactionMapper(requireNonNull(json, "json"));
    }

    Optional<Session> findSession(String sessionId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + SESSION_COLUMNS
                        + " FROM sessions WHERE session_id = :id")
                .bind("id", sessionId)
                .map(sessionMapper)
                .findOne());
    }

    Optional<Session> findActiveSession() {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + SESSION_COLUMNS + " FROM sessions WHERE active = 1")
                .map(sessionMapper)
                .findOne());
    }

    Page<Session> listSessions(SessionQuery query) {
        List<String> conditions = new ArrayList<>(2);
        if (query.kind() != null) {
            conditions.add("kind = :kind");
        }
        if (query.status() != null) {
            conditions.add("status = :status");
        }
        String where = conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
        return jdbi.inTransaction(h -> {
            Query count = bindFilters(h.createQuery("SELECT COUNT(*) FROM sessions" + where), query);
            long total = count.mapTo(Long.class).one();
            Query page = bindFilters(h.createQuery("SELECT " + SESSION_COLUMNS + " FROM sessions" + where
                    + " ORDER BY start_time DESC, session_id DESC LIMIT :limit OFFSET :offset"), query);
            List<Session> items = page.bind("limit", query.limit())
                    .bind("offset", query.offset())
                    .map(sessionMapper)
                    .list();
            return new Page<>(items, total, query.limit(), query.offset());
        });
    }

    Page<RequestRecord> listRequests(String sessionId, int limit, int offset) {
        return jdbi.inTransaction(h -> {
            long total = h.createQuery("SELECT COUNT(*) FROM requests WHERE session_id = :id")
                    .bind("id", sessionId)
                    .mapTo(Long.class)
                    .one();
            List<RequestRecord> items = h.createQuery("SELECT " + REQUEST_COLUMNS
                            + " FROM requests WHERE session_id = :id"
                            + " ORDER BY timestamp DESC, seq DESC LIMIT :limit OFFSET :offset")
                    .bind("id", sessionId)
                    .bind("limit", limit)
                    .bind("offset", offset)
                    .map(requestMapper)
                    .list();
            return new Page<>(items, total, limit, offset);
        });
    }

    Page<Event> listEvents(String sessionId, int limit, int offset) {
        return jdbi.inTransaction(h -> {
            long total = h.createQuery("SELECT COUNT(*) FROM events WHERE session_id = :id")
                    .bind("id", sessionId)
                    .mapTo(Long.class)
                    .one();
            List<Event> items = h.createQuery("SELECT " + EVENT_COLUMNS
                            + " FROM events WHERE session_id = :id"
                            + " ORDER BY timestamp ASC, seq ASC LIMIT :limit OFFSET :offset")
                    .bind("id", sessionId)
                    .bind("limit", limit)
                    .bind("offset", offset)
                    .map(eventMapper)
                    .list();
            return new Page<>(items, total, limit, offset);
        });
    }

    /** In primary-key order: no sort. */
    List<IterationStats> listIterations(String sessionId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + ITERATION_COLUMNS
                        + " FROM convergence_iterations WHERE session_id = :id ORDER BY iteration")
                .bind("id", sessionId)
                .map(iterationMapper)
                .list());
    }

    /** In primary-key order: no sort. */
    List<StepStats> listSteps(String sessionId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + STEP_COLUMNS
                        + " FROM convergence_steps WHERE session_id = :id ORDER BY iteration, step")
                .bind("id", sessionId)
                .map(stepMapper)
                .list());
    }

    Optional<MaskedContent> findMask(String hash) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + MASK_COLUMNS + " FROM masks WHERE hash = :hash")
                .bind("hash", hash)
                .map(maskMapper)
                .findOne());
    }

    /** Newest first; masks stored at the same instant in reverse insertion order. */
    Page<MaskedContent> listMasks(int limit, int offset) {
        return jdbi.inTransaction(h -> {
            long total = h.createQuery("SELECT COUNT(*) FROM masks").mapTo(Long.class).one();
            List<MaskedContent> items = h.createQuery("SELECT " + MASK_COLUMNS
                            + " FROM masks ORDER BY created_at DESC, rowid DESC LIMIT :limit OFFSET :offset")
                    .bind("limit", limit)
                    .bind("offset", offset)
                    .map(maskMapper)
                    .list();
            return new Page<>(items, total, limit, offset);
        });
    }

    /** Newest first, undone ones included; ties in reverse insertion order. */
    List<CompactionRecord> listCompactions(String sessionId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COMPACTION_COLUMNS
                        + " FROM compactions WHERE session_id = :id ORDER BY created_at DESC, rowid DESC")
                .bind("id", sessionId)
                .map(compactionMapper)
                .list());
    }

    /** Every compaction not undone, oldest first; ties in insertion order. */
    List<CompactionRecord> listActiveCompactions() {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COMPACTION_COLUMNS
                        + " FROM compactions WHERE undone_at IS NULL ORDER BY created_at ASC, rowid ASC")
                .map(compactionMapper)
                .list());
    }

    long countSessions(SessionKind kind) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM sessions WHERE kind = :kind")
                .bind("kind", kind.wireName())
                .mapTo(Long.class)
                .one());
    }

    private static Query bindFilters(Query query, SessionQuery filters) {
        if (filters.kind() != null) {
            query.bind("kind", filters.kind().wireName());
        }
        if (filters.status() != null) {
            query.bind("status", filters.status().wireName());
        }
        return query;
    }
}
