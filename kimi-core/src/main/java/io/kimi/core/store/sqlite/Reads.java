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
import java.util.function.UnaryOperator;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;
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
        return page(SESSION_COLUMNS, "sessions" + where, "start_time DESC, session_id DESC",
                q -> bindFilters(q, query), sessionMapper, query.limit(), query.offset());
    }

    Page<RequestRecord> listRequests(String sessionId, int limit, int offset) {
        return page(REQUEST_COLUMNS, "requests WHERE session_id = :id", "timestamp DESC, seq DESC",
                q -> q.bind("id", sessionId), requestMapper, limit, offset);
    }

    Page<Event> listEvents(String sessionId, int limit, int offset) {
        return page(EVENT_COLUMNS, "events WHERE session_id = :id", "timestamp ASC, seq ASC",
                q -> q.bind("id", sessionId), eventMapper, limit, offset);
    }

    /** In primary-key order: no sort. */
    List<IterationStats> listIterations(String sessionId) {
        return listOfSession("SELECT " + ITERATION_COLUMNS
                + " FROM convergence_iterations WHERE session_id = :id ORDER BY iteration", sessionId, iterationMapper);
    }

    /** In primary-key order: no sort. */
    List<StepStats> listSteps(String sessionId) {
        return listOfSession("SELECT " + STEP_COLUMNS
                + " FROM convergence_steps WHERE session_id = :id ORDER BY iteration, step", sessionId, stepMapper);
    }

    Optional<MaskedContent> findMask(String hash) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + MASK_COLUMNS + " FROM masks WHERE hash = :hash")
                .bind("hash", hash)
                .map(maskMapper)
                .findOne());
    }

    /** Newest first; masks stored at the same instant in reverse insertion order. */
    Page<MaskedContent> listMasks(int limit, int offset) {
        return page(MASK_COLUMNS, "masks", "created_at DESC, rowid DESC", q -> q, maskMapper, limit, offset);
    }

    /** Newest first, undone ones included; ties in reverse insertion order. */
    List<CompactionRecord> listCompactions(String sessionId) {
        return listOfSession("SELECT " + COMPACTION_COLUMNS
                + " FROM compactions WHERE session_id = :id ORDER BY created_at DESC, rowid DESC", sessionId,
                compactionMapper);
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

    /**
     * One page of {@code SELECT columns FROM from ORDER BY orderBy} and the count of every row {@code from}
     * selects, in one transaction so they agree; {@code bind} binds the parameters {@code from} names.
     */
    private <T> Page<T> page(String columns, String from, String orderBy, UnaryOperator<Query> bind,
            RowMapper<T> mapper, int limit, int offset) {
        return jdbi.inTransaction(h -> {
            long total = bind.apply(h.createQuery("SELECT COUNT(*) FROM " + from)).mapTo(Long.class).one();
            List<T> items = bind.apply(h.createQuery("SELECT " + columns + " FROM " + from
                            + " ORDER BY " + orderBy + " LIMIT :limit OFFSET :offset"))
                    .bind("limit", limit)
                    .bind("offset", offset)
                    .map(mapper)
                    .list();
            return new Page<>(items, total, limit, offset);
        });
    }

    /** Every row of {@code sql}, whose {@code :id} is the session's id. */
    private <T> List<T> listOfSession(String sql, String sessionId, RowMapper<T> mapper) {
        return jdbi.withHandle(h -> h.createQuery(sql).bind("id", sessionId).map(mapper).list());
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
