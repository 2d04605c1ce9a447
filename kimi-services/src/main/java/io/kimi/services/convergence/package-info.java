/**
 * Convergence-loop monitoring: events in (a WebSocket bridge to the loop, {@code POST /api/events}, or a
 * simulated loop), stored once each, folded into per-session aggregates, and published live.
 */
package io.kimi.services.convergence;
