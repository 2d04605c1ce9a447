package io.kimi.protocol;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one WebSocket client wants, as the server applies it and the client mirrors it. A new connection gets
 * everything until it subscribes; then only what it subscribed to. Names are event types ({@code STEP_COMPLETE})
 * or message types ({@code event} for every event, {@code metric}, {@code session}, {@code alert},
 * {@code widget}); {@link #ALL} means everything. After {@code subscribe ["*"]}, {@code unsubscribe} excludes
 * names; after {@code unsubscribe ["*"]}, {@code subscribe} includes them.
 *
 * <p>Not thread-safe: the server guards each client's rules with its lock, the client with its own.
 */
public final class SubscriptionRules {
    public static final String ALL = "*";

    private boolean explicit;
    private boolean all = true;
    private final Set<String> include = new TreeSet<>();
    private final Set<String> exclude = new TreeSet<>();

    public void subscribe(Collection<String> names) {
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

    public void unsubscribe(Collection<String> names) {
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

    /** Applies a {@link SubscriptionChange}. */
    public void apply(SubscriptionChange change) {
        if (SubscriptionChange.SUBSCRIBE.equals(change.action())) {
            subscribe(change.events());
        } else if (SubscriptionChange.UNSUBSCRIBE.equals(change.action())) {
            unsubscribe(change.events());
        } else {
            throw new IllegalArgumentException("action: '" + change.action()
                    + "' (expected subscribe or unsubscribe)");
        }
    }

    /** Whether a live message of this type and topic (the event type, for events) is wanted. */
    public boolean wants(String type, String topic) {
        if (all) {
            return !exclude.contains(topic) && !exclude.contains(type);
        }
        return include.contains(topic) || include.contains(type);
    }

    /** How many names these rules hold (included, or excluded after {@code subscribe ["*"]}). */
    public int size() {
        return include.size() + exclude.size();
    }

    /** A readable description: {@code ["*"]}, {@code ["*", "-metric"]} or the names subscribed to. */
    public List<String> describe() {
        Set<String> out = new TreeSet<>();
        if (all) {
            out.add(ALL);
            exclude.forEach(e -> out.add("-" + e));
        } else {
            out.addAll(include);
        }
        return List.copyOf(out);
    }

    /** The changes that bring a new connection (which receives everything) to these rules; none if never changed. */
    public List<SubscriptionChange> replay() {
        List<SubscriptionChange> ops = new ArrayList<>(2);
        if (!explicit) {
            return ops;
        }
        if (all) {
            ops.add(new SubscriptionChange(SubscriptionChange.SUBSCRIBE, List.of(ALL)));
            if (!exclude.isEmpty()) {
                ops.add(new SubscriptionChange(SubscriptionChange.UNSUBSCRIBE, List.copyOf(exclude)));
            }
        } else if (!include.isEmpty()) {
            ops.add(new SubscriptionChange(SubscriptionChange.SUBSCRIBE, List.copyOf(include)));
        } else {
            ops.add(new SubscriptionChange(SubscriptionChange.UNSUBSCRIBE, List.of(ALL)));
        }
        return ops;
    }
}
