/** The in-process hub: live messages (events, metrics, sessions, alerts) fanned out to listeners. */
package io.kimi.core.hub;
