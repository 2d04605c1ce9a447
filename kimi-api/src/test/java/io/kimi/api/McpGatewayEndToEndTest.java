package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.api.testing.KimiServerExtension;
import io.kimi.testing.FakeMcpServer;
import io.kimi.testing.FakeUpstream;
import io.kimi.testing.McpBehavior;
import io.kimi.testing.McpEscapeAttempts;
import io.kimi.testing.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MCP gateway ({@code POST /api/mcp-gateway/{server}/rpc}) and MCP server health through a real server, with
 * a fake MCP server on loopback: {@code x} (default timeout), {@code slow} (the same fake, a 300 ms timeout) and
 * {@code gone} (a port nothing listens on); the workspace is a temporary folder.
 */
class McpGatewayEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    Path workspace;
    FakeUpstream fake;
    FakeMcpServer mcp;
    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension().manualStart();

    @BeforeEach
    void start() throws IOException {
        workspace = Files.createDirectories(dir.resolve("workspace")).toRealPath();
        fake = server.fake();
        mcp = FakeMcpServer.start();
        server.sectionsToml(mcpSections()).start();
    }

    @AfterEach
    void stop() {
        mcp.close();
    }

    @Test
    void aRequestIsForwardedByteForByteAndTheServersReplyComesBackAsItWas() throws Exception {
        String request = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\","
                + "\"params\":{\"name\":\"read_file\",\"arguments\":{\"path\":\"src/A.java\"}}}";

        HttpResponse<String> echoed = rpc("x", request);

        assertThat(echoed.statusCode()).isEqualTo(200);
        assertThat(echoed.headers().firstValue("content-type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/json"));
        JsonNode reply = json(echoed);
        assertThat(reply.path("jsonrpc").asText()).isEqualTo("2.0");
        assertThat(reply.path("id").asInt()).isEqualTo(7);
        assertThat(reply.path("result")).isEqualTo(KimiServerExtension.JSON.readTree(request).path("params"));
        RecordedRequest seen = mcp.takeRequest(WAIT);
        assertThat(seen.bodyAsString()).isEqualTo(request);
        assertThat(seen.header("content-type")).startsWith("application/json");

        mcp.enqueue(McpBehavior.toolResult("3 files"), McpBehavior.jsonRpcError(-32601, "Method not found"));
        String inside = "{\"jsonrpc\":\"2.0\",\"id\":\"b\",\"method\":\"tools/call\",\"params\":{\"arguments\":"
                + "{\"path\":\"" + workspace.resolve("src/B.java") + "\"}}}";
        JsonNode tool = json(rpc("x", inside));
        assertThat(tool.path("id").asText()).isEqualTo("b");
        assertThat(tool.path("result").path("content").get(0).path("text").asText()).isEqualTo("3 files");
        HttpResponse<String> error = rpc("x", "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"nope\"}");
        assertThat(error.statusCode()).isEqualTo(200);
        assertThat(json(error).path("error").path("code").asInt()).isEqualTo(-32601);
        assertThat(json(error).path("id").asInt()).isEqualTo(9);
    }

    @Test
    void anOversizedResultIsCutHeadAndTailWithAMarker() {
        mcp.enqueue(McpBehavior.hugeResult(100_000));

        HttpResponse<String> cut = rpc("x", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\"}");

        assertThat(cut.statusCode()).isEqualTo(200);
        assertThat(cut.body().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4096);
        String text = json(cut).path("result").path("content").get(0).path("text").asText();
        assertThat(text).startsWith("line of a very large tool output").contains("[truncated by kimi gateway: ");
    }

    @Test
    void gatewayErrorsAreJsonRpcErrorsKeepingTheRequestId() throws Exception {
        assertError(rpc("nope", "{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"ping\"}"), 404, -32001, "\"abc\"");
        assertError(rpc("x", "{not json"), 400, -32700, "null");
        assertError(rpc("x", "{\"id\":3,\"method\":\"ping\"}"), 400, -32600, "3");

        mcp.enqueue(McpBehavior.garbage());
        assertError(rpc("x", "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\"}"), 502, -32003, "4");
        mcp.enqueue(McpBehavior.httpStatus(500));
        assertError(rpc("x", "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\"}"), 502, -32603, "5");
        mcp.enqueue(McpBehavior.echo().delayed(Duration.ofSeconds(3)));
        assertError(rpc("slow", "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"ping\"}"), 502, -32002, "6");
        assertError(rpc("gone", "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"ping\"}"), 502, -32002, "8");
    }

    /**
     * Every attempt of the shared escape table, sent through the real server: refused with the JSON-RPC error
     * it expects, keeping the id, and the fake MCP server receives nothing.
     */
    @TestFactory
    Stream<DynamicTest> escapeAttemptsAreRefusedBeforeAnythingIsForwarded() throws IOException {
        Path outside = dir.toRealPath().resolve("outside");
        McpEscapeAttempts.prepare(workspace, outside);
        AtomicInteger ids = new AtomicInteger(100);
        return McpEscapeAttempts.blocked(workspace, outside).stream().map(attempt -> DynamicTest.dynamicTest(
                attempt.name(), () -> {
                    int id = ids.incrementAndGet();
                    int before = mcp.requests().size();

                    HttpResponse<String> refused = rpc("x", attempt.request(id));

                    boolean outsideError = attempt.code() == McpEscapeAttempts.OUTSIDE;
                    assertError(refused, outsideError ? 403 : 400, attempt.code(), Integer.toString(id));
                    if (outsideError) {
                        assertThat(json(refused).path("error").path("data").path("workspace").asText())
                                .isEqualTo(workspace.toString());
                    }
                    assertThat(mcp.requests()).as("forwarded to the MCP server").hasSize(before);
                }));
    }

    /** The table's values inside the workspace (or not local paths) reach the MCP server unchanged. */
    @TestFactory
    Stream<DynamicTest> valuesInsideTheWorkspaceAreForwarded() throws IOException {
        McpEscapeAttempts.prepare(workspace, dir.toRealPath().resolve("outside"));
        AtomicInteger ids = new AtomicInteger(200);
        return McpEscapeAttempts.allowed(workspace).stream().map(attempt -> DynamicTest.dynamicTest(
                attempt.name(), () -> {
                    String request = attempt.request(ids.incrementAndGet());
                    int before = mcp.requests().size();

                    HttpResponse<String> forwarded = rpc("x", request);

                    assertThat(forwarded.statusCode()).as(forwarded.body()).isEqualTo(200);
                    assertThat(mcp.requests()).hasSize(before + 1);
                    assertThat(mcp.requests().get(before).bodyAsString()).isEqualTo(request);
                }));
    }

    @Test
    void serverHealthShowsWhichServersAnswer() {
        JsonNode health = json(server.get("/api/memory/servers"));

        assertThat(health.path("workspace").asText()).isEqualTo(workspace.toString());
        Map<String, JsonNode> byName = new HashMap<>();
        health.path("servers").forEach(s -> byName.put(s.path("name").asText(), s));
        assertThat(byName).containsOnlyKeys("x", "slow", "gone");
        assertThat(byName.get("x").path("status").asText()).isEqualTo("up");
        assertThat(byName.get("x").path("url").asText()).isEqualTo(mcp.url().toString());
        assertThat(byName.get("x").path("last_checked").asText()).isNotEmpty();
        assertThat(byName.get("x").path("latency_ms").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(byName.get("gone").path("status").asText()).isEqualTo("down");
        assertThat(byName.get("gone").path("last_error").asText()).isNotEmpty();
    }

    @Test
    void theGatewayNeedsTheAccessTokenWhenOneIsConfigured() throws Exception {
        server.restart(s -> s.serverToml("auth_token = \"${FAKE_API_KEY}\"").sectionsToml(mcpSections()));
        String ping = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";

        HttpResponse<String> anonymous = rpc("x", ping);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(mcp.requests()).isEmpty();
        assertThat(server.get("/api/memory/servers").statusCode()).isEqualTo(401);

        HttpResponse<String> allowed = server.send(HttpRequest.newBuilder(server.uri("/api/mcp-gateway/x/rpc"))
                .header("Authorization", "Bearer " + KimiServerExtension.API_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(ping)));
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(json(allowed).path("id").asInt()).isEqualTo(1);
    }

    // ---- helpers ----

    private String mcpSections() {
        return String.join("\n",
                "[mcp]",
                "workspace = \"" + workspace.toString().replace("\\", "/") + "\"",
                "timeout_ms = 5000",
                "max_result_bytes = 4096",
                "",
                "[mcp.servers.x]",
                "url = \"" + mcp.url() + "\"",
                "",
                "[mcp.servers.slow]",
                "url = \"" + mcp.url() + "\"",
                "timeout_ms = 300",
                "",
                "[mcp.servers.gone]",
                "url = \"http://127.0.0.1:" + freePort() + "/mcp\"",
                "timeout_ms = 1000",
                "");
    }

    private HttpResponse<String> rpc(String name, String body) {
        return server.post("/api/mcp-gateway/" + name + "/rpc", body);
    }

    private static void assertError(HttpResponse<String> response, int status, int code, String idJson)
            throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode reply = KimiServerExtension.JSON.readTree(response.body());
        assertThat(reply.path("jsonrpc").asText()).isEqualTo("2.0");
        assertThat(reply.path("error").path("code").asInt()).as(response.body()).isEqualTo(code);
        assertThat(reply.path("error").path("message").asText()).isNotEmpty();
        assertThat(reply.get("id")).as(response.body()).isEqualTo(KimiServerExtension.JSON.readTree(idJson));
        assertThat(reply.has("result")).isFalse();
    }

    /** A loopback port nothing listens on (bound then released). */
    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
