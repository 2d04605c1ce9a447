/** Context features: request transformers (tool-call repair, sanitizer, compaction, MCP memory), MCP gateway, log watcher. */
package io.kimi.features;
