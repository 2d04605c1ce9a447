/**
 * The MCP gateway: forwards JSON-RPC 2.0 requests to configured MCP servers over HTTP, with time limits,
 * workspace confinement of file paths, result truncation and per-server health.
 */
package io.kimi.features.mcp;
