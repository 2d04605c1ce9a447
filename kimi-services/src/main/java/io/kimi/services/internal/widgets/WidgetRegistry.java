package io.kimi.services.internal.widgets;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.core.Event;
import io.kimi.core.hub.EventHub;
import io.kimi.core.hub.HubListener;
import io.kimi.core.hub.HubMessage;
import io.kimi.services.widgets.Widget;
import io.kimi.services.widgets.WidgetFactory;
import io.kimi.services.widgets.WidgetProvider;
import io.kimi.services.widgets.WidgetState;
import io.kimi.services.widgets.Widgets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's widgets, by name. It listens to the hub's {@code event} messages and hands each event to every
 * widget on one worker thread (in publication order, never on the publisher's thread); a widget whose state
 * changed is rendered and its state published on the hub as
 * {@code {"type":"widget","data":{"name","type","state"}}} (topic {@code widget}). {@link #list()} gives every
 * widget's last state for {@code GET /api/widgets}.
 *
 * <p>A widget that throws (when created, on an event, or rendering) is logged with its stack trace and skipped:
 * the other widgets, the hub and the server are unaffected, and its last good state stays listed. Events arrive
 * through a bounded queue; when widgets fall that far behind, events are dropped for them (logged, counted).
 * Thread-safe; one per server.
 */
public final class WidgetRegistry implements Widgets, HubListener, AutoCloseable {
    public static final String MESSAGE_TYPE = "widget";
    private static final Logger log = LoggerFactory.getLogger(WidgetRegistry.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final int QUEUE = 10_000;

    private final EventHub hub;
    private final ObjectMapper json;
    private final CopyOnWriteArrayList<Entry> widgets = new CopyOnWriteArrayList<>();
    private final ThreadPoolExecutor worker;
    private final AutoCloseable subscription;
    private final LongAdder dropped = new LongAdder();
    private final LongAdder failures = new LongAdder();

    /** Subscribes to {@code hub}'s events; widgets' states go back on it. */
    public WidgetRegistry(EventHub hub, ObjectMapper json) {
        this.hub = requireNonNull(hub, "hub");
        this.json = requireNonNull(json, "json");
        this.worker = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "kimi-widgets");
            t.setDaemon(true);
            return t;
        });
        worker.allowCoreThreadTimeOut(true);
        this.subscription = hub.subscribe(this);
    }

    /**
     * Creates the widget now and shows it under {@code name}; its initial state is published.
     *
     * @throws IllegalArgumentException when the name is taken or not a name ({@code [A-Za-z0-9][A-Za-z0-9_.-]*},
     *     at most 64 characters)
     * @throws IllegalStateException when the factory or the first render fails
     */
    @Override
    public void register(String name, WidgetFactory factory) {
        requireNonNull(name, "name");
        requireNonNull(factory, "factory");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: '" + name
                    + "' (expected: letters, digits, '_', '.', '-', at most 64, e.g. custom_chart)");
        }
        Widget widget;
        ObjectNode view;
        try {
            widget = requireNonNull(factory.create(), "the factory returned null");
            view = view(name, widget.render());
        } catch (RuntimeException e) {
            throw new IllegalStateException("widget '" + name + "' could not be created: " + e, e);
        }
        Entry entry = new Entry(name, widget, view);
        synchronized (widgets) {
            if (widgets.stream().anyMatch(w -> w.name.equals(name))) {
                throw new IllegalArgumentException("name: a widget '" + name + "' is already registered");
            }
            widgets.add(entry);
        }
        publish(view);
        log.info("Widget '{}' ({}) registered", name, view.path("type").asText());
    }

    /** Removes a widget; whether there was one. */
    @Override
    public boolean unregister(String name) {
        return widgets.removeIf(w -> w.name.equals(name));
    }

    /**
     * Registers every {@link WidgetProvider} that {@link ServiceLoader} finds through {@code loader}. A provider
     * that cannot be loaded or created, or whose name is taken, is logged and skipped.
     *
     * @return how many were registered
     */
    public int loadFromClasspath(ClassLoader loader) {
        Iterator<WidgetProvider> providers = ServiceLoader.load(WidgetProvider.class, loader).iterator();
        int registered = 0;
        for (int guard = 0; guard < 1000; guard++) {
            WidgetProvider provider;
            try {
                if (!providers.hasNext()) {
                    break;
                }
                provider = providers.next();
            } catch (ServiceConfigurationError e) {
                log.error("A widget provider on the classpath could not be loaded; skipping it", e);
                continue;
            }
            try {
                register(provider.name(), provider);
                registered++;
            } catch (RuntimeException e) {
                log.error("Widget provider {} could not be registered; skipping it", provider.getClass().getName(), e);
            }
        }
        return registered;
    }

    /** The registered names, in registration order. */
    @Override
    public List<String> names() {
        List<String> names = new ArrayList<>();
        widgets.forEach(w -> names.add(w.name));
        return names;
    }

    /** {@code {"widgets":[{"name","type","state"},...]}}, each widget's last rendered state. */
    public ObjectNode list() {
        ObjectNode n = json.createObjectNode();
        ArrayNode list = n.putArray("widgets");
        widgets.forEach(w -> list.add(w.view));
        return n;
    }

    /** Completes once every event queued so far has been handed to the widgets (tests, orderly shutdown). */
    public CompletableFuture<Void> sync() {
        try {
            return CompletableFuture.runAsync(() -> { }, worker);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Events not handed to widgets because they were too far behind. */
    public long droppedEvents() {
        return dropped.sum();
    }

    /** Widget calls that threw. */
    public long failures() {
        return failures.sum();
    }

    /** Hub messages: {@code event}s are queued for the widgets; everything else is ignored. Never blocks. */
    @Override
    public void onMessage(HubMessage message) {
        if (!"event".equals(message.type()) || widgets.isEmpty()) {
            return;
        }
        try {
            worker.execute(() -> handle(message.json()));
        } catch (RejectedExecutionException e) {
            dropped.increment();
            log.warn("Widgets are {} events behind; dropping a {} event for them", QUEUE, message.topic());
        }
    }

    private void handle(String eventJson) {
        Event event;
        try {
            event = event(json.readTree(eventJson));
        } catch (Exception e) {
            log.error("An event message could not be read for the widgets: {}", eventJson, e);
            return;
        }
        for (Entry w : widgets) {
            boolean changed;
            try {
                changed = w.widget.onEvent(event);
            } catch (RuntimeException | LinkageError e) {
                failures.increment();
                log.error("Widget '{}' failed on a {} event; the other widgets are unaffected", w.name,
                        event.eventType(), e);
                continue;
            }
            if (!changed) {
                continue;
            }
            ObjectNode view;
            try {
                view = view(w.name, w.widget.render());
            } catch (RuntimeException | LinkageError e) {
                failures.increment();
                log.error("Widget '{}' failed to render; its last state stays on show", w.name, e);
                continue;
            }
            w.view = view;
            publish(view);
        }
    }

    private ObjectNode view(String name, WidgetState state) {
        requireNonNull(state, "render() returned null");
        ObjectNode view = json.createObjectNode().put("name", name).put("type", state.type());
        JsonNode rendered = json.valueToTree(state.state());
        view.set("state", rendered);
        return view;
    }

    private void publish(ObjectNode view) {
        ObjectNode n = json.createObjectNode().put("type", MESSAGE_TYPE);
        n.set("data", view);
        try {
            hub.publish(new HubMessage(MESSAGE_TYPE, MESSAGE_TYPE, json.writeValueAsString(n)));
        } catch (Exception e) {
            log.error("Publishing widget '{}' failed", view.path("name").asText(), e);
        }
    }

    /** The flat event of an {@code event} message back into an {@link Event}. */
    private Event event(JsonNode n) throws Exception {
        String timestamp = n.path("timestamp").asText(null);
        JsonNode data = n.path("data");
        return new Event(
                n.path("event_id").asText(UUID.randomUUID().toString()),
                n.path("session_id").asText(""),
                timestamp == null ? Instant.now() : Instant.parse(timestamp),
                n.path("iteration").asInt(0),
                n.path("state").isTextual() ? n.path("state").asText() : null,
                n.path("event_type").asText(""),
                data.isObject() ? json.writeValueAsString(data) : "{}");
    }

    /** Stops listening and stops the worker (events still queued are handed over first, for up to 5 s). */
    @Override
    public void close() {
        try {
            subscription.close();
        } catch (Exception e) {
            log.warn("Unsubscribing the widgets from the hub failed", e);
        }
        worker.shutdown();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class Entry {
        final String name;
        final Widget widget;
        volatile ObjectNode view;

        Entry(String name, Widget widget, ObjectNode view) {
            this.name = name;
            this.widget = widget;
            this.view = view;
        }
    }
}
