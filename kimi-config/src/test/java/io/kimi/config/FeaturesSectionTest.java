package io.kimi.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeaturesSectionTest {
    @TempDir
    Path dir;

    private KimiConfig load(String toml) {
        return new Loading(dir).load(toml + Loading.LOCAL_CATALOGUE, Map.of());
    }

    /** The reason the load fails on {@code key}, the message being exactly {@code <file>: <key>: <reason>}. */
    private String failure(String toml, String key) {
        return Failures.reason(dir, key, () -> load(toml));
    }

    @Test
    void absentSectionsTakeTheRecordDefaults() {
        assertThat(load("").features()).isEqualTo(FeaturesConfig.DEFAULT);
        assertThat(load("[features]\n").features()).isEqualTo(FeaturesConfig.DEFAULT);
        assertThat(load("[features.compaction]\nauto = false\n").features().sanitizer())
                .isEqualTo(SanitizerConfig.DEFAULT);
    }

    @Test
    void everyKeyIsRead() {
        FeaturesConfig f = load("""
                [features.tool_repair]
                enabled = false
                max_argument_bytes = 1024
                budget_ms = 20

                [features.sanitizer]
                enabled = false
                threshold_tokens = 500
                preview_chars = 80
                keep_last_tool_results = 3
                min_observation_tokens = 50

                [features.compaction]
                enabled = false
                auto = false
                threshold = 0.7
                keep_last_exchanges = 2
                min_messages = 12
                cooldown_seconds = 60
                max_consecutive = 5
                summary_model = "m"
                summary_timeout_ms = 15000

                [features.memory]
                enabled = false
                """).features();

        assertThat(f.toolRepair()).isEqualTo(new ToolRepairConfig(false, 1024, Duration.ofMillis(20)));
        assertThat(f.sanitizer()).isEqualTo(new SanitizerConfig(false, 500, 80, 3, 50));
        assertThat(f.compaction()).isEqualTo(new CompactionConfig(false, false, 0.7, 2, 12, Duration.ofSeconds(60),
                5, "m", Duration.ofSeconds(15)));
        assertThat(f.memory()).isEqualTo(new MemoryConfig(false));
    }

    @Test
    void aThresholdOfOneAndAnIntegerThresholdOfOneAreAccepted() {
        assertThat(load("[features.compaction]\nthreshold = 1\n").features().compaction().threshold())
                .isEqualTo(1.0);
        assertThat(load("[features.compaction]\nthreshold = 1.0\n").features().compaction().threshold())
                .isEqualTo(1.0);
    }

    @Test
    void aThresholdWrittenAsAPercentIsRejected() {
        assertThat(failure("[features.compaction]\nthreshold = 85\n", "features.compaction.threshold"))
                .isEqualTo("out of range: 85 (expected: > 0 and <= 1, the share of the context window, e.g. 0.85 "
                        + "for 85 %)");
        assertThat(failure("[features.compaction]\nthreshold = 0\n", "features.compaction.threshold"))
                .startsWith("out of range: 0 (expected: > 0 and <= 1");
        assertThat(failure("[features.compaction]\nthreshold = -0.5\n", "features.compaction.threshold"))
                .startsWith("out of range: -0.5 (expected: > 0 and <= 1");
        assertThat(failure("[features.compaction]\nthreshold = 1.01\n", "features.compaction.threshold"))
                .startsWith("out of range: 1.01");
        assertThat(failure("[features.compaction]\nthreshold = nan\n", "features.compaction.threshold"))
                .contains("expected a finite number");
        assertThat(failure("[features.compaction]\nthreshold = \"85%\"\n", "features.compaction.threshold"))
                .isEqualTo("expected a number, got string \"85%\"");
    }

    @Test
    void anEmptySummaryModelMeansHeuristicSummariesOnly() {
        assertThat(load("[features.compaction]\nsummary_model = \"\"\n").features().compaction().summaryModel())
                .isNull();
        assertThat(load("").features().compaction().summaryModel()).isNull();
    }

    @Test
    void aSummaryModelMustNameAConfiguredModel() {
        assertThat(failure("[features.compaction]\nsummary_model = \"n\"\n", "features.compaction.summary_model"))
                .isEqualTo("no model \"n\" is defined (expected the key of a [models.<key>] table, or \"\" for "
                        + "heuristic summaries only; defined models: m); did you mean \"m\"?");
        assertThat(failure("[features.compaction]\nsummary_model = 3\n", "features.compaction.summary_model"))
                .isEqualTo("expected a string, got integer 3");
    }

    @Test
    void aSummaryModelMayNameABuiltInModelWhenTheFileKeepsTheBuiltInCatalogue() {
        KimiConfig config = new Loading(dir).load("[features.compaction]\nsummary_model = \"kimi-k2-turbo\"\n",
                Map.of());

        assertThat(config.features().compaction().summaryModel()).isEqualTo("kimi-k2-turbo");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThat(failure("[features.tool_repair]\nenabled = \"yes\"\n", "features.tool_repair.enabled"))
                .isEqualTo("expected a boolean (true or false), got string \"yes\"");
        assertThat(failure("[features.tool_repair]\nmax_argument_bytes = -1\n",
                "features.tool_repair.max_argument_bytes")).startsWith("out of range: -1");
        assertThat(failure("[features.tool_repair]\nbudget_ms = 0\n", "features.tool_repair.budget_ms"))
                .isEqualTo("out of range: 0 (expected: 1-60000)");
        assertThat(failure("[features.sanitizer]\nthreshold_tokens = 0\n", "features.sanitizer.threshold_tokens"))
                .isEqualTo("out of range: 0 (expected: >= 1)");
        assertThat(failure("[features.sanitizer]\npreview_chars = -1\n", "features.sanitizer.preview_chars"))
                .startsWith("out of range: -1");
        assertThat(failure("[features.sanitizer]\nkeep_last_tool_results = 1.5\n",
                "features.sanitizer.keep_last_tool_results")).isEqualTo("expected an integer, got float 1.5");
        assertThat(failure("[features.sanitizer]\nmin_observation_tokens = -3\n",
                "features.sanitizer.min_observation_tokens")).startsWith("out of range: -3");
        assertThat(failure("[features.compaction]\nauto = 1\n", "features.compaction.auto"))
                .startsWith("expected a boolean");
        assertThat(failure("[features.compaction]\nkeep_last_exchanges = 0\n",
                "features.compaction.keep_last_exchanges")).isEqualTo("out of range: 0 (expected: 1-1000000)");
        assertThat(failure("[features.compaction]\nmin_messages = -1\n", "features.compaction.min_messages"))
                .startsWith("out of range: -1");
        assertThat(failure("[features.compaction]\ncooldown_seconds = 604801\n",
                "features.compaction.cooldown_seconds")).isEqualTo("out of range: 604801 (expected: 0-604800)");
        assertThat(failure("[features.compaction]\nmax_consecutive = -1\n", "features.compaction.max_consecutive"))
                .startsWith("out of range: -1");
        assertThat(failure("[features.compaction]\nsummary_timeout_ms = 0\n",
                "features.compaction.summary_timeout_ms")).isEqualTo("out of range: 0 (expected: 1-3600000)");
        assertThat(failure("[features.memory]\nenabled = 0\n", "features.memory.enabled"))
                .startsWith("expected a boolean");
    }

    @Test
    void unknownKeysAreRejectedWithASuggestion() {
        assertThat(failure("[features.sanitizer]\nthreshold_token = 5\n", "features.sanitizer.threshold_token"))
                .contains("unknown key", "threshold_tokens, preview_chars")
                .endsWith("did you mean \"threshold_tokens\"?");
        assertThat(failure("[features.compaction]\nautomatic = true\n", "features.compaction.automatic"))
                .contains("unknown key").doesNotContain("did you mean");
        assertThat(failure("[features.sanitiser]\nenabled = true\n", "features.sanitiser"))
                .contains("accepted here: tool_repair, sanitizer, compaction, memory")
                .endsWith("did you mean \"sanitizer\"?");
        assertThat(failure("[feature.memory]\nenabled = true\n", "feature")).endsWith("did you mean \"features\"?");
    }

    @Test
    void aFeatureThatIsNotATableIsRejected() {
        assertThat(failure("[features]\nmemory = true\n", "features.memory"))
                .isEqualTo("expected a table, got boolean true");
    }
}
