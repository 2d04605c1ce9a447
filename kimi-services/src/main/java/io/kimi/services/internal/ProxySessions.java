package io.kimi.services.internal;

import static java.util.Objects.requireNonNull;

import io.kimi.config.KimiConfig;
import io.kimi.config.ModelConfig;
import io.kimi.core.Session;
import io.kimi.core.SessionKind;
import io.kimi.core.store.Page;
import io.kimi.core.store.SessionQuery;
import io.kimi.core.store.SessionReads;
import io.kimi.core.store.SessionWrites;
import io.kimi.proxy.Route;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy sessions, held in memory so that the request path never reads the database, and written through
 * to the store ({@link SessionWrites}; read back at start through {@link SessionReads}). Exactly one proxy session is active. Thread-safe: lookups are lock-free; the rare
 * changes (create, activate, delete) are serialised.
 *
 * <p>Which session a request counts in: the session named by {@code X-Session-Id} (created on first use,
 * without changing the active session unless there is none); otherwise the active session, and a new active
 * session when there is none or when the request goes to another provider than the active session's.
 */
public final class ProxySessions {
    private static final Logger log = LoggerFactory.getLogger(ProxySessions.class);
    private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
            .withZone(ZoneOffset.UTC);

    private final SessionReads reads;
    private final SessionWrites writes;
    private final KimiConfig config;
    private final Clock clock;
    private final LiveFeed feed;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private volatile String activeId;

    private ProxySessions(SessionReads reads, SessionWrites writes, KimiConfig config, Clock clock, LiveFeed feed) {
        this.reads = reads;
        this.writes = writes;
        this.config = config;
        this.clock = clock;
        this.feed = feed;
    }

    /** Loads the stored proxy sessions. Call once at start, off any event loop. */
    public static ProxySessions load(SessionReads reads, SessionWrites writes, KimiConfig config, Clock clock,
            LiveFeed feed) {
        ProxySessions s = new ProxySessions(requireNonNull(reads, "reads"), requireNonNull(writes, "writes"),
                requireNonNull(config, "config"), requireNonNull(clock, "clock"), requireNonNull(feed, "feed"));
        int offset = 0;
        while (true) {
            Page<Session> page = reads.listSessions(new SessionQuery(SessionKind.PROXY, null, 1000, offset));
            for (Session session : page.items()) {
                s.sessions.put(session.sessionId(), session);
                if (session.active()) {
                    s.activeId = session.sessionId();
                }
            }
            offset += page.items().size();
            if (page.items().isEmpty() || offset >= page.total()) {
                break;
            }
        }
        log.info("Loaded {} proxy session(s); active: {}", s.sessions.size(), s.activeId);
        return s;
    }

    /** Whether a client-supplied session id is acceptable. */
    public static boolean isValidId(String id) {
        return id != null && SESSION_ID.matcher(id).matches();
    }

    public Optional<Session> active() {
        String id = activeId;
        return id == null ? Optional.empty() : Optional.ofNullable(sessions.get(id));
    }

    public Optional<Session> get(String sessionId) {
        return Optional.ofNullable(sessions.get(sessionId));
    }

    /** Whether a session id is a known proxy session; resolving an unknown one reads the store once. */
    public boolean isKnown(String sessionId) {
        return sessions.containsKey(sessionId);
    }

    public Collection<Session> all() {
        return sessions.values();
    }

