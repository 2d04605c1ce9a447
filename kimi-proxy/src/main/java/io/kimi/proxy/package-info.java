/**
 * The OpenAI-compatible proxy: model routing, a pooled Netty client to providers, and a relay that streams
 * replies to the client as they arrive while noting their token usage.
 */
package io.kimi.proxy;
