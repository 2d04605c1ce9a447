/** Tool-call repair: ids for tool calls that lack one, JSON-string arguments, and repair of malformed argument JSON. */
package io.kimi.features.repair;
