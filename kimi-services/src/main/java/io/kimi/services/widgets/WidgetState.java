package io.kimi.services.widgets;

import static java.util.Objects.requireNonNull;

/**
 * What a widget shows: a type the page knows how to draw and the state it draws, anything Jackson can write as a
 * JSON object (a {@code Map}, a record, an {@code ObjectNode}).
 *
 * <ul>
 *   <li>{@code chart}: {@code {"data":[{...},...], "options":{"title","x","y"}}}: points, and which of their
 *       fields are the axes;
 *   <li>{@code counter}: {@code {"value": 12, "label": "...", "unit": "..."}};
 *   <li>{@code table}: {@code {"columns":["a","b"], "rows":[["x",1],...]}}.
 * </ul>
 *
 * @param type {@code chart}, {@code counter}, {@code table}, or another type a page may know
 * @param state the state, written as JSON
 */
public record WidgetState(String type, Object state) {
    public static final String CHART = "chart";
    public static final String COUNTER = "counter";
    public static final String TABLE = "table";

    public WidgetState {
        requireNonNull(type, "type");
        requireNonNull(state, "state");
        if (type.isBlank()) {
            throw new IllegalArgumentException("type: blank (expected: chart, counter or table)");
        }
    }

    public static WidgetState chart(Object state) {
        return new WidgetState(CHART, state);
    }

    public static WidgetState counter(Object state) {
        return new WidgetState(COUNTER, state);
    }

    public static WidgetState table(Object state) {
        return new WidgetState(TABLE, state);
    }
}
