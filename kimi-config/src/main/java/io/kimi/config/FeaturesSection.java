package io.kimi.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads {@code [features.tool_repair]}, {@code [features.sanitizer]}, {@code [features.compaction]} and
 * {@code [features.memory]}; keys and tables the file leaves out take the defaults of their records.
 */
final class FeaturesSection {
    static final List<String> KEYS = List.of("tool_repair", "sanitizer", "compaction", "memory");
    static final List<String> TOOL_REPAIR_KEYS = List.of("enabled", "max_argument_bytes", "budget_ms");
    static final List<String> SANITIZER_KEYS = List.of("enabled", "threshold_tokens", "preview_chars",
            "keep_last_tool_results", "min_observation_tokens");
    static final List<String> COMPACTION_KEYS = List.of("enabled", "auto", "threshold", "keep_last_exchanges",
            "min_messages", "cooldown_seconds", "max_consecutive", "summary_model", "summary_timeout_ms");
    static final List<String> MEMORY_KEYS = List.of("enabled");

    static final long MAX_BUDGET_MS = 60_000;
    static final int MAX_COUNT = 1_000_000;
    static final long MAX_COOLDOWN_SECONDS = Duration.ofDays(7).toSeconds();
    static final long MAX_SUMMARY_TIMEOUT_MS = Duration.ofHours(1).toMillis();

    /**
     * @param features the {@code [features]} table (empty when absent)
     * @param modelKeys the configured {@code [models.<key>]} keys, which {@code summary_model} must name one of
     */
    FeaturesConfig read(Table features, Set<String> modelKeys) {
        features.requireOnly(KEYS);
        return new FeaturesConfig(
                toolRepair(feature(features, "tool_repair", TOOL_REPAIR_KEYS)),
                sanitizer(feature(features, "sanitizer", SANITIZER_KEYS)),
                compaction(feature(features, "compaction", COMPACTION_KEYS), modelKeys),
                memory(feature(features, "memory", MEMORY_KEYS)));
    }

    /** The feature's table (empty when absent), refused when it holds a key other than {@code keys}. */
    private static Table feature(Table features, String name, List<String> keys) {
        Table t = features.tableOrEmpty(name);
        t.requireOnly(keys);
        return t;
    }

    private static ToolRepairConfig toolRepair(Table t) {
        ToolRepairConfig d = ToolRepairConfig.DEFAULT;
        return new ToolRepairConfig(
                t.bool("enabled").orElse(d.enabled()),
                t.intOr("max_argument_bytes", d.maxArgumentBytes(), 0, Integer.MAX_VALUE),
                Duration.ofMillis(t.integer("budget_ms", 1, MAX_BUDGET_MS).orElse(d.budget().toMillis())));
    }

    private static SanitizerConfig sanitizer(Table t) {
        SanitizerConfig d = SanitizerConfig.DEFAULT;
        return new SanitizerConfig(
                t.bool("enabled").orElse(d.enabled()),
                t.intOr("threshold_tokens", d.thresholdTokens(), 1, Integer.MAX_VALUE),
                t.intOr("preview_chars", d.previewChars(), 0, MAX_COUNT),
                t.intOr("keep_last_tool_results", d.keepLastToolResults(), 0, MAX_COUNT),
                t.intOr("min_observation_tokens", d.minObservationTokens(), 0, Integer.MAX_VALUE));
    }

    private static CompactionConfig compaction(Table t, Set<String> modelKeys) {
        CompactionConfig d = CompactionConfig.DEFAULT;
        double threshold = t.number("threshold", -Double.MAX_VALUE).orElse(d.threshold());
        if (!(threshold > 0 && threshold <= 1)) {
            throw t.error("threshold", "out of range: " + plain(threshold) + " (expected: > 0 and <= 1, the share "
                    + "of the context window, e.g. 0.85 for 85 %)");
        }
        return new CompactionConfig(
                t.bool("enabled").orElse(d.enabled()),
                t.bool("auto").orElse(d.auto()),
                threshold,
                t.intOr("keep_last_exchanges", d.keepLastExchanges(), 1, MAX_COUNT),
                t.intOr("min_messages", d.minMessages(), 0, MAX_COUNT),
                Duration.ofSeconds(t.integer("cooldown_seconds", 0, MAX_COOLDOWN_SECONDS)
                        .orElse(d.cooldown().toSeconds())),
                t.intOr("max_consecutive", d.maxConsecutive(), 0, MAX_COUNT),
                summaryModel(t, modelKeys),
                Duration.ofMillis(t.integer("summary_timeout_ms", 1, MAX_SUMMARY_TIMEOUT_MS)
                        .orElse(d.summaryTimeout().toMillis())));
    }

    /** {@code summary_model}: absent or {@code ""} means none (heuristic summaries only); else a model key. */
    private static String summaryModel(Table t, Set<String> modelKeys) {
        Optional<String> raw = t.string("summary_model");
        if (raw.isEmpty() || raw.get().isBlank()) {
            return null;
        }
        String key = raw.get().trim();
        if (!modelKeys.contains(key)) {
            String reason = "no model \"" + key + "\" is defined (expected the key of a [models.<key>] table, or \"\" "
                    + "for heuristic summaries only; defined models: "
                    + (modelKeys.isEmpty() ? "none" : String.join(", ", modelKeys)) + ")";
            String suggestion = Spelling.closest(key, modelKeys);
            if (suggestion != null) {
                reason += "; did you mean \"" + suggestion + "\"?";
            }
            throw t.error("summary_model", reason);
        }
        return key;
    }

    private static MemoryConfig memory(Table t) {
        return new MemoryConfig(t.bool("enabled").orElse(MemoryConfig.DEFAULT.enabled()));
    }

    private static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
