package io.kimi.testing;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A WebSocket client on a plain socket that completes the handshake and then reads only when asked, with a tiny
 * receive buffer so the server feels it at once (a JDK client's buffers can grow to tens of megabytes on
 * loopback). It can still send: {@link #flood} writes frames without ever reading the answers, as an abusive
 * client would.
 */
public final class RawWsClient implements AutoCloseable {
    public static final int OPCODE_TEXT = 0x1;
    public static final int OPCODE_CLOSE = 0x8;
    public static final int OPCODE_PING = 0x9;

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    private final Socket socket = new Socket();
    private long framesRead;

    /** Connects to {@code /ws} on 127.0.0.1 and completes the handshake. */
    public RawWsClient(int port) throws IOException {
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
        String request = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        String head = readHead(socket.getInputStream());
        if (!head.startsWith("HTTP/1.1 101")) {
            throw new IOException("handshake refused: " + head);
        }
    }

    /** A masked client frame (RFC 6455 5.2) with a zero mask key, so the payload goes as is; at most 65535 bytes. */
    public static byte[] frame(int opcode, byte[] payload) {
        int header = payload.length < 126 ? 2 : 4;
        byte[] frame = new byte[header + 4 + payload.length];
        frame[0] = (byte) (0x80 | opcode);
        if (payload.length < 126) {
            frame[1] = (byte) (0x80 | payload.length);
        } else {
            frame[1] = (byte) (0x80 | 126);
            frame[2] = (byte) (payload.length >>> 8);
            frame[3] = (byte) payload.length;
        }
        System.arraycopy(payload, 0, frame, header + 4, payload.length);
        return frame;
    }

    /**
     * Sends {@code frame} up to {@code count} times without reading anything, stopping early when the server
     * closes the connection or {@code max} has passed; returns how many were sent. A write still blocked at
     * {@code max} (the server stopped reading) is ended by closing this client: see {@link #isClosed()}.
     */
    public int flood(byte[] frame, int count, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        AtomicBoolean flooding = new AtomicBoolean(true);
        CompletableFuture.runAsync(() -> {
            if (flooding.get()) {
                closeQuietly();
            }
        }, CompletableFuture.delayedExecutor(max.toMillis(), TimeUnit.MILLISECONDS));
        int sent = 0;
        try {
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 << 10);
            while (sent < count && System.nanoTime() < deadline) {
                out.write(frame);
                sent++;
            }
            out.flush();
        } catch (IOException e) {
            // The server closed the connection (broken pipe, reset), or the watchdog did.
            return sent;
        } finally {
            flooding.set(false);
        }
        return sent;
    }

    /** Whether this client closed its socket (see {@link #flood}) or was closed. */
    public boolean isClosed() {
        return socket.isClosed();
    }

    /** Sends one frame now. */
    public void send(byte[] frame) throws IOException {
        socket.getOutputStream().write(frame);
        socket.getOutputStream().flush();
    }

    /**
     * Whether the server closes the TCP connection within {@code max}, found without reading: a byte is written
     * every 20 ms (a server discards what follows a close frame) until the write fails.
     */
    public boolean closedByServerWithin(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                socket.getOutputStream().write(0);
                socket.getOutputStream().flush();
            } catch (IOException e) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    /** The payload of the next frame the server sends, as UTF-8 text (bounded: 10 s of silence throws). */
    public String readText() throws IOException {
        return new String(readFrame(socket.getInputStream()).payload(), StandardCharsets.UTF_8);
    }

    /**
     * Reads everything the server still sends until it closes the connection; returns the code of its close
     * frame if one arrived, -1 if the connection ended without one.
     *
     * @throws SocketTimeoutException when the server sends nothing for 10 s and keeps the connection open
     */
    public int readUntilClosed() throws IOException {
        InputStream in = socket.getInputStream();
        int closeCode = -1;
        try {
            while (true) {
                Frame frame = readFrame(in);
                if (frame.opcode() == OPCODE_CLOSE && frame.payload().length >= 2) {
                    closeCode = ((frame.payload()[0] & 0xff) << 8) | (frame.payload()[1] & 0xff);
                }
            }
        } catch (SocketException | EOFException e) {
            return closeCode; // the end of the stream, or reset by the server after its close timeout
        } catch (SocketTimeoutException e) {
            throw new SocketTimeoutException("the server kept the connection open, sending nothing for "
                    + READ_TIMEOUT.toSeconds() + " s, after " + framesRead + " frames");
        }
    }

    private record Frame(int opcode, byte[] payload) {
    }

    private Frame readFrame(InputStream in) throws IOException {
        int b0 = readByte(in);
        int b1 = readByte(in);
        long len = b1 & 0x7f;
        if (len == 126) {
            len = (readByte(in) << 8) | readByte(in);
        } else if (len == 127) {
            len = 0;
            for (int i = 0; i < 8; i++) {
                len = (len << 8) | readByte(in);
            }
        }
        byte[] payload = in.readNBytes((int) len);
        if (payload.length < len) {
            throw new EOFException();
        }
        framesRead++;
        return new Frame(b0 & 0x0f, payload);
    }

    /** Frames read so far. */
    public long framesRead() {
        return framesRead;
    }

    private static int readByte(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException();
        }
        return b;
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private void closeQuietly() {
        try {
            socket.close();
        } catch (IOException e) {
            // Closing a socket whose peer is gone: nothing left to release.
            return;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
