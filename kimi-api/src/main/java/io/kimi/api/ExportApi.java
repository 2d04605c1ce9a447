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
 * {@code GET /api/export/{csv|json}[?session_id=]}: a session as a download. A proxy session (the active one when
 * no id is given) gives its requests; a convergence session its events, oldest first. CSV has the columns of the
 * JSON views ({@link CsvExport}); JSON is {@code {"session", "requests"|"events", "exported_at"}}.
 */
final class ExportApi {
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
        List<ObjectNode> rows = events
                ? all(session.sessionId(), reads::listEvents).stream().map(views::event).toList()
                : requestsOldestFirst(session.sessionId()).stream().map(views::request).toList();
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
            response = ApiResponse.json(200, views.bytes(n));
        }
        return response.withHeader("Content-Disposition",
                ContentDisposition.attachment("kimi-session-" + session.sessionId() + "." + format));
    }

    /** Every request of a session, oldest first (the store lists them newest first). */
    private List<RequestRecord> requestsOldestFirst(String sessionId) {
        List<RequestRecord> newestFirst = all(sessionId, reads::listRequests);
        Collections.reverse(newestFirst);
        return newestFirst;
    }

    /** Every item of a session's paged list, in the list's order. */
    private static <T> List<T> all(String sessionId, PageReader<T> reader) {
        List<T> items = new ArrayList<>();
        while (true) {
            Page<T> page = reader.read(sessionId, PAGE, items.size());
            items.addAll(page.items());
            if (page.items().isEmpty() || items.size() >= page.total()) {
                return items;
            }
        }
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
