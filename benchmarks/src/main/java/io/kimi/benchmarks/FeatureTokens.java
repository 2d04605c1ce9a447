package io.kimi.benchmarks;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.config.FeaturesConfig;
import io.kimi.config.ModelConfig;
import io.kimi.config.SanitizerConfig;
import io.kimi.core.CompactionRecord;
import io.kimi.features.FeatureReport;
import io.kimi.features.TransformerChain;
import io.kimi.features.compaction.SessionCompactions;
import io.kimi.features.memory.MemoryDetector;
import io.kimi.features.repair.ToolCallRepair;
import io.kimi.features.sanitizer.Sanitizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Section 1: what one request of the conversation sends upstream under each feature configuration. Each
 * configuration gets a fresh session (and fresh features); "after one compaction" sends the conversation once,
 * compacts the session manually (heuristic summary), and measures the next request, which resends the same
 * conversation as an IDE does.
 */
final class FeatureTokens {
    private final FeatureEnvironment env;
    private final ModelConfig model;
    private final FeaturesConfig config;
    private final byte[] body;

    FeatureTokens(FeatureEnvironment env, ModelConfig model, FeaturesConfig config, byte[] body) {
        this.env = requireNonNull(env, "env");
        this.model = requireNonNull(model, "model");
        this.config = requireNonNull(config, "config");
        this.body = requireNonNull(body, "body");
    }

    /** One configuration to measure. */
    private record Setup(String label, Set<String> enabled, FeaturesConfig config, boolean compactFirst) {
    }

    /** What one configuration sent. */
    record Row(String label, int tokens, int messages, int bytes, String reported) {
    }

    String markdown() {
        List<Row> rows = measure();
        int base = rows.get(0).tokens();
        int baseBytes = rows.get(0).bytes();
        FeatureTable table = new FeatureTable("configuration", "tokens", "messages", "bytes", "change vs all off",
                "bytes change", "what the features changed").lastColumnIsText();
        for (Row r : rows) {
            table.row(r.label(), FeatureTable.number(r.tokens()), FeatureTable.number(r.messages()),
                    FeatureTable.number(r.bytes()), FeatureTable.change(base, r.tokens()),
                    FeatureTable.change(baseBytes, r.bytes()), r.reported());
        }
        return table.markdown();
    }

    List<Row> measure() {
        SanitizerConfig s = config.sanitizer();
        FeaturesConfig observation = new FeaturesConfig(config.toolRepair(), new SanitizerConfig(true,
                s.thresholdTokens(), s.previewChars(), 6, s.minObservationTokens()), config.compaction(),
                config.memory());
        Set<String> all = Set.copyOf(FeatureRig.ALL);
        String threshold = FeatureTable.number(s.thresholdTokens());
        String kept = "keep system + last " + config.compaction().keepLastExchanges() + " exchanges";
        List<Setup> setups = List.of(
                new Setup("all features off", Set.of(), config, false),
                new Setup("tool-call repair only", Set.of(ToolCallRepair.NAME), config, false),
                new Setup("sanitizer only (threshold " + threshold + " tokens)", Set.of(Sanitizer.NAME), config,
                        false),
                new Setup("sanitizer + observation masking (keep last 6 tool results)", Set.of(Sanitizer.NAME),
                        observation, false),
                new Setup("memory detection only", Set.of(MemoryDetector.NAME), config, false),
                new Setup("compaction only, next request after one compaction (" + kept + ")",
                        Set.of(SessionCompactions.NAME), config, true),
                new Setup("all on", all, config, false),
                new Setup("all on, next request after one compaction", all, config, true));
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < setups.size(); i++) {
            rows.add(measure(setups.get(i), "tokens-" + i));
        }
        return rows;
    }

    private Row measure(Setup setup, String sessionId) {
        FeatureRig rig = env.rig(sessionId, model, setup.config(), setup.enabled());
        String compacted = "";
        if (setup.compactFirst()) {
            rig.transform(env.parse(body));
            CompactionRecord record = rig.compact();
            compacted = "compaction (" + record.method() + " summary) of " + record.messageHashes().size()
                    + " messages; then ";
        }
        ObjectNode request = env.parse(body);
        TransformerChain.ChainResult result = rig.transform(request);
        return new Row(setup.label(), rig.countPrompt(request), request.get("messages").size(),
                env.serialise(request).length, compacted + describe(result.reports()));
    }

    /** The features that changed messages and how many, e.g. {@code sanitizer: 69}; "nothing" when none did. */
    private static String describe(List<FeatureReport> reports) {
        String changed = reports.stream()
                .filter(r -> r.changed() > 0)
                .map(r -> r.feature() + ": " + r.changed())
                .collect(Collectors.joining(", "));
        return changed.isEmpty() ? "nothing" : changed;
    }
}
