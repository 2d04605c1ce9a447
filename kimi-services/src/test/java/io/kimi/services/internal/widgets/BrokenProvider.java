package io.kimi.services.internal.widgets;

import io.kimi.services.widgets.Widget;
import io.kimi.services.widgets.WidgetProvider;

/** A provider on the classpath whose widget cannot be created: skipped, never fatal. */
public final class BrokenProvider implements WidgetProvider {
    @Override
    public String name() {
        return "broken";
    }

    @Override
    public Widget create() {
        throw new IllegalStateException("this widget is broken on purpose");
    }
}
