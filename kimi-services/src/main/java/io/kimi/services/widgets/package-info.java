/**
 * Dashboard widgets: server-side {@link io.kimi.services.widgets.Widget}s that follow the stored events and
 * render a JSON state (chart, counter, table) which the page draws generically; registered by name or discovered
 * on the classpath through {@link io.kimi.services.widgets.WidgetProvider}.
 */
package io.kimi.services.widgets;
