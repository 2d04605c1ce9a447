package io.kimi.examples;

import io.kimi.api.KimiServer;
import io.kimi.testing.FakeConvergenceLoop;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Helpers for the examples' smoke tests: an embedded dashboard, events into it, captured output. */
final class Dashboards {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private Dashboards() {
    }

    /** The embedding example's server on a free port, the bridge off, its database in {@code dir}. */
    static KimiServer start(Path dir) {
        return EmbeddedServer.start(KimiServer.builder().port(0).convergenceUrl("off")
                .dbPath(dir.resolve("dashboard.db")));
    }

    static String get(KimiServer server, String path) {
        return send(HttpRequest.newBuilder(URI.create(server.baseUri() + path)).GET());
    }

    static void postEvents(KimiServer server, List<String> events) {
        send(HttpRequest.newBuilder(URI.create(server.baseUri() + "/api/events"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("[" + String.join(",", events) + "]")));
    }

    private static String send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = HTTP.send(request.timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new AssertionError(r.statusCode() + " " + r.body());
            }
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A loop's session: two iterations, a failed fix in the first, then convergence. */
    static List<String> convergedSession(String id) {
        List<String> e = new ArrayList<>();
        e.add(FakeConvergenceLoop.event(id, 0, "IDLE", "SESSION_STARTED", "{\"target\":\"https://example.com\"}"));
        e.add(FakeConvergenceLoop.event(id, 1, "DIAGNOSING", "ITERATION_STARTED", "{}"));
        e.add(FakeConvergenceLoop.event(id, 1, "DIAGNOSING", "STEP_COMPLETE",
                "{\"step\":\"diagnose\",\"findings\":{\"high\":2}}"));
        e.add(FakeConvergenceLoop.event(id, 1, "FIXING", "STEP_FAILED",
                "{\"step\":\"fix\",\"error\":\"patch did not apply\"}"));
        e.add(FakeConvergenceLoop.event(id, 2, "DIAGNOSING", "ITERATION_STARTED", "{}"));
        e.add(FakeConvergenceLoop.event(id, 2, "VALIDATING", "STEP_COMPLETE", "{\"step\":\"validate\"}"));
        e.add(FakeConvergenceLoop.event(id, 2, "CONVERGED", "CONVERGENCE_REACHED", "{\"iterations\":2}"));
        return e;
    }

    /** A print stream whose text can be read back, thread-safely. */
    static final class Output {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        synchronized String text() {
            stream.flush();
            return bytes.toString(StandardCharsets.UTF_8);
        }

        /** Waits up to 10 s for {@code text} to be printed. */
        boolean await(String text) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline) {
                if (text().contains(text)) {
                    return true;
                }
                Thread.sleep(20);
            }
            return false;
        }
    }
}
