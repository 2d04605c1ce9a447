package io.kimi.features;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What one transformer did to one request.
 *
 * @param feature the transformer's {@link RequestTransformer#name()}
 * @param changed how many messages (or tool calls) it changed; 0 when it changed nothing
 * @param tokensBefore prompt-message tokens before it ran (0 when it did not count)
 * @param tokensAfter the same after it ran
 * @param details feature-specific facts for the event and the dashboard (e.g. the mask hashes, the compaction
 *     id, memory token counts), snake_case keys; never {@code null}
 */
public record FeatureReport(String feature, int changed, int tokensBefore, int tokensAfter, ObjectNode details) {

    public FeatureReport {
        requireNonNull(feature, "feature");
        requireNonNull(details, "details");
    }

    public static FeatureReport none(String feature) {
        return new FeatureReport(feature, 0, 0, 0, JsonNodeFactory.instance.objectNode());
    }

    public int savedTokens() {
        return tokensBefore - tokensAfter;
    }
}
