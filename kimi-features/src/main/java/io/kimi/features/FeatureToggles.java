package io.kimi.features;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which features are on, changeable at runtime ({@code PUT /api/features/{name}}). Starts from config. Thread-safe.
 */
public final class FeatureToggles {
    private final Map<String, Boolean> enabled = new ConcurrentHashMap<>();
    private final Map<String, Boolean> initial;

    /** @param initial each known feature's state at start, by wire name */
    public FeatureToggles(Map<String, Boolean> initial) {
        this.initial = Map.copyOf(requireNonNull(initial, "initial"));
        enabled.putAll(this.initial);
    }

    public boolean isKnown(String feature) {
        return initial.containsKey(feature);
    }

    public boolean isEnabled(String feature) {
        return enabled.getOrDefault(feature, false);
    }

    /**
     * Turns a known feature on or off; returns its previous state.
     *
     * @throws IllegalArgumentException for an unknown feature
     */
    public boolean set(String feature, boolean on) {
        if (!isKnown(feature)) {
            throw new IllegalArgumentException("feature: '" + feature + "' (expected one of: "
                    + String.join(", ", initial.keySet()) + ")");
        }
        Boolean previous = enabled.put(feature, on);
        return previous != null && previous;
    }

    /** Every known feature's current state. */
    public Map<String, Boolean> snapshot() {
        return Map.copyOf(new LinkedHashMap<>(enabled));
    }
}