    /** The session a request to {@code route} counts in (see the class comment). */
    public Session resolve(String requestedId, Route route) {
        if (requestedId != null) {
            Session named = sessions.get(requestedId);
            if (named != null) {
                return sameModelOrUpdate(named, route);
            }
            synchronized (this) {
                named = sessions.get(requestedId);
                if (named == null) {
                    // A first use of this id: make sure it is not another kind's session (one indexed read;
                    // callers run this off the event loop, see isKnown).
                    if (reads.findSession(requestedId).isPresent()) {
                        throw new IllegalArgumentException("X-Session-Id: '" + requestedId
                                + "' names a convergence session; proxy requests need a proxy session");
                    }
                    named = create(requestedId, null, route.model());
                    if (activeId == null) {
                        activate(named.sessionId());
                    }
                }
                return sessions.get(named.sessionId());
            }
        }
        Session active = active().orElse(null);
        if (active != null && route.provider().key().equals(active.provider())) {
            return sameModelOrUpdate(active, route);
        }
        synchronized (this) {
            active = active().orElse(null);
            if (active != null && route.provider().key().equals(active.provider())) {
                return sameModelOrUpdate(active, route);
            }
            Session created = create(null, null, route.model());
            activate(created.sessionId());
            return sessions.get(created.sessionId());
        }
    }

    /** Creates a session for {@code model} (or the first configured model) and makes it active. */
    public synchronized Session createAndActivate(String name, String modelKey) {
        ModelConfig model = modelKey != null ? config.model(modelKey).orElseThrow(() ->
                new IllegalArgumentException("model: unknown model '" + modelKey + "'"))
                : config.models().values().stream().findFirst().orElseThrow(() ->
                        new IllegalArgumentException("model: no models are configured"));
        Session created = create(null, name, model);
        activate(created.sessionId());
        return sessions.get(created.sessionId());
    }

    /** Makes the session active; throws {@link SessionNotFoundException} if there is no such proxy session. */
    public synchronized Session activate(String sessionId) {
        Session target = sessions.get(sessionId);
        if (target == null) {
            throw new SessionNotFoundException(sessionId);
        }
        String previous = activeId;
        if (previous != null && !previous.equals(sessionId)) {
            sessions.computeIfPresent(previous, (k, s) -> s.withActive(false));
        }
        activeId = sessionId;
        Session now = sessions.computeIfPresent(sessionId, (k, s) -> s.withActive(true));
        writes.activateSession(sessionId).whenComplete((v, e) -> {
            if (e != null) {
                log.error("Could not store session {} as active", sessionId, e);
            }
        });
        feed.session("activated", now);
        return now;
    }

    /** Forgets a proxy session (the caller deletes it from the store); returns whether it was known. */
    public synchronized boolean remove(String sessionId) {
        Session removed = sessions.remove(sessionId);
        if (sessionId.equals(activeId)) {
            activeId = null;
        }
        if (removed != null) {
            feed.session("deleted", removed);
        }
        return removed != null;
    }

    /** Applies a change to a session's in-memory state and returns the new state (null if gone). */
    Session update(String sessionId, UnaryOperator<Session> change) {
        return sessions.computeIfPresent(sessionId, (k, s) -> change.apply(s));
    }

    private Session sameModelOrUpdate(Session session, Route route) {
        ModelConfig model = route.model();
        if (model.key().equals(session.model()) && route.provider().key().equals(session.provider())) {
            return session;
        }
        Session updated = update(session.sessionId(),
                s -> s.withModel(route.provider().key(), model.key(), model.contextWindow()));
        if (updated != null) {
            persist(updated);
            feed.session("updated", updated);
            return updated;
        }
        return session;
    }

    private Session create(String id, String name, ModelConfig model) {
        String sessionId = id != null ? id : UUID.randomUUID().toString();
        String displayName = name != null && !name.isBlank() ? name
                : model.provider() + " · " + model.key() + " · " + NAME_TIME.format(clock.instant());
        Session session = Session.newProxy(sessionId, displayName, clock.instant(), model.provider(),
                model.key(), model.contextWindow());
        sessions.put(sessionId, session);
        persist(session);
        feed.session("created", session);
        log.info("New proxy session {} ({})", sessionId, displayName);
        return session;
    }

    void persist(Session session) {
        writes.saveSession(session).whenComplete((v, e) -> {
            if (e != null) {
                log.error("Could not store session {}", session.sessionId(), e);
            }
        });
    }
}
