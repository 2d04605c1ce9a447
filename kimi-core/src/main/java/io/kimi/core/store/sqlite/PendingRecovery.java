package io.kimi.core.store.sqlite;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.core.Event;
import io.kimi.core.EventTypes;
import io.kimi.core.Ids;
import io.kimi.core.PendingRequest;
import io.kimi.core.RequestRecord;
import io.kimi.core.ServerJson;
import io.kimi.core.Session;
import io.kimi.core.SessionTotals;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At open, before any other write: every pending request left by a process that stopped without finishing it
 * (an intent of the {@link IntentJournal}, or a row of {@code pending_requests}, which versions before the
 * journal wrote) becomes an {@code interrupted} request (see {@link PendingRequest#interrupted()}), added to its
 * session's totals as any finished request is ({@link SessionTotals#plus}), with a {@code REQUEST_FAILED} event;
 * the pending rows are deleted (the caller empties the journal once this committed). An intent whose request is
 * stored already (finished, or recovered by a start that died before emptying the journal) is skipped, as is one
 * whose session no longer exists (logged). Runs inside the caller's transaction.
 */
final class PendingRecovery {
    private static final RowMapper<PendingRequest> PENDING = (rs, ctx) -> new PendingRequest(
            rs.getString("request_id"),
            rs.getString("session_id"),
            SqliteTime.parse(rs.getString("timestamp")),
            rs.getString("provider"),
            rs.getString("model"),
            rs.getString("upstream_model"),
            rs.getInt("stream") == 1,
            rs.getInt("est_prompt"),
            rs.getString("source"));

    private static final Logger log = LoggerFactory.getLogger(PendingRecovery.class);
    private static final Comparator<PendingRequest> ARRIVAL =
            Comparator.comparing(PendingRequest::timestamp).thenComparing(PendingRequest::requestId);

    private final ObjectMapper json = ServerJson.newMapper();

    /**
     * Returns how many pending requests became interrupted ones.
     *
     * @param intents the journal's intents (an intent may appear more than once)
     */
    int interruptAll(Handle h, List<PendingRequest> intents) {
        Map<String, PendingRequest> byId = new LinkedHashMap<>();
        for (PendingRequest p : h.createQuery("SELECT request_id, session_id, timestamp, provider, model,"
                + " upstream_model, stream, est_prompt, source FROM pending_requests").map(PENDING).list()) {
            byId.put(p.requestId(), p);
        }
        h.execute("DELETE FROM pending_requests");
        for (PendingRequest p : intents) {
            byId.putIfAbsent(p.requestId(), p);
        }
        List<PendingRequest> pending = new ArrayList<>(byId.values());
        pending.sort(ARRIVAL);
        Map<String, SessionTotals> totals = new LinkedHashMap<>();
        int interrupted = 0;
        int orphans = 0;
        for (PendingRequest p : pending) {
            if (alreadyRecorded(h, p.requestId())) {
                continue;
            }
            if (!totals.containsKey(p.sessionId())) {
                Optional<SessionTotals> current = totalsOf(h, p.sessionId());
                if (current.isEmpty()) {
                    orphans++;
                    continue;
                }
                totals.put(p.sessionId(), current.get());
            }
            RequestRecord r = p.interrupted();
            Writes.saveRequest(h, r);
            totals.put(p.sessionId(), totals.get(p.sessionId()).plus(r));
            Writes.appendEvent(h, eventFor(r));
            interrupted++;
        }
        totals.forEach((sessionId, t) -> Writes.saveSessionTotals(h, sessionId, t));
        if (orphans > 0) {
            log.warn("Dropped {} pending request(s) whose session no longer exists", orphans);
        }
        return interrupted;
    }

    private static boolean alreadyRecorded(Handle h, String requestId) {
        return h.createQuery("SELECT 1 FROM requests WHERE request_id = :id").bind("id", requestId)
                .mapTo(Integer.class).findOne().isPresent();
    }

    private static Optional<SessionTotals> totalsOf(Handle h, String sessionId) {
        return h.createQuery("SELECT * FROM sessions WHERE session_id = :id")
                .bind("id", sessionId)
                .map(new SessionMapper())
                .findOne()
                .map(Session::totals);
    }

    /** The event a proxied request that failed gets, with what is known of this one. */
    private Event eventFor(RequestRecord r) {
        ObjectNode data = json.createObjectNode()
                .put("request_id", r.requestId())
                .put("model", r.model())
                .put("provider", r.provider())
                .put("status", r.status().wireName())
                .put("http_status", r.httpStatus())
                .put("stream", r.stream())
                .put("prompt_tokens", 0)
                .put("completion_tokens", 0)
                .put("estimated_prompt_tokens", r.estimated().promptTokens())
                .put("cost_usd", 0.0)
                .put("source", r.source())
                .put("error", r.errorMessage());
        return new Event(Ids.timeOrdered().toString(), r.sessionId(), r.timestamp(), 0, null,
                EventTypes.REQUEST_FAILED, data.toString());
    }
}
