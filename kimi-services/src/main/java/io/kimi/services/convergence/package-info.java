/**
 * {@link io.kimi.services.convergence.SimulatedLoop}: a deterministic convergence loop, for {@code --mock}, the
 * example loop and tests. The monitoring itself (the bridge to a loop, {@code POST /api/events}, storing each
 * event once, the per-session aggregates) is internal: {@code io.kimi.services.internal.convergence}.
 */
package io.kimi.services.convergence;
