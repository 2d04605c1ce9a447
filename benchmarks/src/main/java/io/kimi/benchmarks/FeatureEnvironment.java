package io.kimi.benchmarks;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.config.FeaturesConfig;
import io.kimi.config.ModelConfig;
import io.kimi.core.Session;
import io.kimi.core.Threads;
import io.kimi.core.store.sqlite.SqliteStore;
import io.kimi.core.tokens.TokenCounter;
import io.kimi.testing.MutableClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the feature benchmarks share, as one proxy process shares it: a SQLite store in a temporary directory,
 * the memoising token counter (sized as {@code KimiServer} sizes it), the compaction thread, a clock the
 * benchmarks advance, and the JSON mapper. {@link #close()} stops the thread, closes the store and deletes the
 * directory.
 */
final class FeatureEnvironment implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FeatureEnvironment.class);
    /** The token memo's bound in the server ({@code KimiServer}): 64 M characters. */
    private static final long COUNTER_CACHE_CHARS = 64L << 20;

    private final Path dir;
    private final SqliteStore store;
    private final TokenCounter counter = new TokenCounter(COUNTER_CACHE_CHARS);
    private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T10:00:00Z"));
    private final ExecutorService background = Executors.newSingleThreadExecutor(Threads.daemon("kimi-compaction"));
    private final ObjectMapper json = new ObjectMapper();

    private FeatureEnvironment(Path dir) {
        this.dir = dir;
        this.store = SqliteStore.open(dir.resolve("kimi.db"), clock);
    }

    static FeatureEnvironment open() {
        try {
            return new FeatureEnvironment(Files.createTempDirectory("feature-figures"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory", e);
        }
    }

    TokenCounter counter() {
        return counter;
    }

    MutableClock clock() {
        return clock;
    }

    ObjectMapper json() {
        return json;
    }

    /** A new session of {@code model} in the store, and the features of a server with only {@code enabled} on. */
    FeatureRig rig(String sessionId, ModelConfig model, FeaturesConfig config, Set<String> enabled) {
        store.saveSession(Session.newProxy(sessionId, "feature-figures", clock.instant(), model.provider(),
                model.key(), model.contextWindow())).join();
        return new FeatureRig(sessionId, model, config, enabled, store, counter, background, clock);
    }

    /** Parses a request body as the proxy does ({@code ChatCompletions}: {@code ObjectMapper.readTree}). */
    ObjectNode parse(byte[] body) {
        try {
            JsonNode node = json.readTree(body);
            if (!(node instanceof ObjectNode object)) {
                throw new IllegalArgumentException("body: " + node.getNodeType() + " (expected: a JSON object)");
            }
            return object;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse a request body", e);
        }
    }

    /** The body as the proxy would send it upstream. */
    byte[] serialise(ObjectNode request) {
        try {
            return json.writeValueAsBytes(requireNonNull(request, "request"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise a request", e);
        }
    }

    @Override
    public void close() {
        Threads.shutdown(background, Duration.ofSeconds(10), "Compaction", log);
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.warn("Could not delete the temporary directory {}", dir, e);
        }
    }
}
