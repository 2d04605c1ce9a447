package io.kimi.config;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads {@code [mcp]} and its {@code [mcp.servers.<name>]} tables, then applies {@code MCP_WORKSPACE} over the
 * file's {@code workspace}. Keys the file leaves out take {@link McpConfig#DEFAULT}'s values; a server's
 * {@code timeout_ms} defaults to {@code [mcp] timeout_ms}.
 */
final class McpSection {
    static final List<String> KEYS = List.of("workspace", "timeout_ms", "max_result_bytes", "servers");
    static final List<String> SERVER_KEYS = List.of("url", "timeout_ms", "auth_token");
    static final String WORKSPACE_VAR = "MCP_WORKSPACE";
    static final long MAX_TIMEOUT_MS = Duration.ofHours(1).toMillis();
    static final int MIN_RESULT_BYTES = 1024;

    /** A server name is one segment of the gateway's path: {@code /api/mcp-gateway/{name}/rpc}. */
    private static final Pattern SERVER_NAME = Pattern.compile("[A-Za-z0-9._-]+");

    private final Map<String, String> env;
    private final EnvExpander expander;

    McpSection(Map<String, String> env, EnvExpander expander) {
        this.env = requireNonNull(env, "env");
        this.expander = requireNonNull(expander, "expander");
    }

    McpConfig read(Table mcp) {
        mcp.requireOnly(KEYS);
        McpConfig d = McpConfig.DEFAULT;
        Path workspace = d.workspace();
        if (mcp.has("workspace")) {
            workspace = toPath(mcp.nonBlankString("workspace").orElseThrow(), mcp.source(),
                    mcp.keyPath("workspace"));
        }
        String envWorkspace = env.get(WORKSPACE_VAR);
        if (envWorkspace != null && !envWorkspace.isBlank()) {
            workspace = toPath(envWorkspace.trim(), ServerOverrides.ENVIRONMENT, WORKSPACE_VAR);
        }
        Duration timeout = Duration.ofMillis(mcp.integer("timeout_ms", 1, MAX_TIMEOUT_MS)
                .orElse(d.timeout().toMillis()));
        int maxResultBytes = mcp.intOr("max_result_bytes", d.maxResultBytes(), MIN_RESULT_BYTES, Integer.MAX_VALUE);
        Map<String, McpServerConfig> servers = new LinkedHashMap<>();
        for (Map.Entry<String, Table> entry : mcp.tableOrEmpty("servers").tables().entrySet()) {
            servers.put(entry.getKey(), server(entry.getKey(), entry.getValue(), timeout));
        }
        return new McpConfig(workspace, timeout, maxResultBytes, servers);
    }

    private McpServerConfig server(String name, Table s, Duration defaultTimeout) {
        if (!SERVER_NAME.matcher(name).matches()) {
            throw s.error("not a valid MCP server name (expected letters, digits, '.', '_' or '-': it is a "
                    + "segment of the gateway path /api/mcp-gateway/<name>/rpc)");
        }
        s.requireOnly(SERVER_KEYS);
        URI url = url(s);
        Duration timeout = s.integer("timeout_ms", 1, MAX_TIMEOUT_MS).map(Duration::ofMillis).orElse(defaultTimeout);
        Secret token = expander.secret(s, "auth_token", s.secretString("auth_token").orElse(null));
        return new McpServerConfig(name, url, timeout, token.isConfigured() ? token : null);
    }

    private URI url(Table s) {
        return HttpUrlKey.read(s, "url", expander, "missing (expected the server's JSON-RPC endpoint, an http or"
                + " https URL, e.g. \"http://127.0.0.1:3000/mcp\")", "the token in auth_token = \"${ENV_VAR}\"");
    }

    private static Path toPath(String raw, String source, String key) {
        try {
            return Path.of(raw);
        } catch (InvalidPathException e) {
            throw new ConfigException(source, key, "not a valid path: " + e.getMessage(), e);
        }
    }
}
