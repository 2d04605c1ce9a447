package io.kimi.examples;

import io.kimi.api.KimiServer;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The dashboard embedded in an application: {@link KimiServer#start(String, Integer, String, Path)} is seed 002's
 * {@code start_server(host, port, convergence_ws_url, db_path)}; {@code null} takes the value from the
 * environment ({@code DASHBOARD_HOST}, {@code DASHBOARD_PORT}, {@code CONVERGENCE_WS_URL},
 * {@code DASHBOARD_DB_PATH}), else the defaults.
 *
 * <p>{@code java -cp ... io.kimi.examples.EmbeddedServer [port [db-file]]}; Ctrl+C stops it.
 */
public final class EmbeddedServer {
    private EmbeddedServer() {
    }

    /** Starts the server on loopback; {@code null}s come from the environment. */
    public static KimiServer start(Integer port, String convergenceWsUrl, Path dbPath) {
        KimiServer server = KimiServer.start("127.0.0.1", port, convergenceWsUrl, dbPath);
        System.out.println("Dashboard embedded at " + server.baseUri() + " (live updates at ws://127.0.0.1:"
                + server.port() + "/ws)");
        return server;
    }

    public static void main(String[] args) throws InterruptedException {
        Integer port = args.length > 0 ? Integer.valueOf(args[0]) : null;
        Path db = args.length > 1 ? Path.of(args[1]) : null;
        KimiServer server = start(port, null, db);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        stopped.await();
    }
}
