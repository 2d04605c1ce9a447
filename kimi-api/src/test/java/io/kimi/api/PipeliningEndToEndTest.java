package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.chatBody;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.api.testing.KimiServerExtension;
import io.kimi.testing.FakeUpstream;
import io.kimi.testing.RawWsClient;
import io.kimi.testing.Reply;
import io.kimi.testing.UsageStyle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * HTTP/1.1 pipelining against a real server: requests sent one after another on one connection without waiting
 * must be answered in the order they were sent, whatever each route's speed (a chat completion waits on its
 * provider; {@code /health} is quick; {@code /models} is answered on the event loop itself).
 */
class PipeliningEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String HEALTH = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    private static final String MODELS = "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

    private FakeUpstream fake;
    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension().manualStart();
    private final List<RawClient> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        fake = server.fake();
        server.start();
    }

    @AfterEach
    void stop() {
        clients.forEach(RawClient::close);
    }

    private RawClient connect() {
        RawClient c = RawClient.connect(server.port());
        clients.add(c);
        return c;
    }

    private static String post(String path, String json) {
        int length = json.getBytes(StandardCharsets.UTF_8).length;
        return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + length + "\r\n\r\n" + json;
    }

    private static String chat(boolean stream) {
        return post("/v1/chat/completions", chatBody("kimi-k2", stream, ""));
    }

    private static boolean isChat(RawClient.Response r) {
        return r.body().contains("chat.completion");
    }

    private static boolean isHealth(RawClient.Response r) {
        return r.body().contains("\"uptime_seconds\"");
    }

    @Test
    void aSlowChatFollowedByHealthOnOneConnectionIsAnsweredInOrderEveryTime() {
        fake.defaultReply(Reply.chatCompletion("slow", 10, 3).initialDelay(Duration.ofMillis(25)));
        RawClient c = connect();
        int pairs = 200;
        int outOfOrder = 0;
        for (int i = 0; i < pairs; i++) {
            c.clearReceived();
            c.send(chat(false) + HEALTH);
            List<RawClient.Response> two = c.awaitResponses(2, WAIT);
            assertThat(two).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
            assertThat(two).anySatisfy(r -> assertThat(isChat(r)).isTrue())
                    .anySatisfy(r -> assertThat(isHealth(r)).isTrue());
            if (!isChat(two.get(0))) {
                outOfOrder++;
            }
        }
        System.out.println("Pipelining: " + outOfOrder + " of " + pairs + " (slow chat, /health) pairs answered "
                + "out of order");

        assertThat(outOfOrder).as("pairs answered out of order, of " + pairs).isZero();
    }

    @Test
    void aStreamedCompletionIsFollowedWholeByTheAnswersToTheRequestsPipelinedBehindIt() {
        fake.enqueue(Reply.streamingCompletion(List.of("one", "two", "three"), null, UsageStyle.NONE)
                .delayBetweenChunks(Duration.ofMillis(50)));
        RawClient c = connect().send(chat(true) + MODELS + HEALTH);

        List<RawClient.Response> three = c.awaitResponses(3, WAIT);

        assertThat(three.get(0).status()).isEqualTo(200);
        assertThat(three.get(0).header("content-type")).startsWith("text/event-stream");
        assertThat(three.get(0).body()).contains("\"content\":\"three\"").endsWith("data: [DONE]\n\n");
        assertThat(three.get(1).body()).contains("\"object\":\"list\"").contains("kimi-k2");
        assertThat(isHealth(three.get(2))).isTrue();
    }

    @Test
    void aProviderErrorIsStillAnsweredBeforeTheRequestsBehindIt() throws Exception {
        fake.enqueue(Reply.status(400, "The model rejected the request.").initialDelay(Duration.ofMillis(200)));
        RawClient c = connect().send(chat(false) + HEALTH + MODELS);

        List<RawClient.Response> three = c.awaitResponses(3, WAIT);

        assertThat(three.get(0).status()).isEqualTo(400);
        assertThat(KimiServerExtension.JSON.readTree(three.get(0).body()).path("error").path("message").asText())
                .contains("rejected");
        assertThat(isHealth(three.get(1))).isTrue();
        assertThat(three.get(2).body()).contains("\"object\":\"list\"");
    }

    @Test
    void moreWaitingRequestsThanTheLimitAreAnswered503InTurnAndTheConnectionClosed() throws Exception {
        fake.enqueue(Reply.chatCompletion("slow", 10, 3).initialDelay(Duration.ofMillis(300)));
        StringBuilder burst = new StringBuilder(chat(false));
        for (int i = 0; i < 30; i++) {
            burst.append(HEALTH);
        }
        RawClient c = connect().send(burst.toString());

        assertThat(c.awaitClosed(WAIT)).as("closed after the 503").isTrue();
        List<RawClient.Response> answers = RawClient.parseAll(c.received().getBytes(StandardCharsets.ISO_8859_1));

        assertThat(answers).hasSize(1 + 16 + 1);
        assertThat(isChat(answers.get(0))).isTrue();
        assertThat(answers.subList(1, 17)).allSatisfy(r -> assertThat(isHealth(r)).isTrue());
        RawClient.Response refused = answers.get(17);
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.header("connection")).isEqualToIgnoringCase("close");
        JsonNode error = KimiServerExtension.JSON.readTree(refused.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("too_many_pipelined_requests");
        assertThat(error.path("message").asText()).contains("server.max_pipelined_requests");
        assertThat(metric("kimi_http_pipeline_overflows_total")).isEqualTo(1);
        assertThat(server.get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void aWebSocketUpgradePipelinedBehindAChatOpensOnceTheChatIsAnswered() throws Exception {
        fake.enqueue(Reply.chatCompletion("slow", 10, 3).initialDelay(Duration.ofMillis(200)));
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            socket.setSoTimeout((int) WAIT.toMillis());
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write((chat(false) + "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));

            String chatHead = readHead(in);
            assertThat(chatHead).startsWith("HTTP/1.1 200 ");
            int length = Integer.parseInt(chatHead.replaceAll("(?is).*content-length: *(\\d+).*", "$1"));
            assertThat(new String(in.readNBytes(length), StandardCharsets.UTF_8)).contains("chat.completion");
            assertThat(readHead(in)).startsWith("HTTP/1.1 101 ");
            assertThat(readMessage(in, "init")).contains("\"active_session\"");

            out.write(RawWsClient.frame(RawWsClient.OPCODE_TEXT,
                    "{\"action\":\"ping\"}".getBytes(StandardCharsets.UTF_8)));
            assertThat(readMessage(in, "pong")).contains("\"timestamp\"");
        }
    }

    @Test
    void requestsWaitingWhenTheClientLeavesAreReleased() throws Exception {
        fake.enqueue(Reply.hang());
        try (LogCapture leaks = new LogCapture("io.netty.util.ResourceLeakDetector", Level.ERROR)) {
            RawClient c = connect();
            StringBuilder burst = new StringBuilder(chat(false));
            for (int i = 0; i < 10; i++) {
                burst.append(post("/api/events", "{\"session_id\":\"leak-" + i + "\",\"event_type\":\"ITERATION\","
                        + "\"iteration\":1,\"data\":{\"pad\":\"" + "x".repeat(4000) + "\"}}"));
            }
            c.send(burst.toString());
            fake.takeRequest(WAIT);
            c.close();
            assertThat(fake.awaitClientDisconnect(WAIT)).as("the server saw the client leave").isTrue();

            // Paranoid leak detection (the build's argLine) reports a buffer collected unreleased at the next
            // allocation after the collection.
            System.gc();
            for (int i = 0; i < 20; i++) {
                assertThat(server.get("/health").statusCode()).isEqualTo(200);
            }

            assertThat(leaks.messages()).as("Netty leak reports").noneMatch(m -> m.contains("LEAK"));
            assertThat(server.get("/api/sessions/leak-0/events").statusCode()).as("a request that waited was not run")
                    .isEqualTo(404);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("connection closed in a response head: " + head);
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * The next message of this type, passing over others (the chat's live pushes may come first); at most 100
     * messages, each within the socket's read timeout.
     */
    private static String readMessage(InputStream in, String type) throws IOException {
        List<String> skipped = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String m = readTextFrame(in);
            if (m.contains("\"type\":\"" + type + "\"")) {
                return m;
            }
            skipped.add(m.length() > 40 ? m.substring(0, 40) : m);
        }
        throw new AssertionError("no '" + type + "' message among the next 100: " + skipped);
    }

    /** One unmasked server frame (RFC 6455 5.2), which must be a whole text message. */
    private static String readTextFrame(InputStream in) throws IOException {
        byte[] start = in.readNBytes(2);
        assertThat(start).as("a frame header").hasSize(2);
        assertThat(start[0] & 0xff).as("FIN + text opcode").isEqualTo(0x81);
        long length = start[1] & 0x7f;
        if (length == 126) {
            byte[] n = in.readNBytes(2);
            length = ((n[0] & 0xffL) << 8) | (n[1] & 0xffL);
        } else if (length == 127) {
            byte[] n = in.readNBytes(8);
            length = 0;
            for (byte b : n) {
                length = (length << 8) | (b & 0xffL);
            }
        }
        return new String(in.readNBytes((int) length), StandardCharsets.UTF_8);
    }

    /** A sample's value from {@code /metrics}, 0 when absent. */
    private double metric(String sample) {
        String text = server.get("/metrics").body();
        return text.lines().filter(l -> l.startsWith(sample + " ")).mapToDouble(
                l -> Double.parseDouble(l.substring(sample.length() + 1).trim())).findFirst().orElse(0);
    }
}
