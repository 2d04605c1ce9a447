package io.kimi.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Applies environment variables, then command-line values, over the {@code [server]} read from the file, so
 * the precedence is: command line > environment > file > built-in default. Empty variables count as unset.
 */
final class ServerOverrides {
    static final String ENVIRONMENT = "environment";
    static final String COMMAND_LINE = "command line";

    static final String HOST_VAR = "DASHBOARD_HOST";
    static final String PORT_VAR = "DASHBOARD_PORT";
    static final String DB_PATH_VAR = "DASHBOARD_DB_PATH";
    static final String AUTH_TOKEN_VAR = "KIMI_AUTH_TOKEN";

    private final Map<String, String> env;

    ServerOverrides(Map<String, String> env) {
        this.env = requireNonNull(env, "env");
    }

    ServerConfig apply(ServerConfig fromFile, ConfigOverrides cli) {
        String host = fromFile.host();
        int port = fromFile.port();
        Path dbPath = fromFile.dbPath();
        Secret authToken = fromFile.authToken();

        String envHost = variable(HOST_VAR);
        if (envHost != null) {
            host = envHost.trim();
        }
        String envPort = variable(PORT_VAR);
        if (envPort != null) {
            port = parsePort(envPort.trim());
        }
        String envDb = variable(DB_PATH_VAR);
        if (envDb != null) {
            dbPath = toPath(envDb, ENVIRONMENT, DB_PATH_VAR);
        }
        String envToken = variable(AUTH_TOKEN_VAR);
        if (envToken != null) {
            authToken = Secret.fromVariable(AUTH_TOKEN_VAR, envToken);
        }

        if (cli.host() != null) {
            if (cli.host().isBlank()) {
                throw new ConfigException(COMMAND_LINE, "--host", "must not be empty");
            }
            host = cli.host().trim();
        }
        if (cli.port() != null) {
            port = cli.port();
            if (port < 0 || port > 65535) {
                throw new ConfigException(COMMAND_LINE, "--port", "out of range: " + port + " (expected: 0-65535)");
            }
        }
        if (cli.dbPath() != null) {
            dbPath = cli.dbPath();
        }
        return new ServerConfig(host, port, dbPath, fromFile.maxBodyBytes(), authToken,
                fromFile.allowUnauthenticatedRemote(), fromFile.ioThreads(), fromFile.blockingThreads(),
                fromFile.wsIdleTimeout(), fromFile.wsMaxFrameBytes(), fromFile.wsQueueLimit(),
                fromFile.allowedOrigins(), fromFile.wsOutboundLimitBytes(), fromFile.connections(),
                fromFile.allowedHosts(), fromFile.maxAccountedReplyBytes(), fromFile.accounting());
    }

    private String variable(String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value;
    }

    private static int parsePort(String value) {
        int port;
        try {
            port = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new ConfigException(ENVIRONMENT, PORT_VAR, "expected an integer port (0-65535), got \"" + value
                    + "\"", e);
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException(ENVIRONMENT, PORT_VAR, "out of range: " + port + " (expected: 0-65535)");
        }
        return port;
    }

    private static Path toPath(String value, String source, String key) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new ConfigException(source, key, "not a valid path: " + e.getMessage(), e);
        }
    }
}
