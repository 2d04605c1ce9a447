package io.kimi.api;

import io.kimi.features.logs.LogSourceStatus;
import io.kimi.services.internal.convergence.BridgeStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code checks} of {@code /health}: one per thing the server depends on, each with a stable machine-readable
 * {@code code} (the page translates it; docs/metrics.md lists them) and whether it is {@code ok}.
 */
final class HealthChecks {
    /** One check: what is checked ({@code database}, {@code convergence}, {@code log_source}), its name if any. */
    record Check(String check, String name, boolean ok, String code) {
    }

    private HealthChecks() {
    }

    static List<Check> of(boolean databaseOk, BridgeStatus bridge, List<LogSourceStatus> logSources) {
        List<Check> checks = new ArrayList<>();
        checks.add(new Check("database", null, databaseOk, databaseOk ? "database_ok" : "database_unreachable"));
        checks.add(convergence(bridge.state(), bridge.lastError() != null));
        for (LogSourceStatus s : logSources) {
            checks.add(logSource(s));
        }
        return checks;
    }

    /** A bridge trying again after a failure is as unreachable as one waiting to: the check does not blink. */
    private static Check convergence(String state, boolean failedBefore) {
        return switch (state) {
            case "connected" -> new Check("convergence", null, true, "convergence_connected");
            case "connecting" -> failedBefore
                    ? new Check("convergence", null, false, "convergence_unreachable")
                    : new Check("convergence", null, true, "convergence_connecting");
            case "waiting" -> new Check("convergence", null, false, "convergence_unreachable");
            case "mock" -> new Check("convergence", null, true, "convergence_simulated");
            default -> new Check("convergence", null, true, "convergence_disabled");
        };
    }

    private static Check logSource(LogSourceStatus s) {
        return switch (s.state()) {
            case LogSourceStatus.TAILING -> new Check("log_source", s.name(), true, "log_source_tailing");
            case LogSourceStatus.WAITING -> new Check("log_source", s.name(), true, "log_source_waiting");
            case LogSourceStatus.ERROR -> new Check("log_source", s.name(), false, "log_source_unreadable");
            default -> new Check("log_source", s.name(), true, "log_source_disabled");
        };
    }
}
