/**
 * Compaction: replaces the middle of a long conversation by one summary message on every request that still
 * carries it, manually (preview, execute, undo) or automatically at a share of the context window.
 */
package io.kimi.features.compaction;
