/**
 * The services behind the server. Their API for an embedding application is small: the widget types
 * ({@code io.kimi.services.widgets}: {@code Widgets}, {@code Widget}, {@code WidgetFactory}, {@code WidgetState},
 * {@code WidgetProvider}) and {@code io.kimi.services.convergence.SimulatedLoop}. Everything else (session
 * accounting, the live protocol, metrics, context features, convergence ingest, the widget registry) lives in
 * {@code io.kimi.services.internal} and its subpackages, wired by {@code kimi-api}'s {@code KimiServer}, and may
 * change without notice. See {@code docs/architecture.md}.
 */
package io.kimi.services;
