package io.kimi.services.widgets;

/** Creates a widget, once, when it is registered ({@code registry.register("custom_chart", StepChart::new)}). */
@FunctionalInterface
public interface WidgetFactory {
    Widget create();
}
