package io.kimi.features;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request transformers in their fixed order. Runs each enabled one on the previous one's output. A
 * transformer that throws is logged with its stack trace and skipped (its input goes on unchanged): a feature's
 * bug never breaks a request. Thread-safe.
 */
public final class TransformerChain {
    private static final Logger log = LoggerFactory.getLogger(TransformerChain.class);

    private final List<RequestTransformer> transformers;
    private final FeatureToggles toggles;

    public TransformerChain(List<RequestTransformer> transformers, FeatureToggles toggles) {
        this.transformers = List.copyOf(requireNonNull(transformers, "transformers"));
        this.toggles = requireNonNull(toggles, "toggles");
    }

    /** The transformers in the order they run. */
    public List<RequestTransformer> transformers() {
        return transformers;
    }

    public FeatureToggles toggles() {
        return toggles;
    }

    /** Runs every enabled transformer; the reports list only transformers that changed or reported something. */
    public ChainResult apply(ArrayNode messages, TransformContext context) {
        ArrayNode current = messages;
        List<FeatureReport> reports = null;
        for (RequestTransformer t : transformers) {
            if (!toggles.isEnabled(t.name())) {
                continue;
            }
            Transformed out;
            try {
                out = t.apply(current, context);
            } catch (RuntimeException e) {
                log.error("Feature '{}' failed on request {} of session {}; the request goes on without it",
                        t.name(), context.requestId(), context.sessionId(), e);
                continue;
            }
            current = out.messages();
            FeatureReport report = out.report();
            if (report.changed() > 0 || !report.details().isEmpty()) {
                if (reports == null) {
                    reports = new ArrayList<>(transformers.size());
                }
                reports.add(report);
            }
        }
        return new ChainResult(current, reports == null ? List.of() : List.copyOf(reports));
    }

    /**
     * @param messages what to send upstream
     * @param reports what the transformers did, in the order they ran
     */
    public record ChainResult(ArrayNode messages, List<FeatureReport> reports) {
        public boolean changed() {
            return reports.stream().anyMatch(r -> r.changed() > 0);
        }
    }
}
