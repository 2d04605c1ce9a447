/**
 * The widget registry (internal): the implementation of {@code io.kimi.services.widgets.Widgets}, fed by the
 * hub's events on its own thread, listed at {@code GET /api/widgets}.
 */
package io.kimi.services.internal.widgets;
