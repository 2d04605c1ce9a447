package io.kimi.core.store;

/** What the context features keep: masked contents, compactions and MCP memory figures. */
public interface FeatureRecords extends MaskRecords, CompactionRecords, MemoryRecords {
}
