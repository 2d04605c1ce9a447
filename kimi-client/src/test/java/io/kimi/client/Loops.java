package io.kimi.client;

import io.kimi.testing.FakeConvergenceLoop;
import java.util.ArrayList;
import java.util.List;

/** Convergence-loop events for the tests, as a loop sends them. */
final class Loops {
    private Loops() {
    }

    /** A converged session of two iterations: 3 findings (1 critical, 2 high), then none. */
    static List<String> converged(String id) {
        List<String> e = new ArrayList<>();
        e.add(FakeConvergenceLoop.event(id, 0, "IDLE", "SESSION_STARTED",
                "{\"target\":\"https://example.com\",\"config\":{\"max_iterations\":10}}"));
        e.add(FakeConvergenceLoop.event(id, 1, "DIAGNOSING", "ITERATION_STARTED", "{}"));
        e.add(FakeConvergenceLoop.event(id, 1, "DIAGNOSING", "STEP_COMPLETE",
                "{\"step\":\"diagnose\",\"duration_seconds\":120,\"findings\":{\"critical\":1,\"high\":2}}"));
        e.add(FakeConvergenceLoop.event(id, 1, "FIXING", "STEP_COMPLETE",
                "{\"step\":\"fix\",\"duration_seconds\":200,\"fixes\":3}"));
        e.add(FakeConvergenceLoop.event(id, 1, "VALIDATING", "ITERATION_ENDED", "{}"));
        e.add(FakeConvergenceLoop.event(id, 2, "DIAGNOSING", "ITERATION_STARTED", "{}"));
        e.add(FakeConvergenceLoop.event(id, 2, "DIAGNOSING", "STEP_COMPLETE",
                "{\"step\":\"diagnose\",\"duration_seconds\":100,\"findings\":{}}"));
        e.add(FakeConvergenceLoop.event(id, 2, "CONVERGED", "CONVERGENCE_REACHED", "{\"iterations\":2}"));
        e.add(FakeConvergenceLoop.event(id, 2, "CONVERGED", "SESSION_ENDED", "{\"status\":\"converged\"}"));
        return e;
    }

    static String event(String id, int iteration, String state, String type, String data) {
        return FakeConvergenceLoop.event(id, iteration, state, type, data);
    }
}
