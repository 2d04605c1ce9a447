package io.kimi.features;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;

/**
 * The part every feature's {@link RequestTransformer} shares: its fixed wire name, and the check of the
 * arguments of {@link #apply}, made here once. A feature implements {@link #transform}, which gets them non-null.
 */
public abstract class NamedTransformer implements RequestTransformer {
    private final String name;

    protected NamedTransformer(String name) {
        this.name = requireNonNull(name, "name");
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Transformed apply(ArrayNode messages, TransformContext context) {
        return transform(requireNonNull(messages, "messages"), requireNonNull(context, "context"));
    }

    /** {@link #apply}, on arguments already checked; the same contract. */
    protected abstract Transformed transform(ArrayNode messages, TransformContext context);
}
