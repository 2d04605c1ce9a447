package io.kimi.core.store.sqlite;

import io.kimi.core.Session;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;

/** A store on a new temporary file holding one proxy session, for the store benchmarks; closing deletes it. */
final class BenchStore implements AutoCloseable {
    static final String SESSION = "bench-session";

    private final Path dir;
    final SqliteStore store;

    private BenchStore(Path dir, SqliteStore store) {
        this.dir = dir;
        this.store = store;
    }

    static BenchStore open(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        SqliteStore store = SqliteStore.open(dir.resolve("bench.db"), Clock.systemUTC());
        store.saveSession(Session.newProxy(SESSION, "bench", Instant.now(), "mock", "bench", 262_144)).join();
        return new BenchStore(dir, store);
    }

    @Override
    public void close() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
