/**
 * Fakes of systems outside ours, run as real loopback servers for end-to-end tests: {@link
 * io.kimi.testing.FakeUpstream} is a scripted OpenAI-compatible LLM provider. Also test data shared by
 * modules: {@link io.kimi.testing.ToolHeavyConversation}, {@link io.kimi.testing.McpEscapeAttempts}.
 */
package io.kimi.testing;
