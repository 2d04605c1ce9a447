package io.kimi.features;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;

/**
 * A transformer's result: the messages to send on, and what it did.
 *
 * @param messages the input array when nothing changed, else a new one
 * @param report what changed
 */
public record Transformed(ArrayNode messages, FeatureReport report) {

    public Transformed {
        requireNonNull(messages, "messages");
        requireNonNull(report, "report");
    }

    public static Transformed unchanged(ArrayNode messages, String feature) {
        return new Transformed(messages, FeatureReport.none(feature));
    }

    public boolean changed() {
        return report.changed() > 0;
    }
}
