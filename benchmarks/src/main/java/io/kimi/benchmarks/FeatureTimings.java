package io.kimi.benchmarks;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.config.FeaturesConfig;
import io.kimi.config.ModelConfig;
import io.kimi.core.CompactionRecord;
import io.kimi.features.RequestTransformer;
import io.kimi.features.TransformContext;
import io.kimi.features.Transformed;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Section 3: the time each step adds to one request of the whole conversation, single-threaded, with every
 * feature on and one compaction active (the session was sent once and compacted). Each iteration is one request
 * as {@code ChatCompletions} prepares it: parse the body, count the client's prompt (memoised: the same
 * conversation was counted before), run each transformer on the previous one's output, count the prompt that
 * is sent; then the whole chain ({@code TransformerChain.apply} and putting its messages into the request) on a
 * second parse of the same body, so no step reuses another's parsed tree. Warm-up iterations first, not
 * recorded. Histograms in microseconds.
 */
final class FeatureTimings {
    private static final long MAX_MICROS = TimeUnit.SECONDS.toMicros(60);
    /** Requests before measuring: on the 60-turn conversation the steps' times settle after about 200. */
    private static final int MIN_WARMUP = 300;

    private final FeatureEnvironment env;
    private final ModelConfig model;
    private final FeaturesConfig config;
    private final byte[] body;
    private final int iterations;
    private final int warmup;

    FeatureTimings(FeatureEnvironment env, ModelConfig model, FeaturesConfig config, byte[] body, int iterations) {
        this.env = requireNonNull(env, "env");
        this.model = requireNonNull(model, "model");
        this.config = requireNonNull(config, "config");
        this.body = requireNonNull(body, "body");
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations: " + iterations + " (expected: >= 1)");
        }
        this.iterations = iterations;
        this.warmup = Math.max(MIN_WARMUP, iterations);
    }

    int warmup() {
        return warmup;
    }

    String markdown() {
        FeatureRig rig = env.rig("timing", model, config, Set.copyOf(FeatureRig.ALL));
        rig.transform(env.parse(body));
        CompactionRecord record = rig.compact();
        Map<String, Histogram> steps = new LinkedHashMap<>();
        for (int i = 0; i < warmup; i++) {
            request(rig, null);
        }
        for (int i = 0; i < iterations; i++) {
            request(rig, steps);
        }
        FeatureTable table = new FeatureTable("step", "p50 ms", "p90 ms", "p99 ms", "max ms", "mean ms");
        steps.forEach((step, h) -> table.row(step, ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)),
                ms(h.getValueAtPercentile(99)), ms(h.getMaxValue()), ms(Math.round(h.getMean()))));
        return "Active compaction: " + record.messageHashes().size() + " messages replaced by a "
                + record.method() + " summary.\n\n" + table.markdown();
    }

    /** One request; records each step's time in {@code steps} unless it is {@code null} (warm-up). */
    private void request(FeatureRig rig, Map<String, Histogram> steps) {
        long t0 = System.nanoTime();
        ObjectNode request = env.parse(body);
        long t1 = System.nanoTime();
        record(steps, "JSON parse of the body (" + FeatureTable.number(body.length) + " bytes)", t0, t1);
        rig.countPrompt(request);
        long t2 = System.nanoTime();
        record(steps, "prompt token count (memoised)", t1, t2);
        ArrayNode messages = (ArrayNode) request.get("messages");
        TransformContext context = rig.newContext();
        for (RequestTransformer transformer : rig.transformers()) {
            long start = System.nanoTime();
            Transformed out = transformer.apply(messages, context);
            long end = System.nanoTime();
            record(steps, "`" + transformer.name() + "` transformer", start, end);
            messages = out.messages();
        }
        request.set("messages", messages);
        long t3 = System.nanoTime();
        rig.countPrompt(request);
        long t4 = System.nanoTime();
        record(steps, "prompt token count of what is sent (memoised)", t3, t4);
        ObjectNode again = env.parse(body);
        long t5 = System.nanoTime();
        rig.transform(again);
        long t6 = System.nanoTime();
        record(steps, "whole chain (all four features)", t5, t6);
    }

    private static void record(Map<String, Histogram> steps, String step, long startNanos, long endNanos) {
        if (steps == null) {
            return;
        }
        steps.computeIfAbsent(step, s -> new Histogram(MAX_MICROS, 3))
                .recordValue(Math.min(MAX_MICROS, (endNanos - startNanos) / 1_000));
    }

    private static String ms(long micros) {
        return String.format(Locale.ROOT, "%.2f", micros / 1000.0);
    }
}
