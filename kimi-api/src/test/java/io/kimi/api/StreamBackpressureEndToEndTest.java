package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.chatBody;
import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.testing.PrometheusText;
import io.kimi.testing.Reply;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A streamed reply to a client that stops reading: the relay reads the provider on its own (auto-read) but stops
 * as soon as more than the client connection's high-water mark (64 KiB during a stream) waits for the client, so
 * the server holds a bounded amount whatever the stream's size; nothing is lost or changed when the client reads
 * again, and a client that leaves while the relay waits for it is recorded as cancelled.
 */
class StreamBackpressureEndToEndTest extends EndToEndTest {
    /** 24 MiB of events of 32 KiB: far more than a bounded relay may hold, less than the test JVM's heap. */
    private static final int EVENTS = 768;
    private static final int EVENT_CHARS = 32 << 10;
    /**
     * What a bounded relay may add to the allocator's direct memory: the 64 KiB high-water mark, a read or two of
     * up to 64 KiB, rounded up to the allocator's chunks (up to 4 MiB each), twice. An unbounded relay would hold
     * most of the 24 MiB.
     */
    private static final long BOUND_BYTES = 8L << 20;

    /**
     * Counting a 24 MiB reply's tokens (8 MiB of it by default) takes long on a loaded machine, and recording waits
     * for it; what is counted is not under test here.
     */
    @BeforeEach
    void countLittleOfEachReply() {
        server.restart(s -> s.serverToml("max_accounted_reply_bytes = 65536"));
    }

    @Test
    void aClientThatStopsReadingHoldsABoundedAmountAndThenGetsTheStreamByteForByte() throws Exception {
        List<String> payloads = payloads();
        fake.enqueue(Reply.sse(payloads));
        long before = allocatorBytes();

        try (Socket client = slowClient()) {
            send(client, chatBody("kimi-k2", true, ""));
            InputStream in = client.getInputStream();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            readAtLeast(in, received, 1); // the stream has started; from now on the client reads nothing

            awaitProviderStalled();
            long held = allocatorBytes() - before;
            assertThat(fake.bytesSent()).as("the provider got to send some of the stream").isGreaterThan(1 << 20);
            assertThat(held).as("direct memory the server holds for a client that stopped reading")
                    .isLessThan(BOUND_BYTES);

            readToEnd(in, received);
            assertThat(dechunkedDigest(body(received.toByteArray()))).as("SHA-256 of the stream received")
                    .isEqualTo(expectedDigest(payloads));
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode recorded = json(server.get("/api/sessions/active")).path("recent_requests").get(0);
            assertThat(recorded.path("status").asText()).isEqualTo("success");
        });
    }

    @Test
    void aClientLeavingWhileTheRelayWaitsForItIsRecordedAsCancelled() throws Exception {
        fake.enqueue(Reply.sse(payloads()));

        try (Socket client = slowClient()) {
            send(client, chatBody("kimi-k2", true, ""));
            readAtLeast(client.getInputStream(), new ByteArrayOutputStream(), 1);
            awaitProviderStalled();
        }

        assertThat(fake.awaitClientDisconnect(Duration.ofSeconds(10))).isTrue();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode recorded = json(server.get("/api/sessions/active")).path("recent_requests").get(0);
            assertThat(recorded.path("status").asText()).isEqualTo("cancelled");
        });
    }

    private static List<String> payloads() {
        List<String> payloads = new ArrayList<>(EVENTS);
        for (int i = 0; i < EVENTS; i++) {
            String filler = Character.toString('a' + i % 26).repeat(EVENT_CHARS);
            payloads.add("{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":"
                    + "{\"content\":\"" + i + filler + "\"}}]}");
        }
        return payloads;
    }

    /** The stream the provider sent (its events, then {@code [DONE]}), as a SHA-256 in hex. */
    private static String expectedDigest(List<String> payloads) {
        MessageDigest sha = sha256();
        for (String p : payloads) {
            sha.update(("data: " + p + "\n\n").getBytes(StandardCharsets.UTF_8));
        }
        sha.update("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client with a small receive buffer, so the kernel holds little of what it does not read. */
    private Socket slowClient() throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.setSoTimeout(20_000);
        s.connect(new InetSocketAddress("127.0.0.1", server.uri("/").getPort()), 5_000);
        return s;
    }

    private static void send(Socket s, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        OutputStream out = s.getOutputStream();
        out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    /**
     * Waits until the provider's writes stop completing: the relay stopped reading and the socket buffers between
     * it and the provider are full (two polls 300 ms apart see the same count).
     */
    private void awaitProviderStalled() {
        long[] last = {-1};
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
            long now = fake.bytesSent();
            boolean same = now == last[0];
            last[0] = now;
            return same && now > 0;
        });
    }

    private long allocatorBytes() {
        PrometheusText metrics = PrometheusText.parse(server.get("/metrics").body());
        return (long) metrics.value("kimi_direct_memory_netty_allocator_bytes", Map.of());
    }

    private static void readAtLeast(InputStream in, ByteArrayOutputStream to, int bytes) throws IOException {
        byte[] buf = new byte[8192];
        while (to.size() < bytes) {
            int n = in.read(buf);
            if (n < 0) {
                throw new AssertionError("the server closed the connection after " + to.size() + " bytes");
            }
            to.write(buf, 0, n);
        }
    }

    private static void readToEnd(InputStream in, ByteArrayOutputStream to) throws IOException {
        in.transferTo(to);
    }

    /** What follows the response head. */
    private static byte[] body(byte[] response) {
        String text = new String(response, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        assertThat(end).as("a response head").isPositive();
        assertThat(text).startsWith("HTTP/1.1 200");
        return Arrays.copyOfRange(response, end + 4, response.length);
    }

    /** A chunked body, decoded, as a SHA-256 in hex. */
    private static String dechunkedDigest(byte[] chunked) {
        MessageDigest out = sha256();
        int at = 0;
        while (true) {
            int lineEnd = indexOfCrlf(chunked, at);
            assertThat(lineEnd).as("a chunk size line").isGreaterThanOrEqualTo(0);
            int size = Integer.parseInt(new String(chunked, at, lineEnd - at, StandardCharsets.US_ASCII).trim(), 16);
            at = lineEnd + 2;
            if (size == 0) {
                return HexFormat.of().formatHex(out.digest());
            }
            out.update(chunked, at, size);
            at += size + 2;
        }
    }

    private static int indexOfCrlf(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
