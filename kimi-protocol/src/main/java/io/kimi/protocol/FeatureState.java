package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A context feature's switch: each item of {@code GET /api/features} (with its {@code order} in the chain), the
 * reply of {@code PUT /api/features/{name}} (no order) and of {@code POST /api/sanitizer/toggle} (only
 * {@code enabled}). What is {@code null} is left out.
 */
public record FeatureState(
        @JsonProperty("name") @JsonInclude(JsonInclude.Include.NON_NULL) String name,
        @JsonProperty("enabled") boolean enabled,
        @JsonProperty("order") @JsonInclude(JsonInclude.Include.NON_NULL) Integer order) {

    /** {@code {"enabled": ...}}, the sanitizer toggle's reply. */
    public static FeatureState enabled(boolean enabled) {
        return new FeatureState(null, enabled, null);
    }
}
