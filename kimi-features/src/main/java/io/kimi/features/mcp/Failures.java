package io.kimi.features.mcp;

import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;

/** Reads an exception chain for the one line a health record or a JSON-RPC error shows. */
final class Failures {
    private Failures() {
    }

    /** The first exception in the chain that says something, such as "ConnectException: Connection refused". */
    static String describe(Throwable e) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = e; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        for (Throwable t : chain) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getClass().getSimpleName() + ": " + t.getMessage();
            }
        }
        for (Throwable t : chain) {
            if (t instanceof ConnectException) {
                return "ConnectException: connection refused";
            }
        }
        return e.getClass().getSimpleName();
    }

    /** Whether an exception of {@code type} is in {@code e}'s chain. */
    static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
