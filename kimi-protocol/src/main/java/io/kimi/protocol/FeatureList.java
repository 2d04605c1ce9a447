package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** {@code GET /api/features}: the transformers in chain order. */
public record FeatureList(
        @JsonProperty("features") List<FeatureState> features) {
}
