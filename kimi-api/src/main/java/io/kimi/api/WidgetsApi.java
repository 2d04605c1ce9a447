package io.kimi.api;

import static java.util.Objects.requireNonNull;

import io.kimi.services.internal.JsonViews;
import io.kimi.services.internal.widgets.WidgetRegistry;
import io.netty.handler.codec.http.HttpMethod;

/**
 * {@code GET /api/widgets}: every widget's last state, {@code {"widgets":[{"name","type","state"},...]}}. Changes
 * are pushed live as {@code widget} messages by the {@link WidgetRegistry} itself.
 */
final class WidgetsApi {
    private final WidgetRegistry widgets;
    private final JsonViews views;

    WidgetsApi(WidgetRegistry widgets, JsonViews views) {
        this.widgets = requireNonNull(widgets, "widgets");
        this.views = requireNonNull(views, "views");
    }

    Routes addTo(Routes routes) {
        return routes.add(HttpMethod.GET, "/api/widgets", r -> ApiResponse.json(200, views.bytes(widgets.list())));
    }
}
