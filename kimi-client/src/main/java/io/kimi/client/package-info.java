/**
 * A Java client for a running Kimi Dashboard: {@link io.kimi.client.DashboardClient} for the REST API and
 * {@link io.kimi.client.WebSocketClient} for live events, with records for the wire format and one unchecked
 * exception hierarchy rooted at {@link io.kimi.client.DashboardException}. Depends only on {@code java.net.http},
 * Jackson and SLF4J.
 */
package io.kimi.client;
