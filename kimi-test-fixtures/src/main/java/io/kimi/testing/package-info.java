/**
 * Fakes of systems outside ours, run as real loopback servers for end-to-end tests: {@link
 * io.kimi.testing.FakeUpstream} is a scripted OpenAI-compatible LLM provider.
 */
package io.kimi.testing;
