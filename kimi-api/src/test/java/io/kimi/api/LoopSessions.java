package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.json;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.api.testing.KimiServerExtension;
import io.kimi.testing.FakeConvergenceLoop;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;

/** Convergence sessions as a loop sends them, and bounded waits on what a {@link KimiServerExtension} shows of them. */
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
    static JsonNode awaitSession(KimiServerExtension server, String id, Predicate<JsonNode> done) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        try {
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(() -> {
                HttpResponse<String> r = server.get("/api/sessions/" + id);
                if (r.statusCode() != 200) {
                    return false;
                }
                last.set(json(r));
                return done.test(last.get());
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("session " + id + " never reached the expected state; last: " + last.get(), e);
        }
        return last.get();
    }
}
