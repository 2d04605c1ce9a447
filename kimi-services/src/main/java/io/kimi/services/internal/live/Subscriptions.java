package io.kimi.services.internal.live;

import io.kimi.protocol.SubscriptionRules;
import java.util.Collection;
import java.util.List;

/**
 * What one client wants: the protocol's {@link SubscriptionRules} (the same rules kimi-client mirrors), behind
 * this connection's lock, bounded: at most {@link #MAX_NAMES} names of at most {@link #MAX_NAME_LENGTH} characters
 * (there are a few dozen event and message types; the bound keeps a client from growing the server's memory with
 * ever new names). Thread-safe: changed by the client's own messages, read by the fan-out.
 */
public final class Subscriptions {
    public static final String ALL = SubscriptionRules.ALL;
    /** Most names one client's rules hold. */
    public static final int MAX_NAMES = 256;
    /** Longest name accepted. */
    public static final int MAX_NAME_LENGTH = 128;

    private final SubscriptionRules rules = new SubscriptionRules();

    /**
     * Applies a subscribe, or refuses it whole (the rules unchanged) when a name is too long or the rules would
     * then hold more than {@link #MAX_NAMES} names.
     *
     * @throws IllegalArgumentException saying which bound was passed
     */
    public synchronized void subscribe(Collection<String> names) {
        checkLengths(names);
        SubscriptionRules trial = copy();
        trial.subscribe(names);
        if (trial.size() > MAX_NAMES) {
            throw new IllegalArgumentException("a connection subscribes to at most " + MAX_NAMES
                    + " event types; this would make " + trial.size() + " (unsubscribe some, or subscribe to \"*\")");
        }
        rules.subscribe(names);
    }

    /** Like {@link #subscribe}: refused whole past a bound. */
    public synchronized void unsubscribe(Collection<String> names) {
        checkLengths(names);
        SubscriptionRules trial = copy();
        trial.unsubscribe(names);
        if (trial.size() > MAX_NAMES) {
            throw new IllegalArgumentException("a connection excludes at most " + MAX_NAMES
                    + " event types; this would make " + trial.size());
        }
        rules.unsubscribe(names);
    }

    private SubscriptionRules copy() {
        SubscriptionRules copy = new SubscriptionRules();
        rules.replay().forEach(copy::apply);
        return copy;
    }

    private static void checkLengths(Collection<String> names) {
        for (String name : names) {
            if (name.length() > MAX_NAME_LENGTH) {
                throw new IllegalArgumentException("an event type is at most " + MAX_NAME_LENGTH
                        + " characters; got one of " + name.length());
            }
        }
    }

    public synchronized boolean wants(String type, String topic) {
        return rules.wants(type, topic);
    }

    /** A readable description: {@code ["*"]}, {@code ["*", "-metric"]} or the names subscribed to. */
    public synchronized List<String> describe() {
        return rules.describe();
    }
}
