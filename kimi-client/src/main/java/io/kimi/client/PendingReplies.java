package io.kimi.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests of a {@link WebSocketClient} waiting for their replies on the current connection, by
 * {@code request_id}. Each request carries a new id; a server that echoes it has its replies matched by id, in
 * whatever order they come. A reply without one (a server from before request ids) answers the oldest request of
 * its {@code request_action}, and until a connection's server is seen echoing ids, reads of one kind
 * ({@code list_sessions}, {@code get_session}, which the server answers in parallel) are sent one after another
 * so their replies cannot cross.
 *
 * <p>Bounds: at most {@code limit} requests wait; one more fails at once (counted, logged). Each fails after the
 * request timeout; on a connection whose server is not known to echo ids the connection is then dropped (a late
 * reply would answer the wrong request, and the reads held behind it would wait for ever). All fail when the
 * connection is detached. Futures complete outside the lock. Thread-safe.
 */
final class PendingReplies {
    private static final Logger log = LoggerFactory.getLogger(WebSocketClient.class);
    private static final Set<String> READS = Set.of("list_sessions", "get_session");

    /** Told of a request left unanswered on a connection whose server is not known to echo ids. */
    interface Unanswered {
        void drop(LiveSocket socket, String reason);
    }

    private static final class Pending {
        final String id;
        final String action;
        final String text;
        final LiveSocket socket;
        final CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        boolean sent;

        Pending(String id, String action, String text, LiveSocket socket) {
            this.id = id;
            this.action = action;
            this.text = text;
            this.socket = socket;
        }
    }

    private final URI uri;
    private final Duration timeout;
    private final int limit;
    private final Unanswered unanswered;
    private final Object lock = new Object();
    private long lastId;
    private LiveSocket socket;
    /** Whether the current connection's server echoed a request id. */
    private boolean echoes;
    /** Every waiting request, sent or held, by id, oldest first. */
    private final LinkedHashMap<String, Pending> waiting = new LinkedHashMap<>();
    /** Until the server echoes ids: the reads of each kind, the first sent, the others held behind it. */
    private final Map<String, ArrayDeque<Pending>> reads = new HashMap<>();
    private long refused;

    PendingReplies(URI uri, Duration timeout, int limit, Unanswered unanswered) {
        this.uri = uri;
        this.timeout = timeout;
        this.limit = limit;
        this.unanswered = unanswered;
    }

    /** Serves {@code s} from now on, unless it has ended already; whether it does. */
    boolean attach(LiveSocket s) {
        synchronized (lock) {
            if (s.isEnded()) {
                return false;
            }
            socket = s;
            echoes = false;
            return true;
        }
    }

    /** {@code s} is gone: every request waiting on it fails with {@code why}. */
    void detach(LiveSocket s, String why) {
        List<Pending> failed;
        synchronized (lock) {
            if (socket != s) {
                return;
            }
            socket = null;
            failed = new ArrayList<>(waiting.values());
            waiting.clear();
            reads.clear();
        }
        for (Pending p : failed) {
            p.reply.completeExceptionally(new DashboardConnectionException("no reply to " + p.action + ": " + why));
        }
    }

    /**
     * Sends {@code message} (given a new {@code request_id}) on the current connection; its reply's data, or
     * {@code null} when there is no connection. Fails at once when {@code limit} requests are waiting already.
     */
    CompletableFuture<JsonNode> send(String action, ObjectNode message) {
        Pending p;
        synchronized (lock) {
            if (socket == null) {
                return null;
            }
            if (waiting.size() >= limit) {
                return refuse(action);
            }
            String id = Long.toString(++lastId);
            p = new Pending(id, action, Json.write(message.put("request_id", id)), socket);
            waiting.put(id, p);
            ArrayDeque<Pending> queue = !echoes && READS.contains(action)
                    ? reads.computeIfAbsent(action, a -> new ArrayDeque<>()) : null;
            if (queue != null) {
                queue.add(p);
            }
            if (queue == null || queue.size() == 1) {
                transmit(p);
            }
        }
        long ms = timeout.toMillis();
        Deadlines.failAfter(p.reply, timeout,
                () -> new DashboardConnectionException("no reply to " + action + " from " + uri + " within " + ms
                        + " ms"),
                () -> expired(p, ms));
        return p.reply;
    }

