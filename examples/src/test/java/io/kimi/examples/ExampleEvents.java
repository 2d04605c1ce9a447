package io.kimi.examples;

import io.kimi.testing.FakeConvergenceLoop;
import java.util.ArrayList;
import java.util.List;

/** Events the examples' tests post to a dashboard. */
final class ExampleEvents {
    private ExampleEvents() {
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
}
