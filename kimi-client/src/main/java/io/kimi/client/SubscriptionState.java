package io.kimi.client;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the client has subscribed to, modelled exactly as the server keeps it, so that it can be restored on a
 * new connection with the fewest messages. Not thread-safe: guarded by the client's lock.
 */
final class SubscriptionState {
    static final String ALL = "*";

    /** One subscription message to send. */
    record Op(String action, List<String> names) {
    }

    private boolean explicit;
    private boolean all = true;
    private final Set<String> include = new TreeSet<>();
    private final Set<String> exclude = new TreeSet<>();

    void subscribe(Collection<String> names) {
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

    void unsubscribe(Collection<String> names) {
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

    /** Whether a live message of this type and topic (the event type, for events) is wanted. */
    boolean wants(String type, String topic) {
        if (all) {
            return !exclude.contains(topic) && !exclude.contains(type);
        }
        return include.contains(topic) || include.contains(type);
    }

    /** The messages that bring a new connection (which receives everything) to this state. */
    List<Op> replay() {
        List<Op> ops = new ArrayList<>(2);
        if (!explicit) {
            return ops;
        }
        if (all) {
            ops.add(new Op("subscribe", List.of(ALL)));
            if (!exclude.isEmpty()) {
                ops.add(new Op("unsubscribe", List.copyOf(exclude)));
            }
        } else if (!include.isEmpty()) {
            ops.add(new Op("subscribe", List.copyOf(include)));
        } else {
            ops.add(new Op("unsubscribe", List.of(ALL)));
        }
        return ops;
    }

    /** As the server describes it: {@code ["*"]}, {@code ["*", "-metric"]} or the names subscribed to. */
    List<String> describe() {
        Set<String> out = new TreeSet<>();
        if (all) {
            out.add(ALL);
            exclude.forEach(e -> out.add("-" + e));
        } else {
            out.addAll(include);
        }
        return List.copyOf(out);
    }
}
