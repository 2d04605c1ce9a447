package io.kimi.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.core.Event;
import io.kimi.services.internal.JsonViews;
import io.kimi.services.internal.convergence.ConvergenceIngest;
import io.kimi.services.internal.convergence.IncomingEvents;
import io.kimi.services.internal.convergence.IngestResult;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /api/events}: a convergence loop that pushes over HTTP sends one event or an array. Every event
 * is validated first (400 naming the field, nothing stored); then they are stored once each: a replayed
 * {@code event_id} is counted as a duplicate and changes nothing.
 */
final class EventsApi {
    private final IncomingEvents parser;
    private final ConvergenceIngest ingest;
    private final JsonViews views;

    EventsApi(IncomingEvents parser, ConvergenceIngest ingest, JsonViews views) {
        this.parser = requireNonNull(parser, "parser");
        this.ingest = requireNonNull(ingest, "ingest");
        this.views = requireNonNull(views, "views");
    }

    Routes addTo(Routes routes) {
        return routes.add(HttpMethod.POST, "/api/events", this::post);
    }

    private ApiResponse post(ApiRequest r) throws Exception {
        List<Event> events = parser.fromRequestBody(r.body());
        IngestResult result = ingest.ingest(events).get(60, TimeUnit.SECONDS);
        ObjectNode n = views.mapper().createObjectNode()
                .put("received", events.size())
                .put("accepted", result.accepted())
                .put("duplicates", result.duplicates())
                .put("rejected", result.rejected());
        ArrayNode problems = n.putArray("problems");
        result.problems().forEach(problems::add);
        return ApiResponse.json(result.rejected() > 0 && result.accepted() == 0 ? 409 : 200, views.bytes(n));
    }
}