    /** A reply from {@code s}: by its id, or else to the oldest sent request of its action. */
    void answer(LiveSocket s, InboundDecoder.Reply reply) {
        Pending p;
        synchronized (lock) {
            if (s != socket) {
                return;
            }
            if (reply.requestId() != null) {
                p = waiting.remove(reply.requestId());
                if (!echoes) {
                    echoes = true;
                    reads.values().forEach(q -> q.forEach(this::transmit));
                    reads.clear();
                }
            } else {
                p = oldestSent(reply.action());
            }
            if (p != null) {
                nextRead(p);
            }
        }
        if (p == null) {
            log.debug("A {} reply from {} (request_id {}) matched no request", reply.action(), uri,
                    reply.requestId());
        } else if (reply.error() != null) {
            p.reply.completeExceptionally(reply.error());
        } else {
            p.reply.complete(reply.data());
        }
    }

    /** The oldest sent request of {@code action}, removed; {@code null} when there is none. Holds the lock. */
    private Pending oldestSent(String action) {
        for (Iterator<Pending> it = waiting.values().iterator(); it.hasNext();) {
            Pending p = it.next();
            if (p.sent && p.action.equals(action)) {
                it.remove();
                return p;
            }
        }
        return null;
    }

    /** {@code done} is no longer waiting: the read held behind it, if any, goes out. Holds the lock. */
    private void nextRead(Pending done) {
        ArrayDeque<Pending> queue = reads.get(done.action);
        if (queue != null && queue.remove(done) && !queue.isEmpty() && !queue.peek().sent) {
            transmit(queue.peek());
        }
    }

    /** Holds the lock, so requests go out in the order they are matched. */
    private void transmit(Pending p) {
        if (!p.sent) {
            p.sent = true;
            p.socket.send(p.text);
        }
    }

    private CompletableFuture<JsonNode> refuse(String action) {
        long n = ++refused;
        String why = "too many requests waiting for their replies from " + uri + ": " + limit
                + " (maxPendingRequests); " + action + " refused";
        if (n == 1 || n % 1000 == 0) {
            log.warn("{} ({} refused so far)", why, n);
        }
        return CompletableFuture.failedFuture(new DashboardConnectionException(why));
    }

    /** A request's deadline passed: it stops waiting; without ids known, its connection is dropped. */
    private void expired(Pending p, long ms) {
        boolean drop;
        synchronized (lock) {
            boolean was = waiting.remove(p.id) != null;
            if (was) {
                nextRead(p);
            }
            drop = was && p.socket == socket && !echoes;
        }
        if (drop) {
            unanswered.drop(p.socket, "no reply to " + p.action + " within " + ms + " ms");
        }
    }

    /**
     * {@code reply} read by {@code parse}: it fails with the reply's own exception (not wrapped), a
     * {@link SessionNotFoundException} naming {@code sessionId} when given, or a {@link DashboardException} when
     * the reply cannot be read. Cancelling it only stops waiting.
     */
    static <T> CompletableFuture<T> parsed(CompletableFuture<JsonNode> reply, String action, String sessionId,
            Function<JsonNode, T> parse) {
        CompletableFuture<T> out = new CompletableFuture<>();
        reply.whenComplete((data, error) -> {
            if (error != null) {
                Throwable e = Rest.unwrap(error);
                if (e instanceof SessionNotFoundException && sessionId != null) {
                    e = new SessionNotFoundException(0, sessionId, ((ApiException) e).serverMessage());
                }
                out.completeExceptionally(e);
                return;
            }
            try {
                out.complete(parse.apply(data));
            } catch (RuntimeException e) {
                out.completeExceptionally(e instanceof DashboardException ? e
                        : new DashboardException("unexpected " + action + " reply: " + e, e));
            }
        });
        return out;
    }
}
