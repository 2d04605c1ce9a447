package io.kimi.services.internal.widgets;

import io.kimi.core.Event;
import io.kimi.services.widgets.Widget;
import io.kimi.services.widgets.WidgetProvider;
import io.kimi.services.widgets.WidgetState;
import java.util.Map;

/** A widget found through META-INF/services: counts STEP_COMPLETE events. */
public final class StepCounterProvider implements WidgetProvider {
    @Override
    public String name() {
        return "step_counter";
    }

    @Override
    public Widget create() {
        return new Widget() {
            private int steps;

            @Override
            public boolean onEvent(Event event) {
                if (!event.eventType().equals("STEP_COMPLETE")) {
                    return false;
                }
                steps++;
                return true;
            }

            @Override
            public WidgetState render() {
                return WidgetState.counter(Map.of("value", steps, "label", "steps completed"));
            }
        };
    }
}
