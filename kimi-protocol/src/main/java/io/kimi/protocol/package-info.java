/**
 * The dashboard's wire model: one record per REST body and WebSocket message that the server writes and
 * {@code kimi-client} reads, with each wire field named once (shared groups of fields are
 * {@link com.fasterxml.jackson.annotation.JsonUnwrapped unwrapped} records), the live message types, and the
 * subscription rules both sides apply ({@link io.kimi.protocol.SubscriptionRules}). No server code, no JSON
 * library beyond {@code jackson-annotations}: each side serialises these with its one configured mapper.
 */
package io.kimi.protocol;
