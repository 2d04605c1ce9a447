package io.kimi.api;

import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A bare TCP client that writes exactly the bytes a test gives it (slow, partial, malformed or with a foreign
 * {@code Host}) and reads without blocking, so one test can hold hundreds of them. Connects from a chosen
 * loopback address (Linux routes all of 127.0.0.0/8 to the loopback interface), so a test can play two clients.
 */
final class RawClient implements AutoCloseable {
    /** How often a wait reads what has arrived. */
    private static final Duration POLL = Duration.ofMillis(10);

    /** A parsed HTTP response: status, headers (names lower case, first value), body. */
    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final SocketChannel channel;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final ByteBuffer buffer = ByteBuffer.allocate(8192);
    private boolean closedByServer;

    private RawClient(SocketChannel channel) {
        this.channel = channel;
    }

    /** Connects from 127.0.0.1. */
    static RawClient connect(int port) {
        return connect("127.0.0.1", port);
    }

    static RawClient connect(String fromAddress, int port) {
        try {
            SocketChannel ch = SocketChannel.open();
            try {
                ch.bind(new InetSocketAddress(fromAddress, 0));
                ch.socket().connect(new InetSocketAddress("127.0.0.1", port), 5000);
                ch.configureBlocking(false);
                return new RawClient(ch);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes ASCII text; a connection the server already closed is remembered, not thrown. */
    RawClient send(String ascii) {
        ByteBuffer out = ByteBuffer.wrap(ascii.getBytes(StandardCharsets.ISO_8859_1));
        try {
            // A full socket buffer takes nothing: write again (every millisecond) until the server has read it all.
            await().atMost(Duration.ofSeconds(5)).pollInSameThread().pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(1)).until(() -> {
                        try {
                            channel.write(out);
                        } catch (IOException e) {
                            closedByServer = true;
                        }
                        return closedByServer || !out.hasRemaining();
                    });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("the server did not read " + out.remaining() + " bytes in 5 s", e);
        }
        return this;
    }

    /** Reads whatever has arrived; true once the server has closed the connection (or reset it). */
    boolean poll() {
        if (closedByServer) {
            return true;
        }
        try {
            while (true) {
                buffer.clear();
                int n = channel.read(buffer);
                if (n < 0) {
                    closedByServer = true;
                    return true;
                }
                if (n == 0) {
                    return false;
                }
                received.write(buffer.array(), 0, n);
            }
        } catch (IOException e) {
            closedByServer = true;
            return true;
        }
    }

    /** Waits until the server closes the connection; false if it is still open after {@code timeout}. */
    boolean awaitClosed(Duration timeout) {
        try {
            await().atMost(timeout).pollInSameThread().pollInterval(POLL).until(this::poll);
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }

    /** Waits for one complete response; fails if the connection ends without one or nothing comes in time. */
    Response awaitResponse(Duration timeout) {
        try {
            await().atMost(timeout).pollInSameThread().pollInterval(POLL)
                    .until(() -> poll() || parse(received.toByteArray()) != null);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no complete response within " + timeout + "; got: \"" + received() + "\"", e);
        }
        Response r = parse(received.toByteArray());
        if (r == null) {
            throw new AssertionError("the server closed the connection without a complete response; got: \""
                    + received() + "\"");
        }
        return r;
    }

    /**
     * Waits for {@code count} complete responses, in the order they came (bodies with Content-Length or chunked;
     * a chunked body comes back decoded); fails if the connection ends first or they do not come in time.
     */
    List<Response> awaitResponses(int count, Duration timeout) {
        try {
            await().atMost(timeout).pollInSameThread().pollInterval(POLL)
                    .until(() -> poll() || parseAll(received.toByteArray()).size() >= count);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("only " + parseAll(received.toByteArray()).size() + " of " + count
                    + " responses within " + timeout + "; got: \"" + received() + "\"", e);
        }
        List<Response> all = parseAll(received.toByteArray());
        if (all.size() < count) {
            throw new AssertionError("the server closed the connection after " + all.size() + " of " + count
                    + " responses; got: \"" + received() + "\"");
        }
        return all.subList(0, count);
    }

    /** Everything received so far, as text. */
    String received() {
        return received.toString(StandardCharsets.ISO_8859_1);
    }

    /** Forgets what was received (before reading the next response on a keep-alive connection). */
    void clearReceived() {
        received.reset();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Response parse(byte[] bytes) {
        List<Response> all = parseAll(bytes);
        return all.isEmpty() ? null : all.get(0);
    }

    /** The complete responses at the start of {@code bytes}, one after another. */
    static List<Response> parseAll(byte[] bytes) {
        List<Response> responses = new ArrayList<>();
        int[] at = {0};
        Response r;
        while ((r = parseAt(bytes, at)) != null) {
            responses.add(r);
        }
        return responses;
    }

    /** The response starting at {@code at[0]}, moving it past the response; null while it is incomplete. */
    private static Response parseAt(byte[] bytes, int[] at) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int start = at[0];
        int end = text.indexOf("\r\n\r\n", start);
        if (end < 0) {
            return null;
        }
        String[] lines = text.substring(start, end).split("\r\n");
        int status;
        try {
            status = Integer.parseInt(lines[0].split(" ")[1]);
        } catch (RuntimeException e) {
            throw new AssertionError("not an HTTP response at byte " + start + ": \"" + text.substring(start)
                    + "\"", e);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.putIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).trim());
        }
        int bodyStart = end + 4;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            int pos = bodyStart;
            while (true) {
                int lineEnd = text.indexOf("\r\n", pos);
                if (lineEnd < 0) {
                    return null;
                }
                int size;
                try {
                    size = Integer.parseInt(text.substring(pos, lineEnd).split(";")[0].trim(), 16);
                } catch (NumberFormatException e) {
                    throw new AssertionError("bad chunk size at byte " + pos + " of a chunked body: \""
                            + text.substring(bodyStart) + "\"", e);
                }
                if (size == 0) {
                    int trailerEnd = text.indexOf("\r\n", lineEnd + 2);
                    if (trailerEnd != lineEnd + 2) {
                        return trailerEnd < 0 ? null : failTrailer(text, lineEnd);
                    }
                    at[0] = trailerEnd + 2;
                    return new Response(status, headers, body.toString(StandardCharsets.UTF_8));
                }
                if (bytes.length < lineEnd + 2 + size + 2) {
                    return null;
                }
                body.write(bytes, lineEnd + 2, size);
                if (!text.startsWith("\r\n", lineEnd + 2 + size)) {
                    throw new AssertionError("a chunk of a chunked body does not end with CRLF at byte "
                            + (lineEnd + 2 + size) + ": \"" + text.substring(bodyStart) + "\"");
                }
                pos = lineEnd + 2 + size + 2;
            }
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        if (bytes.length < bodyStart + length) {
            return null;
        }
        at[0] = bodyStart + length;
        return new Response(status, headers, new String(bytes, bodyStart, length, StandardCharsets.UTF_8));
    }

    private static Response failTrailer(String text, int at) {
        throw new AssertionError("unexpected trailer after a chunked body at byte " + at + ": \"" + text + "\"");
    }

}
