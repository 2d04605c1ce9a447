package io.kimi.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class McpSectionTest {
    @TempDir
    Path dir;

    private KimiConfig load(String toml, Map<String, String> env) {
        return new Loading(dir).load(toml, env);
    }

    private String failure(String toml, String key) {
        return failure(toml, Map.of(), key);
    }

    /** The reason the load fails on {@code key}, the message being exactly {@code <file>: <key>: <reason>}. */
    private String failure(String toml, Map<String, String> env, String key) {
        return Failures.reason(dir, key, () -> load(toml, env));
    }

    @Test
    void absentSectionTakesTheDefaults() {
        McpConfig mcp = load("", Map.of()).mcp();

        assertThat(mcp).isEqualTo(McpConfig.DEFAULT);
        assertThat(mcp.workspace()).isEqualTo(Path.of("/workspace"));
        assertThat(mcp.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(mcp.maxResultBytes()).isEqualTo(1_048_576);
        assertThat(mcp.servers()).isEmpty();
    }

    @Test
    void everyKeyIsReadAndAServerTimeoutDefaultsToTheSectionsOne() {
        McpConfig mcp = load("""
                [mcp]
                workspace = "/srv/project"
                timeout_ms = 4000
                max_result_bytes = 2048

                [mcp.servers.memory]
                url = "http://127.0.0.1:3100/mcp"
                timeout_ms = 1500
                auth_token = "${MEMORY_TOKEN}"

                [mcp.servers."files.v2"]
                url = "https://${FILES_HOST}/rpc"
                """, Map.of("MEMORY_TOKEN", "t0k", "FILES_HOST", "files.example")).mcp();

        assertThat(mcp.workspace()).isEqualTo(Path.of("/srv/project"));
        assertThat(mcp.timeout()).isEqualTo(Duration.ofMillis(4000));
        assertThat(mcp.maxResultBytes()).isEqualTo(2048);
        assertThat(mcp.servers()).containsOnlyKeys("memory", "files.v2");
        McpServerConfig memory = mcp.servers().get("memory");
        assertThat(memory.name()).isEqualTo("memory");
        assertThat(memory.url()).isEqualTo(URI.create("http://127.0.0.1:3100/mcp"));
        assertThat(memory.timeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(memory.authToken().variable()).contains("MEMORY_TOKEN");
        assertThat(memory.authToken().value()).isEqualTo("t0k");
        assertThat(memory.authToken().toString()).doesNotContain("t0k");
        McpServerConfig files = mcp.servers().get("files.v2");
        assertThat(files.url()).isEqualTo(URI.create("https://files.example/rpc"));
        assertThat(files.timeout()).isEqualTo(Duration.ofMillis(4000));
        assertThat(files.authToken()).isNull();
    }

    @Test
    void anUnsetTokenVariableIsNotAnErrorAtStart() {
        Secret token = load("[mcp.servers.m]\nurl = \"http://127.0.0.1:1/mcp\"\nauth_token = \"${NOPE}\"\n",
                Map.of()).mcp().servers().get("m").authToken();

        assertThat(token.isConfigured()).isTrue();
        assertThat(token.isResolved()).isFalse();
        assertThat(token.variable()).contains("NOPE");
    }

    @Test
    void mcpWorkspaceVariableWinsOverTheFile() {
        String toml = "[mcp]\nworkspace = \"/from/file\"\n";

        assertThat(load(toml, Map.of()).mcp().workspace()).isEqualTo(Path.of("/from/file"));
        assertThat(load(toml, Map.of("MCP_WORKSPACE", "/from/env")).mcp().workspace())
                .isEqualTo(Path.of("/from/env"));
        assertThat(load("", Map.of("MCP_WORKSPACE", "/from/env")).mcp().workspace())
                .isEqualTo(Path.of("/from/env"));
        assertThat(load(toml, Map.of("MCP_WORKSPACE", " ")).mcp().workspace()).isEqualTo(Path.of("/from/file"));
    }

    @Test
    void anInvalidWorkspaceVariableNamesTheVariable() {
        ConfigException e = Failures.configException(() -> load("", Map.of("MCP_WORKSPACE", "/a\0b")));

        assertThat(e.source()).isEqualTo("environment");
        assertThat(e.key()).isEqualTo("MCP_WORKSPACE");
        assertThat(e.reason()).startsWith("not a valid path");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThat(failure("[mcp]\nworkspace = \"\"\n", "mcp.workspace")).isEqualTo("must not be empty");
        assertThat(failure("[mcp]\nworkspace = 1\n", "mcp.workspace")).isEqualTo("expected a string, got integer 1");
        assertThat(failure("[mcp]\ntimeout_ms = 0\n", "mcp.timeout_ms"))
                .isEqualTo("out of range: 0 (expected: 1-3600000)");
        assertThat(failure("[mcp]\nmax_result_bytes = 1023\n", "mcp.max_result_bytes"))
                .isEqualTo("out of range: 1023 (expected: >= 1024)");
        assertThat(failure("[mcp]\nservers = 3\n", "mcp.servers")).isEqualTo("expected a table, got integer 3");
        assertThat(failure("[mcp.servers.m]\ntimeout_ms = 10\n", "mcp.servers.m.url")).startsWith("missing");
        assertThat(failure("[mcp.servers.m]\nurl = \"ws://127.0.0.1:1/mcp\"\n", "mcp.servers.m.url"))
                .isEqualTo("expected an absolute http or https URL with a host, got \"ws://127.0.0.1:1/mcp\"");
        assertThat(failure("[mcp.servers.m]\nurl = \"localhost/mcp\"\n", "mcp.servers.m.url"))
                .startsWith("expected an absolute http or https URL");
        assertThat(failure("[mcp.servers.m]\nurl = \"http://u:secret@h/mcp\"\n", "mcp.servers.m.url"))
                .startsWith("must not contain credentials").doesNotContain("secret");
        assertThat(failure("[mcp.servers.m]\nurl = \"http://${UNSET_HOST}/mcp\"\n", "mcp.servers.m.url"))
                .contains("environment variable UNSET_HOST is not set");
        assertThat(failure("[mcp.servers.m]\nurl = \"http://h/mcp\"\ntimeout_ms = -1\n", "mcp.servers.m.timeout_ms"))
                .startsWith("out of range: -1");
        assertThat(failure("[mcp.servers.m]\nurl = \"http://h/mcp\"\nauth_token = 5\n", "mcp.servers.m.auth_token"))
                .isEqualTo("expected a string, got integer");
        assertThat(failure("[mcp.servers.\"a b\"]\nurl = \"http://h/mcp\"\n", "mcp.servers.\"a b\""))
                .startsWith("not a valid MCP server name");
    }

    @Test
    void unknownKeysAreRejectedWithASuggestion() {
        assertThat(failure("[mcp]\ntimeout = 5\n", "mcp.timeout"))
                .contains("unknown key", "accepted here: workspace, timeout_ms, max_result_bytes, servers");
        assertThat(failure("[mcp]\nworkspce = \"/w\"\n", "mcp.workspce")).endsWith("did you mean \"workspace\"?");
        assertThat(failure("[mcp.servers.m]\nurl = \"http://h/mcp\"\nauth_tokn = \"${T}\"\n",
                "mcp.servers.m.auth_tokn")).endsWith("did you mean \"auth_token\"?");
        assertThat(failure("[mpc]\nworkspace = \"/w\"\n", "mpc")).endsWith("did you mean \"mcp\"?");
    }
}
