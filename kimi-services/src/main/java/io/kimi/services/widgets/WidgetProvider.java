package io.kimi.services.widgets;

/**
 * A widget found on the classpath by {@link java.util.ServiceLoader}: list the implementing class (public, with a
 * public no-argument constructor) in {@code META-INF/services/io.kimi.services.widgets.WidgetProvider}, and the
 * server registers {@link #create()}'s widget under {@link #name()} when it starts.
 */
public interface WidgetProvider extends WidgetFactory {
    /** The widget's name, unique on the server, e.g. {@code custom_chart}. */
    String name();
}
