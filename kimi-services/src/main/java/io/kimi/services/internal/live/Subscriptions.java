package io.kimi.services.internal.live;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one client wants. A new client gets everything until it subscribes; then only what it subscribed to.
 * Names are event types ({@code STEP_COMPLETE}) or message types ({@code event} for every event,
 * {@code metric}, {@code session}, {@code alert}, {@code widget}); {@code "*"} means everything.
 * Thread-safe: changed by the client's own messages, read by the fan-out.
 */
public final class Subscriptions {
    public static final String ALL = "*";

    private boolean explicit;
    private boolean all = true;
    private final Set<String> include = new TreeSet<>();
    private final Set<String> exclude = new TreeSet<>();

    public synchronized void subscribe(Collection<String> names) {
        if (names.contains(ALL)) {
            all = true;
            exclude.clear();
            include.clear();
        } else if (all && explicit) {
            exclude.removeAll(names);
        } else {
            all = false;
            include.addAll(names);
        }
        explicit = true;
    }

    public synchronized void unsubscribe(Collection<String> names) {
        if (names.contains(ALL)) {
            all = false;
            include.clear();
            exclude.clear();
        } else if (all) {
            exclude.addAll(names);
        } else {
            include.removeAll(names);
        }
        explicit = true;
    }

    public synchronized boolean wants(String type, String topic) {
        if (all) {
            return !exclude.contains(topic) && !exclude.contains(type);
        }
        return include.contains(topic) || include.contains(type);
    }

    /** A readable description: {@code ["*"]}, {@code ["*", "-metric"]} or the names subscribed to. */
    public synchronized Set<String> describe() {
        Set<String> out = new TreeSet<>();
        if (all) {
            out.add(ALL);
            exclude.forEach(e -> out.add("-" + e));
        } else {
            out.addAll(include);
        }
        return out;
    }
}
