package io.kimi.services.widgets;

import io.kimi.core.Event;

/**
 * A dashboard widget: it follows the stored events and renders its state as JSON, which the page draws
 * generically by its type ({@link WidgetState#CHART}, {@link WidgetState#COUNTER}, {@link WidgetState#TABLE}).
 *
 * <pre>{@code
 * class StepChart implements Widget {
 *     private final List<Map<String, Object>> points = new ArrayList<>();
 *
 *     public boolean onEvent(Event e) {
 *         if (!e.eventType().equals(EventTypes.STEP_COMPLETE)) return false;
 *         points.add(Map.of("timestamp", e.timestamp().toString(), "iteration", e.iteration()));
 *         return true;
 *     }
 *
 *     public WidgetState render() {
 *         return WidgetState.chart(Map.of("data", points, "options", Map.of("title", "Steps")));
 *     }
 * }
 * registry.register("custom_chart", StepChart::new);
 * }</pre>
 *
 * <p>The registry calls a widget from one thread at a time (its own worker, never a request or event-loop
 * thread), so implementations need no synchronization. A widget that throws is logged and skipped; the other
 * widgets and the server carry on, and its last good state stays on show.
 */
public interface Widget {
    /**
     * Called for every stored event (convergence events, proxied requests as {@code REQUEST_COMPLETED} /
     * {@code REQUEST_FAILED}, alerts), in the order they were published.
     *
     * @return whether the state changed: {@code true} renders it and pushes it to live clients
     */
    boolean onEvent(Event event);

    /** The state to show now. Called after registration and after each {@code onEvent} that returned true. */
    WidgetState render();
}
