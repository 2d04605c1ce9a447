package io.kimi.api;

import static io.kimi.api.TestServer.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.testing.FakeConvergenceLoop;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/** Convergence sessions as a loop sends them, and bounded waits on what a {@link TestServer} shows of them. */
final class LoopSessions {
    private LoopSessions() {
    }

    /** A converged session of two iterations (12 events): 3 findings, then none. */
    static List<String> converged(String id) {
        List<String> e = new ArrayList<>();
        e.add(FakeConvergenceLoop.event(id, 0, "IDLE", "SESSION_STARTED",
                "{\"target\":\"https://example.com\",\"config\":{\"max_iterations\":10,\"timeout_seconds\":3600}}"));
        e.add(FakeConvergenceLoop.event(id, 1, "DIAGNOSING", "ITERATION_STARTED", "{}"));
        e.add(FakeConvergenceLoop.event(id, 1, "DIAGNOSING", "STEP_COMPLETE",
                "{\"step\":\"diagnose\",\"duration_seconds\":120,\"findings\":{\"critical\":1,\"high\":2}}"));
        e.add(FakeConvergenceLoop.event(id, 1, "FIXING", "STEP_COMPLETE",
                "{\"step\":\"fix\",\"duration_seconds\":200,\"fixes\":3}"));
        e.add(FakeConvergenceLoop.event(id, 1, "ATTACKING", "STEP_COMPLETE",
                "{\"step\":\"attack\",\"duration_seconds\":300,\"vulnerabilities\":1}"));
        e.add(FakeConvergenceLoop.event(id, 1, "VALIDATING", "STEP_COMPLETE",
                "{\"step\":\"validate\",\"duration_seconds\":180,\"tests_passed\":7,\"tests_failed\":1}"));
        e.add(FakeConvergenceLoop.event(id, 1, "VALIDATING", "ITERATION_ENDED", "{}"));
        e.add(FakeConvergenceLoop.event(id, 2, "DIAGNOSING", "ITERATION_STARTED", "{}"));
        e.add(FakeConvergenceLoop.event(id, 2, "DIAGNOSING", "STEP_COMPLETE",
                "{\"step\":\"diagnose\",\"duration_seconds\":100,\"findings\":{}}"));
        e.add(FakeConvergenceLoop.event(id, 2, "VALIDATING", "STEP_COMPLETE",
                "{\"step\":\"validate\",\"duration_seconds\":170,\"tests_passed\":8,\"tests_failed\":0}"));
        e.add(FakeConvergenceLoop.event(id, 2, "CONVERGED", "CONVERGENCE_REACHED", "{\"iterations\":2}"));
        e.add(FakeConvergenceLoop.event(id, 2, "CONVERGED", "SESSION_ENDED", "{\"status\":\"converged\"}"));
        return e;
    }

    /** Waits (15 s at most) until {@code GET /api/sessions/{id}} satisfies {@code done}; returns it. */
    static JsonNode awaitSession(TestServer server, String id, Predicate<JsonNode> done) throws InterruptedException {
        JsonNode[] last = new JsonNode[1];
        boolean reached = eventually(() -> {
            HttpResponse<String> r = server.get("/api/sessions/" + id);
            if (r.statusCode() != 200) {
                return false;
            }
            last[0] = json(r);
            return done.test(last[0]);
        });
        if (!reached) {
            throw new AssertionError("session " + id + " never reached the expected state; last: " + last[0]);
        }
        return last[0];
    }

    /** Whether {@code condition} holds within 15 s, checked every 20 ms. */
    static boolean eventually(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }
}
