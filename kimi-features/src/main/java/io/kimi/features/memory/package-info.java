/** MCP memory detection: counts the tokens of memory markers apart from chat tokens, without changing requests. */
package io.kimi.features.memory;
