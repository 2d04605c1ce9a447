package io.kimi.services.widgets;

import java.util.List;

/**
 * What an embedding application does with the dashboard's widgets: add one, remove one, see which are shown.
 * {@code server.widgets().register("custom_chart", StepChart::new)}. Thread-safe.
 */
public interface Widgets {

    /**
     * Creates the widget now and shows it under {@code name}; its initial state is published.
     *
     * @throws IllegalArgumentException when the name is taken or not a name ({@code [A-Za-z0-9][A-Za-z0-9_.-]*},
     *     at most 64 characters)
     * @throws IllegalStateException when the factory or the first render fails
     */
    void register(String name, WidgetFactory factory);

    /** Removes a widget; whether there was one. */
    boolean unregister(String name);

    /** The registered names, in registration order. */
    List<String> names();
}
