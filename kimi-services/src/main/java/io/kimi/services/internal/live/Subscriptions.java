package io.kimi.services.internal.live;

import io.kimi.protocol.SubscriptionRules;
import java.util.Collection;
import java.util.List;

/**
 * What one client wants: the protocol's {@link SubscriptionRules} (the same rules kimi-client mirrors), behind
 * this connection's lock. Thread-safe: changed by the client's own messages, read by the fan-out.
 */
public final class Subscriptions {
    public static final String ALL = SubscriptionRules.ALL;

    private final SubscriptionRules rules = new SubscriptionRules();

    public synchronized void subscribe(Collection<String> names) {
        rules.subscribe(names);
    }

    public synchronized void unsubscribe(Collection<String> names) {
        rules.unsubscribe(names);
    }

    public synchronized boolean wants(String type, String topic) {
        return rules.wants(type, topic);
    }

    /** A readable description: {@code ["*"]}, {@code ["*", "-metric"]} or the names subscribed to. */
    public synchronized List<String> describe() {
        return rules.describe();
    }
}
