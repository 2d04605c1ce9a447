package io.kimi.examples;

import io.kimi.client.Event;
import io.kimi.client.EventType;
import io.kimi.client.WebSocketClient;
import java.io.PrintStream;

/**
 * Seed 002's event stream processor: follows a convergence loop live through {@link WebSocketClient} and reacts
 * to {@code ITERATION_STARTED}, {@code STEP_COMPLETE}, {@code STEP_FAILED} and {@code CONVERGENCE_REACHED}.
 *
 * <p>{@code java -cp ... io.kimi.examples.EventProcessor [ws://127.0.0.1:8766/ws]}; Ctrl+C stops it.
 */
public final class EventProcessor {
    private final PrintStream out;
    private int currentIteration;

    public EventProcessor(PrintStream out) {
        this.out = out;
    }

    /** Called for each event, one at a time. */
    public void handle(Event event) {
        EventType type = event.eventType();
        if (type.equals(EventType.ITERATION_STARTED)) {
            currentIteration = event.iteration();
            out.println();
            out.println("--- Iteration " + currentIteration + " ---");
        } else if (type.equals(EventType.STEP_COMPLETE)) {
            out.println("✅ " + event.dataText("step") + " complete");
        } else if (type.equals(EventType.STEP_FAILED)) {
            out.println("❌ " + event.dataText("step") + " failed: " + event.dataText("error"));
        } else if (type.equals(EventType.CONVERGENCE_REACHED)) {
            out.println();
            out.println("🎉 Converged after " + event.dataText("iterations") + " iterations!");
        }
    }

    public int currentIteration() {
        return currentIteration;
    }

    /** A connected client that feeds {@code processor}; close it to stop. */
    public static WebSocketClient connect(String uri, EventProcessor processor) {
        WebSocketClient client = WebSocketClient.builder(uri)
                .subscribe(EventType.ITERATION_STARTED.name(), EventType.STEP_COMPLETE.name(),
                        EventType.STEP_FAILED.name(), EventType.CONVERGENCE_REACHED.name())
                .onEvent(processor::handle)
                .onConnect(c -> processor.out.println("Connected to " + c.uri()))
                .onDisconnect(d -> processor.out.println("Disconnected (" + d.reason() + ")"
                        + (d.willReconnect() ? "; reconnecting" : "")))
                .build();
        return client.connect();
    }

    public static void main(String[] args) throws InterruptedException {
        try (WebSocketClient client = connect(args.length > 0 ? args[0] : "ws://127.0.0.1:8766/ws",
                new EventProcessor(System.out))) {
            client.runForever();
        }
    }
}
