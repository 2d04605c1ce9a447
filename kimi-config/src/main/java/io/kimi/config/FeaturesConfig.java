package io.kimi.config;

import static java.util.Objects.requireNonNull;

/**
 * {@code [features.*]}: the request transformers, in the order they run.
 *
 * @param toolRepair {@code [features.tool_repair]}
 * @param sanitizer {@code [features.sanitizer]}
 * @param compaction {@code [features.compaction]}
 * @param memory {@code [features.memory]}
 */
public record FeaturesConfig(ToolRepairConfig toolRepair, SanitizerConfig sanitizer, CompactionConfig compaction,
        MemoryConfig memory) {
    public static final FeaturesConfig DEFAULT = new FeaturesConfig(ToolRepairConfig.DEFAULT, SanitizerConfig.DEFAULT,
            CompactionConfig.DEFAULT, MemoryConfig.DEFAULT);

    public FeaturesConfig {
        requireNonNull(toolRepair, "toolRepair");
        requireNonNull(sanitizer, "sanitizer");
        requireNonNull(compaction, "compaction");
        requireNonNull(memory, "memory");
    }
}
