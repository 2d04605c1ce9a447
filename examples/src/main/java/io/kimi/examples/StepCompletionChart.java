package io.kimi.examples;

import io.kimi.core.Event;
import io.kimi.core.EventTypes;
import io.kimi.services.widgets.Widget;
import io.kimi.services.widgets.WidgetState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Seed 002's custom widget: a chart with a point per completed step ({@code timestamp}, {@code step},
 * {@code iteration}), the latest 200. Register it on an embedded server with
 * {@code server.widgets().register("custom_chart", StepCompletionChart::new)}; it appears in
 * {@code GET /api/widgets} and its updates are pushed as {@code widget} messages.
 */
public final class StepCompletionChart implements Widget {
    private static final int MAX_POINTS = 200;

    private final List<Map<String, Object>> data = new ArrayList<>();

    @Override
    public boolean onEvent(Event event) {
        if (!event.eventType().equals(EventTypes.STEP_COMPLETE)) {
            return false;
        }
        Map<String, Object> point = new LinkedHashMap<>();
        point.put("timestamp", event.timestamp().toString());
        point.put("step", stepOf(event.dataJson()));
        point.put("iteration", event.iteration());
        data.add(point);
        if (data.size() > MAX_POINTS) {
            data.remove(0);
        }
        return true;
    }

    @Override
    public WidgetState render() {
        return WidgetState.chart(Map.of(
                "data", List.copyOf(data),
                "options", Map.of("title", "Step Completion Times", "x", "timestamp", "y", "iteration")));
    }

    /** {@code data.step} without a JSON parser: enough for an example. */
    private static String stepOf(String dataJson) {
        int key = dataJson.indexOf("\"step\"");
        if (key < 0) {
            return null;
        }
        int open = dataJson.indexOf('"', dataJson.indexOf(':', key) + 1);
        int close = open < 0 ? -1 : dataJson.indexOf('"', open + 1);
        return close < 0 ? null : dataJson.substring(open + 1, close);
    }
}
