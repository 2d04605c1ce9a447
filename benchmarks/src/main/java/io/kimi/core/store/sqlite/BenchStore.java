package io.kimi.core.store.sqlite;

import io.kimi.core.Event;
import io.kimi.core.PendingRequest;
import io.kimi.core.RequestRecord;
import io.kimi.core.RequestStatus;
import io.kimi.core.Session;
import io.kimi.core.TokenUsage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A store on a new temporary file holding one proxy session, for the store benchmarks; closing deletes it. Also
 * the request those benchmarks record, the same in each so that their figures compare: its pending record, its
 * record and its event, by a number.
 */
final class BenchStore implements AutoCloseable {
    static final String SESSION = "bench-session";
    private static final String DATA = "{\"request_id\":\"req_0123456789abcdef\",\"model\":\"bench\","
            + "\"prompt_tokens\":231,\"completion_tokens\":128,\"cost_usd\":0.000412,\"latency_ms\":12}";

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

    static PendingRequest pending(long id, Instant now) {
        return new PendingRequest("req-" + id, SESSION, now, "mock", "bench", "bench-upstream", false, 231, "proxy");
    }

    static RequestRecord record(long id, Instant now) {
        return new RequestRecord("req-" + id, SESSION, now, "mock", "bench", "bench-upstream", false,
                RequestStatus.SUCCESS, 200, null, null, new TokenUsage(231, 128, 0), new TokenUsage(231, 128, 0),
                0.000412, 12, 3, "proxy");
    }

    static Event event(long id, Instant now) {
        return new Event("ev-" + id, SESSION, now, 0, null, "REQUEST_COMPLETED", DATA);
    }

    /** The id of the store's writer thread (the newest alive, when stores were opened before), to read its CPU time. */
    static long writerThreadId() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("kimi-store-writer") && t.isAlive())
                .mapToLong(Thread::getId)
                .max()
                .orElseThrow(() -> new IllegalStateException("no kimi-store-writer thread"));
    }

    @Override
    public void close() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
