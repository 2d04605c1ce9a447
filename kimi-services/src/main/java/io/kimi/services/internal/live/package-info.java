/**
 * The live WebSocket protocol, independent of the transport: subscriptions, the fan-out of hub messages to
 * connected clients with bounded queues and a shared outbound byte limit, and the client actions of seed 002.
 */
package io.kimi.services.internal.live;
