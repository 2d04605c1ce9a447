package io.kimi.examples;

import io.kimi.api.KimiServer;
import io.kimi.api.KimiServerBuilder;
import io.kimi.config.KimiConfig;
import io.kimi.config.ProviderType;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The dashboard embedded in an application, as seed 002's {@code start_server(host, port, convergence_ws_url,
 * db_path)}: {@code KimiServer.builder().host(..).port(..).convergenceUrl(..).dbPath(..)}; a value left out comes
 * from the environment ({@code DASHBOARD_HOST}, {@code DASHBOARD_PORT}, {@code CONVERGENCE_WS_URL},
 * {@code DASHBOARD_DB_PATH}), else the config file, else the defaults. {@link #configuredInCode(Path)} shows a
 * configuration written in code instead of TOML.
 *
 * <p>{@code java -cp ... io.kimi.examples.EmbeddedServer [port [db-file]]}; Ctrl+C stops it.
 */
public final class EmbeddedServer {
    private EmbeddedServer() {
    }

    /** A builder from {@code [port [db-file]]}; what is not given comes from the environment. */
    public static KimiServerBuilder builder(String[] args) {
        KimiServerBuilder builder = KimiServer.builder();
        if (args.length > 0) {
            builder.port(Integer.parseInt(args[0]));
        }
        if (args.length > 1) {
            builder.dbPath(Path.of(args[1]));
        }
        return builder;
    }

    /** Starts the server {@code builder} describes, on loopback, and says where it is. */
    public static KimiServer start(KimiServerBuilder builder) {
        KimiServer server = builder.host("127.0.0.1").build().start();
        System.out.println("Dashboard embedded at " + server.baseUri() + " (live updates at ws://127.0.0.1:"
                + server.port() + "/ws)");
        return server;
    }

    /**
     * The configuration of the README's "Embed it" section, written in code: a free port, the database {@code db},
     * one local OpenAI-compatible provider (its key in {@code LOCAL_API_KEY}) serving the model {@code qwen}, no
     * convergence loop.
     */
    public static KimiConfig configuredInCode(Path db) {
        return KimiConfig.builder()
                .port(0)
                .dbPath(db)
                .provider("local", ProviderType.OPENAI_COMPATIBLE, "http://127.0.0.1:8000/v1", "LOCAL_API_KEY")
                .model("qwen", "local", 32768)
                .thresholds(70, 85, 95)
                .convergenceUrl("off")
                .build();
    }

    public static void main(String[] args) throws InterruptedException {
        KimiServer server = start(builder(args));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        stopped.await();
    }
}
