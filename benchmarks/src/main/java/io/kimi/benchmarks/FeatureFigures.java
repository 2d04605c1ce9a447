package io.kimi.benchmarks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.config.ConfigLoader;
import io.kimi.config.ConfigOverrides;
import io.kimi.config.KimiConfig;
import io.kimi.config.ModelConfig;
import io.kimi.testing.ToolHeavyConversation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;

/**
 * The context-features benchmark (issue #7): on a realistic tool-heavy coding conversation
 * ({@link ToolHeavyConversation}, seed {@value #SEED}), the tokens each feature configuration sends upstream,
 * the prompt tokens of a growing session with automatic compaction, and the time each transformer adds per
 * request. Prints a Markdown report and writes it to {@code --out} when given.
 *
 * <pre>{@code
 * java -Xmx2g -cp benchmarks/target/benchmarks.jar io.kimi.benchmarks.FeatureFigures [turns=60] [iterations=100]
 *     [--out file.md]
 * }</pre>
 *
 * <p>Features, model and encoding come from the configuration the server would load with no file given (the
 * built-in defaults, unless the working directory holds a {@code config.toml}): the model {@value #MODEL_KEY}.
 */
public final class FeatureFigures {
    /** The fixture's seed. */
    static final long SEED = 42;
    /** The model the requests name. */
    static final String MODEL_KEY = "kimi-k2";

    private FeatureFigures() {
    }

    public static void main(String[] argv) {
        FeatureArgs args = FeatureArgs.parse(argv);
        String report = run(args);
        System.out.print(report);
        if (args.out() != null) {
            try {
                Path parent = args.out().toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                Files.writeString(args.out(), report);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + args.out(), e);
            }
        }
    }

    static String run(FeatureArgs args) {
        KimiConfig config = new ConfigLoader(Map.of()).load(ConfigOverrides.none());
        ModelConfig model = config.model(MODEL_KEY).orElseGet(() -> config.models().values().stream().findFirst()
                .orElseThrow(() -> new IllegalStateException(config.source() + ": no model is configured")));
        Instant started = Instant.now();
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        StringBuilder md = new StringBuilder(8_192);
        try (FeatureEnvironment env = FeatureEnvironment.open()) {
            ObjectNode request = env.json().createObjectNode().put("model", model.key());
            request.set("messages", ToolHeavyConversation.messages(args.turns(), SEED));
            byte[] body = env.serialise(request);
            int tokens = env.counter().countPrompt(model.encoding(), request);

            String tokenTable = new FeatureTokens(env, model, config.features(), body).markdown();
            String growthTable = new FeatureGrowth(env, model, config.features(), request).markdown();
            FeatureTimings timings = new FeatureTimings(env, model, config.features(), body, args.iterations());
            String timingTable = timings.markdown();
            double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            Duration took = Duration.between(started, Instant.now());

            md.append("# Context features: tokens sent and time per transformer\n\n");
            md.append("`FeatureFigures ").append(args.turns()).append(' ').append(args.iterations())
                    .append("`, ").append(started.truncatedTo(ChronoUnit.SECONDS)).append(", took ")
                    .append(took.toSeconds()).append(" s. Java ").append(Runtime.version()).append(", ")
                    .append(Runtime.getRuntime().availableProcessors()).append(" cores, max heap ")
                    .append(Runtime.getRuntime().maxMemory() >> 20).append(" MiB, load average ")
                    .append(load(loadBefore)).append(" before, ").append(load(loadAfter)).append(" after.\n\n");
            md.append("Conversation: `ToolHeavyConversation.messages(").append(args.turns()).append(", ")
                    .append(SEED).append(")`: ").append(FeatureTable.number(request.get("messages").size()))
                    .append(" messages, ").append(FeatureTable.number(body.length)).append(" bytes of request body, ")
                    .append(FeatureTable.number(tokens)).append(" prompt tokens. Configuration (features, model): ")
                    .append(config.source()).append("; model `").append(model.key()).append("`, encoding ")
                    .append(model.encoding().wireName()).append(". Tokens are the proxy's prompt estimate ")
                    .append("(`TokenCounter.countPrompt`) of the request as the chain leaves it; bytes are that ")
                    .append("request serialised.\n\n");

            md.append("## 1. Tokens sent upstream, one request of the whole conversation\n\n");
            md.append("Each configuration runs in a fresh session. \"After one compaction\": the conversation is ")
                    .append("sent once, the session is compacted manually (heuristic summary, no summariser ")
                    .append("model), and the row is the next request, which resends the same conversation.\n\n");
            md.append(tokenTable).append('\n');

            md.append("## 2. Automatic compaction over a growing session\n\n");
            md.append("One request per turn, as an IDE resends its history: request k holds the system prompt ")
                    .append("and the first k turns. Context window ").append(FeatureTable.number(FeatureGrowth.WINDOW))
                    .append(" tokens; automatic compaction at ")
                    .append(String.format(Locale.ROOT, "%.0f %%", config.features().compaction().threshold() * 100))
                    .append(" of it, cooldown ").append(config.features().compaction().cooldown().toMinutes())
                    .append(" min, at most ").append(config.features().compaction().maxConsecutive())
                    .append(" in a row; one request every ").append(FeatureGrowth.BETWEEN_REQUESTS.toMinutes())
                    .append(" min of simulated time. A compaction that starts is waited for before the next ")
                    .append("request.\n\n");
            md.append(growthTable).append('\n');

            md.append("## 3. Time each step adds per request\n\n");
            md.append("The whole conversation (").append(FeatureTable.number(body.length))
                    .append(" bytes) with every feature on, single-threaded, the same objects and calls as ")
                    .append("`ChatCompletions`; ").append(timings.warmup()).append(" warm-up requests, then ")
                    .append(args.iterations()).append(" measured. HdrHistogram, microsecond resolution. Each ")
                    .append("transformer is timed on the previous one's output; the whole chain on a second parse ")
                    .append("of the body.\n\n");
            md.append(timingTable);
        }
        return md.toString();
    }

    private static String load(double average) {
        return average < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", average);
    }
}
