/**
 * Convergence-loop monitoring (internal): events in (a WebSocket bridge to the loop, {@code POST /api/events},
 * or the simulated loop of {@code --mock}), stored once each, folded into per-session aggregates,
 * and published live.
 */
package io.kimi.services.internal.convergence;
