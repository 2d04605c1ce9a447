package io.kimi.features.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.config.McpConfig;
import io.kimi.config.McpServerConfig;
import io.kimi.config.Secret;
import io.kimi.testing.FakeMcpServer;
import io.kimi.testing.McpBehavior;
import io.kimi.testing.MutableClock;
import io.kimi.testing.RecordedRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class McpGatewayTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String TOKEN = "tok-3f9a77c1-never-shown";

    private final ObjectMapper mapper = new ObjectMapper();
    private final MutableClock clock = new MutableClock(Instant.parse("2025-03-01T10:00:00Z"));
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path root;

    private Path workspace;
    private FakeMcpServer mcp;

    @BeforeEach
    void setUp() throws IOException {
        workspace = Files.createDirectories(root.resolve("ws"));
        Files.createDirectories(workspace.resolve("src"));
        mcp = FakeMcpServer.start();
    }

    @AfterEach
    void tearDown() {
        mcp.close();
    }

    // ---- pass-through ----

    @Test
    void passesAResultThroughWithHttp200AndForwardsTheBodyUnchanged() throws Exception {
        McpGateway gateway = gateway(server("files", mcp.url(), null));
        String body = "{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"tools/call\","
                + "\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"héllo\"}}}";

        GatewayReply reply = gateway.forward("files", utf8(body));

        assertThat(reply.httpStatus()).isEqualTo(200);
        JsonNode json = mapper.readTree(reply.json());
        assertThat(json.get("id").asInt()).isEqualTo(42);
        assertThat(json.at("/result/arguments/text").asText()).isEqualTo("héllo");
        RecordedRequest seen = mcp.takeRequest(WAIT);
        assertThat(seen.method()).isEqualTo("POST");
        assertThat(seen.bodyAsString()).isEqualTo(body);
        assertThat(seen.header("Content-Type")).isEqualTo("application/json");
        assertThat(seen.header("Accept")).isEqualTo("application/json, text/event-stream");
        assertThat(seen.header("Authorization")).isNull();
    }

    @Test
    void passesAToolsCallFixtureResultThrough() throws Exception {
        mcp.enqueue(McpBehavior.toolResult("3 files changed"));
        GatewayReply reply = gateway(server("files", mcp.url(), null))
                .forward("files", request("\"id-1\"", "tools/call", "{\"name\":\"git_status\",\"arguments\":{}}"));

        assertThat(reply.httpStatus()).isEqualTo(200);
        JsonNode json = mapper.readTree(reply.json());
        assertThat(json.get("id").asText()).isEqualTo("id-1");
        assertThat(json.at("/result/content/0/text").asText()).isEqualTo("3 files changed");
        assertThat(json.at("/result/isError").asBoolean()).isFalse();
    }

    @Test
    void passesAJsonRpcErrorFromTheServerThroughWithHttp200() throws Exception {
        mcp.enqueue(McpBehavior.jsonRpcError(-32601, "Method not found"));
        GatewayReply reply = gateway(server("files", mcp.url(), null)).forward("files", request("5", "nope", null));

        assertThat(reply.httpStatus()).isEqualTo(200);
        JsonNode json = mapper.readTree(reply.json());
        assertThat(json.get("id").asInt()).isEqualTo(5);
        assertThat(json.at("/error/code").asInt()).isEqualTo(-32601);
        assertThat(json.at("/error/message").asText()).isEqualTo("Method not found");
    }

    @Test
    void readsTheResponseOutOfAnEventStreamReply() throws Exception {
        mcp.enqueue(McpBehavior.eventStream());
        GatewayReply reply = gateway(server("files", mcp.url(), null))
                .forward("files", request("8", "tools/list", "{\"cursor\":\"c1\"}"));

        assertThat(reply.httpStatus()).isEqualTo(200);
        JsonNode json = mapper.readTree(reply.json());
        assertThat(json.get("id").asInt()).isEqualTo(8);
        assertThat(json.at("/result/cursor").asText()).isEqualTo("c1");
    }

    @Test
    void answersANotificationWith202AndNoBody() throws Exception {
        GatewayReply reply = gateway(server("files", mcp.url(), null))
                .forward("files", utf8("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"));

        assertThat(reply.httpStatus()).isEqualTo(202);
        assertThat(reply.json()).isEmpty();
        assertThat(mcp.takeRequest(WAIT).bodyAsString()).contains("notifications/initialized");
    }

    @Test
    void carriesTheSessionIdTheServerHandedOut() throws Exception {
        mcp.enqueue(McpBehavior.echo().withHeader("Mcp-Session-Id", "session-77"));
        McpGateway gateway = gateway(server("files", mcp.url(), null));

        gateway.forward("files", request("1", "initialize", "{}"));
        gateway.forward("files", request("2", "tools/list", null));

        assertThat(mcp.takeRequest(WAIT).header("Mcp-Session-Id")).isNull();
        assertThat(mcp.takeRequest(WAIT).header("Mcp-Session-Id")).isEqualTo("session-77");
    }

    // ---- invalid requests ----

    @Test
    void aBodyThatIsNotJsonIsAParseErrorWithHttp400() throws Exception {
        GatewayReply reply = gateway(server("files", mcp.url(), null)).forward("files", utf8("{\"jsonrpc\": oops"));

        assertError(reply, 400, -32700, null);
        assertThat(mcp.requests()).isEmpty();
    }

    @Test
    void anEmptyBodyIsAParseError() throws Exception {
        assertError(gateway(server("files", mcp.url(), null)).forward("files", new byte[0]), 400, -32700, null);
    }

    @Test
    void invalidRequestsAreRefusedWithHttp400KeepingTheId() throws Exception {
        McpGateway gateway = gateway(server("files", mcp.url(), null));

        assertError(gateway.forward("files", utf8("{\"jsonrpc\":\"2.0\",\"id\":7}")), 400, -32600, 7);
        assertError(gateway.forward("files", utf8("{\"jsonrpc\":\"1.0\",\"id\":\"abc\",\"method\":\"ping\"}")),
                400, -32600, "abc");
        assertError(gateway.forward("files", utf8("{\"id\":3,\"method\":\"ping\"}")), 400, -32600, 3);
        assertError(gateway.forward("files", utf8("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"x\",\"params\":\"p\"}")),
                400, -32600, 4);
        assertError(gateway.forward("files", utf8("{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"x\"}")),
                400, -32600, null);
        assertError(gateway.forward("files", utf8("\"just a string\"")), 400, -32600, null);
        assertThat(mcp.requests()).isEmpty();
    }

    @Test
    void aRepeatedKeyIsAnInvalidRequestKeepingTheIdAndNothingIsSent() throws Exception {
        McpGateway gateway = gateway(server("files", mcp.url(), null));

        JsonNode json = assertError(gateway.forward("files", request("31", "tools/call",
                "{\"arguments\":{\"path\":\"/etc/passwd\",\"path\":\"src/Main.java\"}}")), 400, -32600, 31);

        assertThat(json.at("/error/message").asText()).contains("duplicate key 'path'");
        assertError(gateway.forward("files", utf8("{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"ping\"}")),
                400, -32600, 2);
        assertThat(mcp.requests()).isEmpty();
    }

    @Test
    void contentAfterTheRequestIsAParseError() throws Exception {
        GatewayReply reply = gateway(server("files", mcp.url(), null)).forward("files",
                utf8("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"} {\"path\":\"/etc/passwd\"}"));

        assertError(reply, 400, -32700, null);
        assertThat(mcp.requests()).isEmpty();
    }

    @Test
    void batchesAreRefusedWithAClearMessage() throws Exception {
        GatewayReply reply = gateway(server("files", mcp.url(), null)).forward("files",
                utf8("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]"));

        JsonNode json = assertError(reply, 400, -32600, null);
        assertThat(json.at("/error/message").asText()).contains("batch requests are not supported");
        assertThat(mcp.requests()).isEmpty();
    }

    @Test
    void anUnknownServerIs404ListingTheConfiguredOnes() throws Exception {
        McpGateway gateway = gateway(server("files", mcp.url(), null), server("git", mcp.url(), null));

        JsonNode json = assertError(gateway.forward("nope", request("11", "ping", null)), 404, -32001, 11);

        assertThat(json.at("/error/message").asText()).isEqualTo("unknown MCP server 'nope' (configured: files, git)");
        assertThat(mcp.requests()).isEmpty();
    }

    // ---- upstream failures ----

    @Test
    void aSlowServerTimesOutWithin502AndTheCallIsBounded() throws Exception {
        mcp.enqueue(McpBehavior.echo().delayed(Duration.ofSeconds(20)));
        McpGateway gateway = gateway(new McpServerConfig("slow", mcp.url(), Duration.ofMillis(300), null));

        JsonNode json = assertError(gateway.forward("slow", request("12", "tools/call", "{}")), 502, -32002, 12);

        assertThat(json.at("/error/message").asText()).isEqualTo("MCP server 'slow' did not answer within 300 ms");
        assertThat(gateway.servers().get(0).status()).isEqualTo("down");
        assertThat(gateway.servers().get(0).lastError()).contains("did not answer within 300 ms");
    }

    @Test
    void aRefusedConnectionIs502Unreachable() throws Exception {
        URI closed;
        try (FakeMcpServer gone = FakeMcpServer.start()) {
            closed = gone.url();
        }
        JsonNode json = assertError(gateway(server("gone", closed, null)).forward("gone", request("13", "ping", null)),
                502, -32002, 13);
        assertThat(json.at("/error/message").asText()).startsWith("MCP server 'gone' is unreachable: ");
    }

    @Test
    void aReplyThatIsNotJsonIs502NotJson() throws Exception {
        mcp.enqueue(McpBehavior.garbage());
        McpGateway gateway = gateway(server("files", mcp.url(), null));

        JsonNode json = assertError(gateway.forward("files", request("\"g\"", "tools/list", null)), 502, -32003, "g");

        assertThat(json.at("/error/message").asText())
                .startsWith("MCP server 'files' did not reply with JSON (HTTP 200, text/html");
        assertThat(gateway.servers().get(0).status()).isEqualTo("down");
    }

    @Test
    void jsonThatIsNotAJsonRpcResponseIs502InternalError() throws Exception {
        mcp.enqueue(McpBehavior.httpStatus(200, "{\"hello\":\"world\"}"));
        McpGateway gateway = gateway(server("files", mcp.url(), null));
        JsonNode json = assertError(gateway.forward("files", request("14", "x", null)), 502, -32603, 14);
        assertThat(json.at("/error/message").asText()).contains("not a JSON-RPC 2.0 response");
    }

    @Test
    void anHttpErrorStatusIs502WithTheUpstreamStatusAndNeverTheToken() throws Exception {
        mcp.enqueue(McpBehavior.httpStatus(500, "internal failure while handling Bearer " + TOKEN));
        McpGateway gateway = gateway(server("files", mcp.url(), Secret.literal(TOKEN)));

        GatewayReply reply = gateway.forward("files", request("15", "tools/call", "{}"));

        JsonNode json = assertError(reply, 502, -32603, 15);
        assertThat(json.at("/error/message").asText()).isEqualTo("MCP server 'files' answered HTTP 500");
        assertThat(json.at("/error/data/upstream_status").asInt()).isEqualTo(500);
        assertThat(json.at("/error/data/upstream_body").asText()).contains("internal failure", "****");
        assertThat(reply.jsonText()).doesNotContain(TOKEN);
        assertThat(gateway.servers().get(0).status()).isEqualTo("down");
        assertThat(gateway.servers().get(0).lastError()).doesNotContain(TOKEN);
    }

    @Test
    void anHttp4xxKeepsTheServersJsonRpcErrorInTheData() throws Exception {
        mcp.enqueue(McpBehavior.httpStatus(400,
                "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32000,\"message\":\"No valid session\"}}"));
        McpGateway gateway = gateway(server("files", mcp.url(), null));

        JsonNode json = assertError(gateway.forward("files", request("16", "tools/list", null)), 502, -32603, 16);

        assertThat(json.at("/error/data/upstream_status").asInt()).isEqualTo(400);
        assertThat(json.at("/error/data/upstream_error/message").asText()).isEqualTo("No valid session");
        assertThat(gateway.servers().get(0).status()).isEqualTo("up");
    }

    // ---- truncation ----

    @Test
    void aHugeResultIsTruncatedToAValidJsonRpcReplyWithTheMarker() throws Exception {
        mcp.enqueue(McpBehavior.hugeResult(200_000));
        McpGateway gateway = new McpGateway(new McpConfig(workspace, Duration.ofSeconds(5), 4096,
                Map.of("files", server("files", mcp.url(), null))), http, clock, mapper);

        GatewayReply reply = gateway.forward("files", request("17", "tools/call", "{\"name\":\"cat\"}"));

        assertThat(reply.httpStatus()).isEqualTo(200);
        assertThat(reply.json().length).isLessThanOrEqualTo(4096);
        JsonNode json = mapper.readTree(reply.json());
        assertThat(json.get("jsonrpc").asText()).isEqualTo("2.0");
        assertThat(json.get("id").asInt()).isEqualTo(17);
        String text = json.at("/result/content/0/text").asText();
        assertThat(text).startsWith("line of a very large tool output")
                .containsPattern("\n…\\[truncated by kimi gateway: \\d+ bytes omitted]…\n");
    }

    // ---- workspace confinement ----

    @Test
    void aTraversalIsRefusedWith403AndNeverForwarded() throws Exception {
        JsonNode json = assertError(gateway(server("files", mcp.url(), null)).forward("files",
                request("18", "tools/call", "{\"name\":\"read_file\",\"arguments\":{\"path\":\"../../etc/passwd\"}}")),
                403, -32602, 18);

        assertThat(json.at("/error/message").asText()).isEqualTo("path outside the workspace");
        assertThat(json.at("/error/data/path").asText()).isEqualTo("../../etc/passwd");
        assertThat(mcp.requests()).isEmpty();
    }

    @Test
    void anAbsolutePathOutsideIsRefused() throws Exception {
        assertError(gateway(server("files", mcp.url(), null)).forward("files",
                request("19", "tools/call", "{\"name\":\"read_file\",\"arguments\":{\"path\":\"/etc/shadow\"}}")),
                403, -32602, 19);
        assertThat(mcp.requests()).isEmpty();
    }

    @Test
    void aSymlinkThatEscapesTheWorkspaceIsRefused() throws Exception {
        Path outside = Files.createDirectories(root.resolve("outside"));
        Files.writeString(outside.resolve("id_rsa"), "key");
        Files.createSymbolicLink(workspace.resolve("innocent"), outside);

        assertError(gateway(server("files", mcp.url(), null)).forward("files",
                request("20", "tools/call", "{\"name\":\"read_file\",\"arguments\":{\"path\":\"innocent/id_rsa\"}}")),
                403, -32602, 20);
        assertThat(mcp.requests()).isEmpty();
    }

    @Test
    void aFileUriOutsideIsRefused() throws Exception {
        assertError(gateway(server("files", mcp.url(), null)).forward("files",
                request("21", "resources/read", "{\"uri\":\"file:///etc/passwd\"}")), 403, -32602, 21);
        assertThat(mcp.requests()).isEmpty();
    }

    @Test
    void aRefusedPathIsLoggedOnOneLineWithItsControlCharactersEscaped() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(McpGateway.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            assertError(gateway(server("files", mcp.url(), null)).forward("files", request("26", "resources/read",
                    "{\"uri\":\"fi\\r\\nle:///etc/passwd\\n2025-03-01 INFO forged line\"}")), 403, -32602, 26);

            assertThat(appender.list).singleElement().satisfies(event -> assertThat(event.getFormattedMessage())
                    .doesNotContain("\n", "\r")
                    .contains("\"fi\\r\\nle:///etc/passwd\\n2025-03-01 INFO forged line\""));
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void positionalParamsAreCheckedAsPaths() throws Exception {
        assertError(gateway(server("files", mcp.url(), null)).forward("files",
                request("25", "read", "[\"src/Main.java\",\" /etc/passwd\"]")), 403, -32602, 25);
        assertThat(mcp.requests()).isEmpty();
    }

    @Test
    void pathsInsideTheWorkspaceAreForwarded() throws Exception {
        McpGateway gateway = gateway(server("files", mcp.url(), null));
        String inside = workspace.resolve("src/Main.java").toString();

        assertThat(gateway.forward("files", request("22", "tools/call",
                "{\"name\":\"read_file\",\"arguments\":{\"path\":\"src/Main.java\"}}")).httpStatus()).isEqualTo(200);
        assertThat(gateway.forward("files", request("23", "tools/call",
                "{\"name\":\"read_file\",\"arguments\":{\"path\":\"" + inside + "\"}}")).httpStatus()).isEqualTo(200);
        assertThat(gateway.forward("files", request("24", "resources/read",
                "{\"uri\":\"" + workspace.toUri() + "src\"}")).httpStatus()).isEqualTo(200);
        assertThat(mcp.requests()).hasSize(3);
    }

    // ---- auth ----

    @Test
    void sendsTheBearerTokenAndNeverEchoesIt() throws Exception {
        McpGateway gateway = gateway(server("files", mcp.url(), Secret.literal(TOKEN)));

        GatewayReply reply = gateway.forward("files", request("25", "tools/list", null));

        assertThat(reply.httpStatus()).isEqualTo(200);
        assertThat(reply.jsonText()).doesNotContain(TOKEN);
        assertThat(mcp.takeRequest(WAIT).header("Authorization")).isEqualTo("Bearer " + TOKEN);
    }

    @Test
    void aServerThatRepeatsTheTokenInItsResultHasItScrubbed() throws Exception {
        mcp.enqueue(McpBehavior.toolResult("your token is " + TOKEN));
        GatewayReply reply = gateway(server("files", mcp.url(), Secret.literal(TOKEN)))
                .forward("files", request("26", "tools/call", "{}"));

        assertThat(reply.httpStatus()).isEqualTo(200);
        assertThat(reply.jsonText()).doesNotContain(TOKEN).contains("your token is ****");
    }

    @Test
    void anUnsetTokenVariableIs503NamingTheVariableAndNothingIsSent() throws Exception {
        McpGateway gateway = gateway(server("files", mcp.url(),
                Secret.fromVariable("KIMI_TEST_MCP_TOKEN_UNSET", null)));

        JsonNode json = assertError(gateway.forward("files", request("27", "tools/list", null)), 503, -32603, 27);

        assertThat(json.at("/error/message").asText()).contains("KIMI_TEST_MCP_TOKEN_UNSET");
        assertThat(mcp.requests()).isEmpty();
    }

    // ---- health ----

    @Test
    void healthIsUnknownThenFollowsTheOutcomeOfEachCall() throws Exception {
        McpGateway gateway = gateway(server("files", mcp.url(), null));
        assertThat(gateway.servers()).singleElement().satisfies(s -> {
            assertThat(s.status()).isEqualTo("unknown");
            assertThat(s.lastChecked()).isNull();
            assertThat(s.latencyMs()).isNull();
        });

        gateway.forward("files", request("1", "ping", null));
        McpServerStatus up = gateway.servers().get(0);
        assertThat(up.status()).isEqualTo("up");
        assertThat(up.latencyMs()).isNotNull().isGreaterThanOrEqualTo(0L);
        assertThat(up.lastChecked()).isEqualTo(clock.instant());
        assertThat(up.lastError()).isNull();

        mcp.enqueue(McpBehavior.httpStatus(503));
        clock.advance(Duration.ofSeconds(1));
        gateway.forward("files", request("2", "ping", null));
        McpServerStatus down = gateway.servers().get(0);
        assertThat(down.status()).isEqualTo("down");
        assertThat(down.lastChecked()).isEqualTo(clock.instant());
        assertThat(down.lastError()).isEqualTo("MCP server 'files' answered HTTP 503");
    }

    @Test
    void theUrlShownHasNoUserInfoNorQuery() {
        URI secretive = URI.create("http://user:pass@127.0.0.1:" + mcp.port() + "/mcp?api_key=abc#frag");
        McpGateway gateway = gateway(server("files", secretive, null));
        assertThat(gateway.servers().get(0).url()).isEqualTo("http://127.0.0.1:" + mcp.port() + "/mcp");
    }

    @Test
    void probePingsEachServerAndCachesForTenSeconds() throws Exception {
        URI closed;
        try (FakeMcpServer gone = FakeMcpServer.start()) {
            closed = gone.url();
        }
        McpGateway gateway = gateway(server("files", mcp.url(), null), server("gone", closed, null));

        List<McpServerStatus> first = gateway.probe();

        assertThat(first).extracting(McpServerStatus::name, McpServerStatus::status)
                .containsExactly(Tuple.tuple("files", "up"),
                        Tuple.tuple("gone", "down"));
        RecordedRequest ping = mcp.takeRequest(WAIT);
        assertThat(ping.bodyAsJson().get("method").asText()).isEqualTo("ping");
        assertThat(ping.bodyAsJson().get("jsonrpc").asText()).isEqualTo("2.0");
        assertThat(ping.bodyAsJson().has("id")).isTrue();

        clock.advance(Duration.ofSeconds(9));
        gateway.probe();
        assertThat(mcp.requests()).hasSize(1);

        clock.advance(Duration.ofSeconds(2));
        gateway.probe();
        assertThat(mcp.requests()).hasSize(2);
    }

    @Test
    void probeOfASlowServerIsBoundedAndMarksItDown() throws Exception {
        mcp.defaultBehavior(McpBehavior.echo().delayed(Duration.ofSeconds(20)));
        McpGateway gateway = gateway(new McpServerConfig("slow", mcp.url(), Duration.ofMillis(200), null));

        assertThat(gateway.probe()).singleElement().satisfies(s -> {
            assertThat(s.status()).isEqualTo("down");
            assertThat(s.lastError()).isEqualTo("no answer to ping within 200 ms");
        });
    }

    @Test
    void nullArgumentsAreRejected() {
        McpGateway gateway = gateway(server("files", mcp.url(), null));
        assertThatThrownBy(() -> gateway.forward(null, new byte[0])).isInstanceOf(NullPointerException.class)
                .hasMessage("server");
        assertThatThrownBy(() -> gateway.forward("files", null)).isInstanceOf(NullPointerException.class)
                .hasMessage("body");
    }

    // ---- helpers ----

    private McpGateway gateway(McpServerConfig... servers) {
        Map<String, McpServerConfig> byName = new LinkedHashMap<>();
        for (McpServerConfig server : servers) {
            byName.put(server.name(), server);
        }
        return new McpGateway(new McpConfig(workspace, Duration.ofSeconds(5), 1 << 20, byName), http, clock, mapper);
    }

    private static McpServerConfig server(String name, URI url, Secret token) {
        return new McpServerConfig(name, url, Duration.ofSeconds(5), token);
    }

    private static byte[] request(String id, String method, String params) {
        return utf8("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\""
                + (params == null ? "" : ",\"params\":" + params) + "}");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Asserts a gateway error reply and returns its JSON. */
    private JsonNode assertError(GatewayReply reply, int httpStatus, int code, Object id) throws IOException {
        assertThat(reply.httpStatus()).as("HTTP status of %s", reply.jsonText()).isEqualTo(httpStatus);
        JsonNode json = mapper.readTree(reply.json());
        assertThat(json.get("jsonrpc").asText()).isEqualTo("2.0");
        assertThat(json.at("/error/code").asInt()).as("code of %s", reply.jsonText()).isEqualTo(code);
        assertThat(json.at("/error/message").asText()).isNotBlank();
        assertThat(json.has("result")).isFalse();
        assertThat(json.has("id")).isTrue();
        if (id == null) {
            assertThat(json.get("id").isNull()).isTrue();
        } else if (id instanceof Integer number) {
            assertThat(json.get("id").asInt()).isEqualTo(number);
        } else {
            assertThat(json.get("id").asText()).isEqualTo(id);
        }
        return json;
    }
}
