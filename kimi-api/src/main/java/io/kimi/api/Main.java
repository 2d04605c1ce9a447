package io.kimi.api;

import io.kimi.config.ConfigException;
import io.kimi.config.ConfigLoader;
import io.kimi.config.ConfigOverrides;
import io.kimi.config.KimiConfig;
import io.kimi.core.KimiException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** {@code java -jar kimi-api.jar [--config FILE] [--host HOST] [--port PORT] [--db FILE]}. */
public final class Main {
    private static final String USAGE = String.join("\n",
            "Usage: java -jar kimi-api.jar [options]",
            "",
            "Starts the Kimi Dashboard: an OpenAI-compatible proxy at /chat/completions and /models",
            "(also under /v1) that counts every request's tokens and cost per session.",
            "",
            "Options (each overrides its environment variable, which overrides config.toml):",
            "  --config FILE   configuration file            (KIMI_CONFIG; else ./config.toml, else built-in)",
            "  --host HOST     address to bind              (DASHBOARD_HOST; default 127.0.0.1)",
            "  --port PORT     port to listen on, 0 = any   (DASHBOARD_PORT; default 8766)",
            "  --db FILE       SQLite database file         (DASHBOARD_DB_PATH; default ./dashboard.db)",
            "  --convergence-url URL  convergence loop WebSocket, or off (CONVERGENCE_WS_URL; default ws://localhost:8765)",
            "  --mock          run a built-in simulated convergence loop (DASHBOARD_MOCK=true)",
            "  --help          show this help",
            "",
            "Provider keys come from the variables named in the config (e.g. KIMI_API_KEY, OPENAI_API_KEY).",
            "Binding beyond loopback requires KIMI_AUTH_TOKEN; clients then send it as their API key.");

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs until the JVM is asked to stop; returns an exit code when it cannot start. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        ConfigOverrides overrides;
        try {
            overrides = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println();
            err.println(USAGE);
            return 2;
        }
        if (overrides == null) {
            out.println(USAGE);
            return 0;
        }
        KimiServer server;
        try {
            KimiConfig config = new ConfigLoader(System.getenv()).load(overrides);
            server = KimiServer.builder().config(config).build().start();
        } catch (ConfigException e) {
            err.println("Configuration error: " + e.getMessage());
            return 2;
        } catch (KimiException e) {
            err.println("Could not start: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "kimi-shutdown"));
        out.println("Kimi Dashboard en écoute sur " + server.baseUri()
                + "  (proxy OpenAI : " + server.baseUri() + "/v1, santé : " + server.baseUri() + "/health)");
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** The overrides, or {@code null} when help was asked for. */
    static ConfigOverrides parse(String[] args) {
        Path config = null;
        String host = null;
        Integer port = null;
        Path db = null;
        String convergenceUrl = null;
        Boolean mock = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            switch (arg) {
                case "--help":
                case "-h":
                    return null;
                case "--mock":
                    if (value != null) {
                        throw new IllegalArgumentException("--mock takes no value");
                    }
                    mock = Boolean.TRUE;
                    continue;
                case "--config":
                case "--host":
                case "--port":
                case "--db":
                case "--convergence-url":
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException(arg + " needs a value");
                        }
                        value = args[++i];
                    }
                    break;
                default:
                    throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
            switch (arg) {
                case "--config":
                    config = Path.of(value);
                    break;
                case "--host":
                    host = value;
                    break;
                case "--port":
                    try {
                        port = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--port: '" + value + "' is not a number");
                    }
                    if (port < 0 || port > 65535) {
                        throw new IllegalArgumentException("--port: " + port + " (expected: 0-65535)");
                    }
                    break;
                case "--convergence-url":
                    convergenceUrl = value;
                    break;
                default:
                    db = Path.of(value);
                    break;
            }
        }
        return new ConfigOverrides(config, host, port, db, convergenceUrl, mock);
    }
}
