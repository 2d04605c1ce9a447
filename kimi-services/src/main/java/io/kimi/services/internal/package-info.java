/**
 * The services behind the server, wired by {@code kimi-api}'s {@code KimiServer}: session accounting,
 * context alerts, rate limits, request preparation, the live feed (here), the live protocol ({@code live}),
 * metrics ({@code metrics}), context features ({@code features}), convergence ingest ({@code convergence}) and
 * the widget registry ({@code widgets}). Not an API: embedders use {@code KimiServer}, {@code io.kimi.services.widgets}
 * and {@code io.kimi.services.convergence.SimulatedLoop}; everything here may change without notice.
 */
package io.kimi.services.internal;
