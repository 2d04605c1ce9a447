package io.kimi.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.api.ConsistentRead.Reads;
import io.kimi.core.RequestRecord;
import io.kimi.core.RequestStatus;
import io.kimi.core.Session;
import io.kimi.core.SessionKind;
import io.kimi.core.TokenUsage;
import io.kimi.core.store.Page;
import io.kimi.core.store.SessionReads;
import io.kimi.protocol.RequestView;
import io.kimi.services.internal.JsonViews;
import io.kimi.services.internal.SessionNotFoundException;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/export/{csv|json}[?session_id=][&offset=&limit=]}: a session as a download. A proxy session (the
 * active one when no id is given) gives its requests; a convergence session its events, oldest first. CSV has the
 * columns of the JSON views ({@link CsvExport}); JSON is
 * {@code {"session", "requests"|"events", "exported_at", "total", "offset"}}.
 *
 * <p>An export is built in memory, so one holds at most {@link #MAX_ROWS} rows: a session with more is refused
 * with a 413 {@code export_too_large} that says how to page, unless the caller names a {@code limit} (at most
 * {@link #MAX_ROWS}); {@code offset} counts rows from the oldest. Nothing is ever cut silently.
 */
final class ExportApi {
    /** Most rows in one export (a few KB of memory each while it is built). */
    static final int MAX_ROWS = 20_000;
    /** Read from the store this many at a time. */
    private static final int PAGE = 1000;
    private static final List<String> EVENT_COLUMNS = List.of("event_id", "timestamp", "session_id", "iteration",
            "state", "event_type", "data");

    private final SessionReads reads;
    private final JsonViews views;
    private final Clock clock;
    private final CsvExport csv;
    private final List<String> requestColumns;

    ExportApi(SessionReads reads, JsonViews views, Clock clock) {
        this.reads = reads;
        this.views = views;
        this.csv = new CsvExport(views.mapper());
        this.clock = clock;
        // The columns of the JSON view, also when a session has no request to take them from.
        this.requestColumns = columnsOf(views.request(new RequestRecord("", "", Instant.EPOCH, "", "", "", false,
                RequestStatus.SUCCESS, 0, null, null, TokenUsage.ZERO, null, 0, 0, 0, "")));
    }

    Routes addTo(Routes routes) {
        return routes.add(HttpMethod.GET, "/api/export/{format}", Reads.RECORDED, this::export);
    }

    private ApiResponse export(ApiRequest r) throws Exception {
        String format = r.pathParam("format");
        if (!format.equals("csv") && !format.equals("json")) {
            return Errors.response(404, "unknown_format", "Export formats are csv and json, not '" + format + "'.");
        }
        String id = r.query("session_id");
        Session session = id != null ? reads.findSession(id).orElseThrow(() -> new SessionNotFoundException(id))
                : reads.findActiveSession().orElse(null);
        if (session == null) {
            return Errors.response(404, "no_active_session",
                    "No proxy session is active; name one with ?session_id=.");
        }
        boolean events = session.kind() == SessionKind.CONVERGENCE;
        int offset = r.intQuery("offset", 0, 0, Integer.MAX_VALUE);
        boolean paged = r.query("limit") != null;
        int limit = r.intQuery("limit", MAX_ROWS, 1, MAX_ROWS);
        String sessionId = session.sessionId();
        long total = events ? reads.listEvents(sessionId, 1, 0).total() : reads.listRequests(sessionId, 1, 0).total();
        if (!paged && total - offset > MAX_ROWS) {
            return Errors.response(413, "export_too_large", String.format("Session %s has %d %s; one export holds at "
                    + "most %d. Page through it oldest first with ?offset=0&limit=%d, then offset=%d, and so on.",
                    sessionId, total, events ? "events" : "requests", MAX_ROWS, MAX_ROWS, MAX_ROWS));
        }
        int count = (int) Math.max(0, Math.min(limit, total - offset));
        List<ObjectNode> rows = events
                ? range(sessionId, offset, count, reads::listEvents).stream().map(views::event).toList()
                : requestsOldestFirst(sessionId, total, offset, count).stream().map(views::request).toList();
        ApiResponse response;
        if (format.equals("csv")) {
            response = new ApiResponse(200, "text/csv; charset=utf-8",
                    csv.write(events ? EVENT_COLUMNS : requestColumns, rows), Map.of());
        } else {
            ObjectNode n = views.mapper().createObjectNode();
            n.set("session", views.session(session));
            ArrayNode list = n.putArray(events ? "events" : "requests");
            list.addAll(rows);
            n.put("exported_at", clock.instant().toString());
            n.put("total", total);
            n.put("offset", offset);
            response = ApiResponse.json(200, views.bytes(n));
        }
        return response.withHeader("Content-Disposition",
                ContentDisposition.attachment("kimi-session-" + session.sessionId() + "." + format));
    }

    /**
     * A session's requests {@code offset} to {@code offset + count} counted from the oldest, oldest first. The store
     * lists them newest first, so requests recorded meanwhile shift that list: each chunk is read at the position the
     * latest total gives and read again (a bounded number of times) when its page reports another total.
     */
    private List<RequestRecord> requestsOldestFirst(String sessionId, long total, int offset, int count) {
        List<RequestRecord> oldestFirst = new ArrayList<>(count);
        long known = total;
        while (oldestFirst.size() < count) {
            int want = Math.min(PAGE, count - oldestFirst.size());
            long fromOldest = (long) offset + oldestFirst.size();
            Page<RequestRecord> page = null;
            for (int attempt = 0; attempt < 3 && (page == null || page.total() != known); attempt++) {
                if (page != null) {
                    known = page.total();
                }
                long fromNewest = known - fromOldest - want;
                page = reads.listRequests(sessionId, (int) Math.min(want, want + fromNewest),
                        Math.toIntExact(Math.max(0, fromNewest)));
            }
            List<RequestRecord> chunk = new ArrayList<>(page.items());
            if (chunk.isEmpty()) {
                return oldestFirst;
            }
            Collections.reverse(chunk);
            oldestFirst.addAll(chunk);
        }
        return oldestFirst;
    }

    /** {@code count} items of a session's paged list from {@code offset}, in the list's order. */
    private static <T> List<T> range(String sessionId, long offset, int count, PageReader<T> reader) {
        List<T> items = new ArrayList<>(count);
        while (items.size() < count) {
            List<T> page = reader.read(sessionId, Math.min(PAGE, count - items.size()),
                    Math.toIntExact(offset + items.size())).items();
            if (page.isEmpty()) {
                return items;
            }
            items.addAll(page);
        }
        return items;
    }

    @FunctionalInterface
    private interface PageReader<T> {
        Page<T> read(String sessionId, int limit, int offset);
    }

    private static List<String> columnsOf(ObjectNode template) {
        List<String> present = new ArrayList<>();
        template.fieldNames().forEachRemaining(present::add);
        List<String> names = new ArrayList<>();
        RequestView.CSV_COLUMN_ORDER.stream().filter(present::contains).forEach(names::add);
        present.stream().filter(name -> !names.contains(name)).forEach(names::add);
        return List.copyOf(names);
    }
}
