package io.kimi.examples;

import io.kimi.api.KimiServer;
import io.kimi.services.widgets.Widgets;
import java.util.concurrent.CountDownLatch;

/**
 * A custom widget on an embedded dashboard: starts the server (as {@link EmbeddedServer}), registers
 * {@link StepCompletionChart} as {@code custom_chart}, and serves it at {@code GET /api/widgets}. Point it at a
 * loop (e.g. {@link SimulatedConvergenceLoop} on the default {@code ws://localhost:8765}) to watch it fill.
 *
 * <p>{@code java -cp ... io.kimi.examples.CustomWidget [port]}; Ctrl+C stops it.
 */
public final class CustomWidget {
    private CustomWidget() {
    }

    /** Registers the example's widget on {@code server} (a server's {@link Widgets}: register, unregister, names). */
    public static KimiServer install(KimiServer server) {
        Widgets widgets = server.widgets();
        widgets.register("custom_chart", StepCompletionChart::new);
        return server;
    }

    public static void main(String[] args) throws InterruptedException {
        KimiServer server = install(EmbeddedServer.start(EmbeddedServer.builder(args)));
        System.out.println("Widgets: " + server.baseUri() + "/api/widgets");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        stopped.await();
    }
}
