/**
 * Domain records shared by every layer: sessions, events, request records, token usage, and the per-iteration
 * and per-step aggregates of convergence sessions.
 */
package io.kimi.core;
